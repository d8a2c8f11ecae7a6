import { looksLikeSecretName } from '../redact';
import type { InputDefinition, ServerConfig } from './types';

/** Prefixes of well-known credential formats (GitHub, OpenAI/Anthropic, Slack, AWS, GitLab, Stripe). */
const TOKEN_SHAPES = /^(gh[pousr]_[A-Za-z0-9]{16,}|github_pat_\w{20,}|sk-[A-Za-z0-9_-]{16,}|xox[abprs]-[A-Za-z0-9-]{10,}|AKIA[0-9A-Z]{16}|glpat-[A-Za-z0-9_-]{16,}|[rs]k_live_[A-Za-z0-9]{16,})$/;

export interface SecretInArgs {
  readonly index: number;
  /** Why, without the value: "uses the password input "x"", "looks like a token"… */
  readonly reason: string;
}

/**
 * Arguments that carry a secret: a password input, `--token=…` / `--api-key …` with a literal value, or a value with
 * the shape of a well-known token. Secrets belong in `env`, because command lines are visible and get logged.
 */
export function findSecretsInArgs(args: readonly string[], inputs: readonly InputDefinition[]): SecretInArgs[] {
  const passwords = new Set(inputs.filter((i) => i.type === 'promptString' && i.password).map((i) => i.id));
  const out: SecretInArgs[] = [];
  args.forEach((arg, index) => {
    const pw = [...arg.matchAll(/\$\{input:([^{}]+)\}/g)].map((m) => m[1]).find((id) => passwords.has(id));
    if (pw) { out.push({ index, reason: `uses the password input "${pw}"` }); return; }
    const flag = /^--?([A-Za-z][\w.-]*)=(.+)$/.exec(arg);
    if (flag && looksLikeSecretName(flag[1]) && isLiteral(flag[2])) { out.push({ index, reason: `sets "${flag[1]}" to a literal value` }); return; }
    const prev = index > 0 ? /^--?([A-Za-z][\w.-]*)$/.exec(args[index - 1]) : null;
    if (prev && looksLikeSecretName(prev[1]) && !arg.startsWith('-') && isLiteral(arg)) { out.push({ index, reason: `is the value of "${prev[1]}"` }); return; }
    if (looksLikeAccessToken(arg)) out.push({ index, reason: 'looks like an access token' });
  });
  return out;
}

/** Has the shape of a well-known access token (GitHub, OpenAI/Anthropic, Slack, AWS, GitLab, Stripe). */
export function looksLikeAccessToken(value: string): boolean {
  return TOKEN_SHAPES.test(value);
}

/** A literal (not `${env:…}`, which reads the value from the environment at start). */
function isLiteral(value: string): boolean {
  return !/^\$\{env:[^{}]+\}$/.test(value);
}

/** The args with every finding masked (`--token=••••`, or the whole value), for display. */
export function maskSecretArgs(args: readonly string[], inputs: readonly InputDefinition[], mask: string): string[] {
  const flagged = new Set(findSecretsInArgs(args, inputs).map((f) => f.index));
  return args.map((a, i) => {
    if (!flagged.has(i)) return a;
    const flag = /^(--?[A-Za-z][\w.-]*=)/.exec(a);
    return flag ? `${flag[1]}${mask}` : mask;
  });
}

/** An env or header value of an entry that holds a credential in plain text. */
export interface PlaintextSecret {
  readonly field: 'env' | 'headers';
  readonly key: string;
  /** As written (an Authorization header's scheme included). */
  readonly value: string;
}

/**
 * The env and header values that are credentials in plain text: named like one (`looksLikeSecretName`, or listed in
 * `secretKeys` when the user said which), not empty, and, where `${…}` is a variable (`literal` false), no reference.
 */
export function findPlaintextSecrets(config: ServerConfig, literal: boolean, secretKeys?: readonly string[]): PlaintextSecret[] {
  const field = config.type === 'stdio' ? 'env' : 'headers';
  const values: Readonly<Record<string, string | null>> = config.type === 'stdio' ? config.env : config.headers;
  return Object.entries(values).flatMap(([key, value]) =>
    value !== null && (secretKeys ? secretKeys.includes(key) : looksLikeSecretName(key)) && value.trim() !== '' && (literal || !value.includes('${'))
      ? [{ field, key, value }] : []);
}
