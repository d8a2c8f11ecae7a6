import { createHash } from 'node:crypto';
import { isWorkspaceDefined, ownerKey, ownerOf } from '../serverId';
import type { RemoteServerConfig, ResolvedLaunch, ServerDefinition } from './types';
import { findVariables, lookupEnv } from './variables';

/**
 * The first-start confirmation of workspace-defined servers (stdio AND remote): what needs asking, what the dialog
 * shows, and the fingerprint remembered once the user agreed (a hash only: never the command line itself).
 */

/**
 * What the start gate decides before a server may start: `needsConfirmation` means "ask unless this exact
 * fingerprint was agreed to" (the fingerprint of a stdio server covers its envFile's content, known after resolution).
 */
export type TrustDecision = 'allowed' | 'needsTrust' | 'needsConfirmation';

export function trustDecision(def: ServerDefinition, opts: { trusted: boolean; confirmFirstStart: boolean }): TrustDecision {
  if (!isWorkspaceDefined(def.source)) return 'allowed';
  if (!opts.trusted) return 'needsTrust';
  return opts.confirmFirstStart ? 'needsConfirmation' : 'allowed';
}

/**
 * Changes when anything of the unresolved entry changes (command, args, env names AND values, cwd, envFile path,
 * url, headers), when the envFile's content changes (`envFileDigest`), and between owners: agreeing for one checkout
 * says nothing about another of the same name (review M1, H3). Inputs asked per start do not invalidate it.
 */
export function confirmationFingerprint(def: ServerDefinition, envFileDigest?: string): string {
  const material = [ownerKey(ownerOf(def.source)), def.id, canonical(def.config), envFileDigest ?? null];
  return createHash('sha256').update(JSON.stringify(material)).digest('hex');
}

/** A JSON value with object keys sorted, so reordering an entry's keys is not a change. */
function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value && typeof value === 'object') return Object.fromEntries(Object.keys(value).sort().map((k) => [k, canonical((value as Record<string, unknown>)[k])]));
  return value;
}

/** What a remote server's first connection sends, for the dialog: no value is resolved before the user agreed. */
export interface RemoteDisclosure {
  /** The URL's origin as configured (a `${…}` stays as written). */
  readonly host: string;
  readonly headerNames: readonly string[];
  /** Every `${env:NAME}` / `${input:id}` the url and headers use, as written (none in a literal source: `literal`). */
  readonly variables: readonly string[];
}

export function describeRemote(config: RemoteServerConfig, literal = false): RemoteDisclosure {
  let host: string;
  try { host = new URL(config.url).host || config.url; } catch { host = config.url.replace(/^[a-z]+:\/\//i, '').split(/[/?#]/)[0] ?? config.url; }
  const variables = new Set<string>();
  for (const v of literal ? [] : [config.url, ...Object.values(config.headers)]) {
    for (const ref of findVariables(v)) if (ref.kind === 'env' || ref.kind === 'input') variables.add(`\${${ref.raw}}`);
  }
  return { host, headerNames: Object.keys(config.headers), variables: [...variables] };
}

/**
 * PATH entries a launch adds in front of (or instead of) the inherited PATH: what an envFile or env can use to swap
 * `node` or `npx` for another program. Empty when PATH is unchanged.
 */
export function pathChange(inherited: Readonly<Record<string, string | undefined>>, env: Readonly<Record<string, string>>, platform: NodeJS.Platform): string[] {
  const sep = platform === 'win32' ? ';' : ':';
  const before = (lookupEnv(inherited, 'PATH', platform) ?? '').split(sep).filter(Boolean);
  const after = (lookupEnv(env, 'PATH', platform) ?? '').split(sep).filter(Boolean);
  const firstKept = after.findIndex((e) => e === before[0]);
  return firstKept < 0 ? after : after.slice(0, firstKept);
}

/** A shell-like command line for display: quoted where needed, each part passed through `redact`. */
export function formatCommandLine(launch: Extract<ResolvedLaunch, { type: 'stdio' }>, redact: (s: string) => string): string {
  return [launch.command, ...launch.args].map((part) => quoteArg(redact(part))).join(' ');
}

function quoteArg(s: string): string {
  if (s === '') return '""';
  return /[\s"'$`\\]/.test(s) ? `"${s.replace(/(["\\$`])/g, '\\$1')}"` : s;
}

/** Bound on remembered fingerprints (oldest dropped first). */
export const MAX_REMEMBERED_CONFIRMATIONS = 500;

export function rememberFingerprint(list: readonly string[], fingerprint: string): string[] {
  const next = [...list.filter((f) => f !== fingerprint), fingerprint];
  return next.slice(Math.max(0, next.length - MAX_REMEMBERED_CONFIRMATIONS));
}

/** What a start blocked by Restricted Mode rejects with (the server shows `needsTrust`). */
export class WorkspaceTrustRequiredError extends Error {
  constructor(readonly serverName: string) {
    super(`"${serverName}" is defined by the workspace and does not start in Restricted Mode. Trust the workspace to start it.`);
    this.name = 'WorkspaceTrustRequiredError';
  }
}
