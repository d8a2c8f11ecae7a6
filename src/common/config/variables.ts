import { createHash } from 'node:crypto';
import * as path from 'node:path';
import { parse as parseDotenv } from 'dotenv';
import { UserFacingError } from '../errors';
import { looksLikeSecretName } from '../redact';
import { isWorkspaceDefined, sourceFolder, usesVariables } from '../serverId';
import { checkServerUrl } from './addServer';
import type { InputDefinition, ResolvedLaunch, ServerConfig, ServerDefinition } from './types';

/**
 * Variable resolution, envFile merge and PATH ordering: turns a ServerDefinition into a ResolvedLaunch. Pure: files,
 * prompts and SecretStorage come in through the ResolveContext.
 */

export const KNOWN_VARIABLES = [
  '${workspaceFolder}', '${workspaceFolder:name}', '${userHome}', '${env:NAME}', '${pathSeparator}', '${/}', '${input:id}',
] as const;

export type VariableRef =
  | { readonly kind: 'workspaceFolder'; readonly raw: string; readonly arg?: string }
  | { readonly kind: 'userHome' | 'pathSeparator'; readonly raw: string }
  | { readonly kind: 'env' | 'input'; readonly raw: string; readonly arg: string }
  | { readonly kind: 'unknown'; readonly raw: string };

const VARIABLE = /\$\{([^{}]*)\}/g;

/** The `${…}` references in a string, classified. */
export function findVariables(value: string): VariableRef[] {
  const out: VariableRef[] = [];
  for (const m of value.matchAll(VARIABLE)) out.push(classify(m[1]));
  return out;
}

/** `value` with each `${…}` reference replaced by what `replace` returns for it. */
export function replaceVariables(value: string, replace: (ref: VariableRef) => string): string {
  return value.replace(VARIABLE, (_m, raw: string) => replace(classify(raw)));
}

/** The ids of the inputs a server entry uses (`${input:id}` in its command, args, env, envFile, cwd, url or headers). */
export function referencedInputs(config: ServerConfig): Set<string> {
  const strings = config.type === 'stdio'
    ? [config.command, ...config.args, ...Object.values(config.env), config.envFile, config.cwd]
    : [config.url, ...Object.values(config.headers)];
  return new Set(strings.flatMap((v) => (v ? findVariables(v) : [])).flatMap((r) => (r.kind === 'input' ? [r.arg] : [])));
}

function classify(raw: string): VariableRef {
  if (raw === 'workspaceFolder') return { kind: 'workspaceFolder', raw };
  if (raw === 'userHome') return { kind: 'userHome', raw };
  if (raw === 'pathSeparator' || raw === '/') return { kind: 'pathSeparator', raw };
  const colon = raw.indexOf(':');
  if (colon > 0) {
    const head = raw.slice(0, colon);
    const arg = raw.slice(colon + 1);
    if (arg) {
      if (head === 'workspaceFolder') return { kind: 'workspaceFolder', raw, arg };
      if (head === 'env') return { kind: 'env', raw, arg };
      if (head === 'input') return { kind: 'input', raw, arg };
    }
  }
  return { kind: 'unknown', raw };
}

/** A definition could not be resolved (unknown folder or input, unreadable envFile…). The message is safe to show. */
export class ConfigResolutionError extends UserFacingError {
  constructor(message: string) { super(message); this.name = 'ConfigResolutionError'; }
}

export interface WorkspaceFolderInfo { readonly name: string; readonly path: string }

export interface ResolveContext {
  readonly platform: NodeJS.Platform;
  readonly home: string;
  /** The inherited environment (the extension host's). */
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly folders: readonly WorkspaceFolderInfo[];
  /** Inputs of the definition's own source. */
  readonly inputs: readonly InputDefinition[];
  /** Asks for (or looks up) an input's value. May throw (UserCancelledError when the user cancels). */
  readonly getInput: (input: InputDefinition) => Promise<string>;
  /** Reads a text file (the envFile). */
  readonly readFile: (path: string) => Promise<string>;
  /** Called with every secret value met (password inputs, secret-named env/header values) before it is used. */
  readonly onSecret?: (value: string) => void;
  /** Called with warnings safe to log (they never contain values). */
  readonly onWarning?: (message: string) => void;
}

const pathApi = (platform: NodeJS.Platform) => (platform === 'win32' ? path.win32 : path.posix);

/**
 * The folder `${workspaceFolder}` names for a definition: its file's folder (.vscode/mcp.json, .mcp.json), else the
 * first folder. For a server of
 * the user's profile this is only ever used where the user wrote `${workspaceFolder}`; it is never a default.
 */
export function definingFolder(def: ServerDefinition, folders: readonly WorkspaceFolderInfo[]): WorkspaceFolderInfo | undefined {
  const name = sourceFolder(def.source);
  return (name !== undefined ? folders.find((f) => f.name === name) : undefined) ?? folders[0];
}

/**
 * Where relative paths (cwd, envFile) and the default working directory start: the defining folder for a
 * workspace-defined server; the user's home for a user-defined one, so a server the user trusts never runs in, or
 * loads code from, a workspace that may be untrusted (review C1) unless its definition says `${workspaceFolder}`.
 */
export function baseDirectory(def: ServerDefinition, folders: readonly WorkspaceFolderInfo[], home: string): string {
  return (isWorkspaceDefined(def.source) ? definingFolder(def, folders)?.path : undefined) ?? home;
}

/**
 * Resolves every variable of a definition, reads its envFile and builds the complete child environment. A definition
 * from a literal source (`.mcp.json`, the Copilot user file: usesVariables false) keeps every `${…}` as written.
 */
export async function resolveDefinition(def: ServerDefinition, ctx: ResolveContext): Promise<ResolvedLaunch> {
  const p = pathApi(ctx.platform);
  const folder = definingFolder(def, ctx.folders);
  const baseDir = baseDirectory(def, ctx.folders, ctx.home);
  const inputValues = new Map<string, string>();
  const passwordValues = new Set<string>();
  const literal = !usesVariables(def.source);

  /** `secret`: every `${env:…}`/`${input:…}` value substituted is registered as a secret, whatever the name. */
  const substitute = async (value: string, where: string, secret = false): Promise<string> => {
    const refs = literal ? [] : findVariables(value);
    if (refs.length === 0) return value;
    const values = new Map<string, string>();
    for (const ref of refs) {
      if (values.has(ref.raw)) continue;
      const resolved = await resolveRef(ref, where);
      if (secret && (ref.kind === 'env' || ref.kind === 'input')) registerSecret(resolved, ctx);
      values.set(ref.raw, resolved);
    }
    return value.replace(VARIABLE, (_m, raw: string) => values.get(raw) ?? '');
  };

  const resolveRef = async (ref: VariableRef, where: string): Promise<string> => {
    switch (ref.kind) {
      case 'workspaceFolder': {
        if (ref.arg === undefined) {
          if (!folder) throw new ConfigResolutionError(`Server "${def.name}": \${workspaceFolder} in ${where} needs an open workspace folder.`);
          return folder.path;
        }
        const named = ctx.folders.find((f) => f.name === ref.arg);
        if (!named) throw new ConfigResolutionError(`Server "${def.name}": no workspace folder named "${ref.arg}" (\${${ref.raw}} in ${where}).`);
        return named.path;
      }
      case 'userHome': return ctx.home;
      case 'pathSeparator': return p.sep;
      case 'env': return lookupEnv(ctx.env, ref.arg, ctx.platform) ?? '';
      case 'input': {
        const cached = inputValues.get(ref.arg);
        if (cached !== undefined) return cached;
        const input = ctx.inputs.find((i) => i.id === ref.arg);
        if (!input) throw new ConfigResolutionError(`Server "${def.name}": unknown input "${ref.arg}" (in ${where}).`);
        const value = await ctx.getInput(input);
        if (input.type === 'promptString' && input.password) { ctx.onSecret?.(value); passwordValues.add(value); }
        inputValues.set(ref.arg, value);
        return value;
      }
      case 'unknown': throw new ConfigResolutionError(`Server "${def.name}": unknown variable \${${ref.raw}} in ${where}.`);
    }
  };

  const config = def.config;
  if (config.type !== 'stdio') {
    // What a remote server is sent from the environment or inputs is a secret to the log, whatever the header name.
    const url = await substitute(config.url, 'url', true);
    const problem = checkServerUrl(url);
    if (problem) throw new ConfigResolutionError(`Server "${def.name}": the resolved "url" cannot be used. ${problem}`);
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(config.headers)) {
      const resolved = await substitute(v, `headers.${k}`, true);
      if (looksLikeSecretName(k)) registerSecret(resolved, ctx);
      headers[k] = resolved;
    }
    return { type: config.type, url, headers };
  }

  const command = expandHome(await substitute(config.command, 'command'), ctx.home, p);
  const args: string[] = [];
  for (const [i, a] of config.args.entries()) args.push(await substitute(a, `args[${i}]`));
  if (passwordValues.size && args.some((a) => [...passwordValues].some((s) => a.includes(s)))) {
    ctx.onWarning?.(`Server "${def.name}": a password input is passed in "args", where process lists and logs can show it; pass it in "env" instead.`);
  }
  const cwdRaw = config.cwd !== undefined ? await substitute(config.cwd, 'cwd') : undefined;
  const cwd = cwdRaw ? absolutize(cwdRaw, baseDir, ctx.home, p) : baseDir;

  let fileVars: Record<string, string> = {};
  let envFileInfo: { path: string; names: string[]; digest: string } | undefined;
  if (config.envFile !== undefined) {
    const envFile = absolutize(await substitute(config.envFile, 'envFile'), baseDir, ctx.home, p);
    let text: string;
    try { text = await ctx.readFile(envFile); } catch { throw new ConfigResolutionError(`Server "${def.name}": cannot read envFile "${envFile}".`); }
    fileVars = parseDotenv(text);
    envFileInfo = { path: envFile, names: Object.keys(fileVars), digest: createHash('sha256').update(text).digest('hex') };
    for (const [k, v] of Object.entries(fileVars)) if (looksLikeSecretName(k)) registerSecret(v, ctx);
  }
  const env: Record<string, string | null> = {};
  for (const [k, v] of Object.entries(config.env)) {
    if (v === null) { env[k] = null; continue; }
    const resolved = await substitute(v, `env.${k}`);
    if (looksLikeSecretName(k)) registerSecret(resolved, ctx);
    env[k] = resolved;
  }
  return { type: 'stdio', command, args, cwd, env: mergeEnvironment(inheritableEnvironment(ctx.env), fileVars, env, ctx.platform), ...(envFileInfo ? { envFile: envFileInfo } : {}) };
}

function registerSecret(value: string, ctx: ResolveContext): void {
  for (const form of secretForms(value)) ctx.onSecret?.(form);
}

/** What a secret value is masked as: itself and, for an Authorization-style value (`Bearer x`), its bare credential. */
export function secretForms(value: string): string[] {
  const bare = value.replace(/^(bearer|basic|token)\s+/i, '');
  return bare !== value ? [value, bare] : [value];
}

/** A variable of an environment; on Windows names are case-insensitive (`Path` is `PATH`). */
export function lookupEnv(env: Readonly<Record<string, string | undefined>>, name: string, platform: NodeJS.Platform): string | undefined {
  if (platform !== 'win32') return env[name];
  const key = Object.keys(env).find((k) => k.toLowerCase() === name.toLowerCase());
  return key === undefined ? undefined : env[key];
}

/** `~` and `~/x` → home; relative → against base. */
export function absolutize(value: string, base: string, home: string, p: path.PlatformPath = path): string {
  const expanded = expandHome(value, home, p);
  return p.isAbsolute(expanded) ? p.normalize(expanded) : p.resolve(base, expanded);
}

function expandHome(value: string, home: string, p: path.PlatformPath): string {
  if (value === '~') return home;
  if (value.startsWith('~/') || (p === path.win32 && value.startsWith('~\\'))) return p.join(home, value.slice(2));
  return value;
}

/**
 * The part of the extension host's environment a server inherits: everything but VS Code's and Electron's internals
 * (`ELECTRON_*`, `VSCODE_*` but `VSCODE_PORTABLE`), as VS Code's own terminals do (`sanitizeProcessEnvironment`): with
 * `VSCODE_GIT_ASKPASS_*` or `VSCODE_IPC_HOOK_CLI` a child could ask the editor for Git credentials or open files
 * (review L3). A server's `env` may still set any of them on purpose.
 */
export function inheritableEnvironment(env: Readonly<Record<string, string | undefined>>): Record<string, string | undefined> {
  return Object.fromEntries(Object.entries(env).filter(([k]) => !/^(ELECTRON_.|VSCODE_(?!PORTABLE$).)/i.test(k)));
}

/**
 * The child's environment: the inherited one, then the envFile's variables, then `env` (null removes). PATH is
 * special: entries from `env.PATH` come first, then the envFile's, then the inherited PATH, without duplicates. On
 * Windows, names are case-insensitive (`Path` and `PATH` are one variable).
 */
export function mergeEnvironment(
  inherited: Readonly<Record<string, string | undefined>>,
  fileVars: Readonly<Record<string, string>>,
  configEnv: Readonly<Record<string, string | null>>,
  platform: NodeJS.Platform,
): Record<string, string> {
  const win = platform === 'win32';
  const norm = (k: string) => (win ? k.toUpperCase() : k);
  const out = new Map<string, { key: string; value: string }>();
  for (const [k, v] of Object.entries(inherited)) if (v !== undefined) out.set(norm(k), { key: k, value: v });
  const inheritedPath = out.get(norm('PATH'))?.value;
  const set = (k: string, v: string | null) => {
    const existing = out.get(norm(k));
    if (v === null) out.delete(norm(k));
    else out.set(norm(k), { key: existing?.key ?? k, value: v });
  };
  const pathKey = (k: string) => norm(k) === norm('PATH');
  for (const [k, v] of Object.entries(fileVars)) if (!pathKey(k)) set(k, v);
  for (const [k, v] of Object.entries(configEnv)) if (!pathKey(k)) set(k, v);

  const configPath = Object.entries(configEnv).find(([k]) => pathKey(k));
  const filePath = Object.entries(fileVars).find(([k]) => pathKey(k));
  if (configPath && configPath[1] === null) {
    out.delete(norm('PATH'));
  } else if (configPath || filePath) {
    const delimiter = win ? ';' : ':';
    const parts = [configPath?.[1], filePath?.[1], inheritedPath].flatMap((v) => (v ? v.split(delimiter) : []));
    const seen = new Set<string>();
    const ordered = parts.filter((e) => {
      const key = win ? e.toLowerCase() : e;
      if (!e || seen.has(key)) return false;
      seen.add(key);
      return true;
    });
    set(configPath?.[0] ?? filePath?.[0] ?? 'PATH', ordered.join(delimiter));
  }
  const result: Record<string, string> = {};
  for (const { key, value } of out.values()) result[key] = value;
  return result;
}
