import * as path from 'node:path';
import { type FormattingOptions, type ParseError, applyEdits, modify, parse } from 'jsonc-parser';
import { UserFacingError } from '../errors';
import { JSONC_OPTIONS, PORTABLE_TYPE_ALIASES, isObject } from './parse';
import { findPlaintextSecrets, findSecretsInArgs } from './secretsInArgs';
import type { InputDefinition, PromptStringInput, ServerConfig } from './types';

/**
 * Import of servers from other MCP clients (Claude Desktop, Cursor, the Copilot user file, a folder's `.mcp.json`: the
 * `mcpServers` format) into VS Code's format, with plaintext secrets moved out of the file into SecretStorage behind
 * `${input:…}` password inputs. Pure. The way back, Export Server..., is in exporters.ts.
 */

export type ImportApp = 'claude' | 'cursor' | 'copilot' | 'mcpJson';

export interface ImportLocation {
  readonly app: ImportApp;
  /** For pickers: "Claude Desktop", "Cursor (user)", "Copilot (user)", "Cursor (folder web)", ".mcp.json (folder web)". */
  readonly label: string;
  readonly path: string;
}

/**
 * Where Claude Desktop, Cursor and Copilot keep their server lists on this platform, then each folder's Cursor file and
 * `.mcp.json` (files may not exist).
 */
export function importLocations(
  platform: NodeJS.Platform, home: string, env: Readonly<Record<string, string | undefined>>,
  folders: readonly { name: string; path: string }[] = [],
): ImportLocation[] {
  const p = platform === 'win32' ? path.win32 : path.posix;
  let claudeDir: string;
  if (platform === 'darwin') claudeDir = p.join(home, 'Library', 'Application Support', 'Claude');
  else if (platform === 'win32') claudeDir = p.join(env['APPDATA'] || p.join(home, 'AppData', 'Roaming'), 'Claude');
  else claudeDir = p.join(env['XDG_CONFIG_HOME'] || p.join(home, '.config'), 'Claude');
  return [
    { app: 'claude', label: 'Claude Desktop', path: p.join(claudeDir, 'claude_desktop_config.json') },
    { app: 'cursor', label: 'Cursor (user)', path: p.join(home, '.cursor', 'mcp.json') },
    { app: 'copilot', label: 'Copilot (user)', path: copilotMcpConfigPath(platform, home, env) },
    ...folders.flatMap((f): ImportLocation[] => [
      { app: 'cursor', label: `Cursor (folder ${f.name})`, path: p.join(f.path, '.cursor', 'mcp.json') },
      { app: 'mcpJson', label: `${ROOT_MCP_JSON} (folder ${f.name})`, path: p.join(f.path, ROOT_MCP_JSON) },
    ]),
  ];
}

/** The portable project file at a workspace folder's root (VS Code 1.140's MCP: Add Server, Claude Code): `mcpServers` or a bare map. */
export const ROOT_MCP_JSON = '.mcp.json';

/** The Copilot user-level server list (VS Code 1.140's user target, the Copilot CLI): `$COPILOT_HOME/mcp-config.json`, else `~/.copilot/mcp-config.json`. */
export function copilotMcpConfigPath(platform: NodeJS.Platform, home: string, env: Readonly<Record<string, string | undefined>>): string {
  const p = platform === 'win32' ? path.win32 : path.posix;
  return p.join(env['COPILOT_HOME'] || p.join(home, '.copilot'), 'mcp-config.json');
}

export interface ImportCandidate {
  readonly name: string;
  /** In VS Code's format, secrets still in place. */
  readonly config: ServerConfig;
  /** Where it comes from (a location label). */
  readonly from: string;
  /** The env or header keys whose values are secret, when the user said so (otherwise guessed from the key names). */
  readonly secretKeys?: readonly string[];
  /** From a literal source (the portable files): a `${…}` in a secret is part of it, not a reference. */
  readonly literal?: boolean;
}

/**
 * A `.mcp.json` may be a bare map of servers (no `mcpServers` around it): a root whose every value is an object with a
 * `command`, `url` or `type`. Another file's settings (Claude Desktop's `preferences`) never look like that.
 */
export function isBareServerMap(root: Record<string, unknown>): boolean {
  const values = Object.values(root);
  return root['mcpServers'] === undefined && values.length > 0
    && values.every((v) => isObject(v) && (typeof v['command'] === 'string' || typeof v['url'] === 'string' || typeof v['type'] === 'string'));
}

/**
 * Reads an `mcpServers` file (or a bare map of servers, as `.mcp.json` may be). Invalid entries are reported (by name,
 * never by value) and skipped; fields only another client reads (Copilot's `tools`) are ignored.
 */
export function parseImportFile(text: string, from: string): { candidates: ImportCandidate[]; errors: string[] } {
  const parseErrors: ParseError[] = [];
  const root: unknown = parse(text, parseErrors, JSONC_OPTIONS);
  if (parseErrors.length || !isObject(root)) return { candidates: [], errors: [`${from}: not a valid JSON object.`] };
  // Cursor, Claude and Copilot use "mcpServers"; accept VS Code's "servers" and the bare map too.
  const servers = root['mcpServers'] ?? root['servers'] ?? (isBareServerMap(root) ? root : undefined);
  if (servers === undefined) return { candidates: [], errors: [] };
  if (!isObject(servers)) return { candidates: [], errors: [`${from}: "mcpServers" must be an object.`] };
  const candidates: ImportCandidate[] = [];
  const errors: string[] = [];
  for (const [name, raw] of Object.entries(servers)) {
    const config = convertEntry(raw);
    if (typeof config === 'string') errors.push(`${from}: server "${name}" skipped: ${config}`);
    else candidates.push({ name, config, from });
  }
  return { candidates, errors };
}

const strings = (v: unknown): v is string[] => Array.isArray(v) && v.every((x) => typeof x === 'string');
const stringRecord = (v: unknown): v is Record<string, string> => isObject(v) && Object.values(v).every((x) => typeof x === 'string');

/** One `mcpServers` entry → VS Code format, or the reason it cannot be converted. */
export function convertEntry(raw: unknown): ServerConfig | string {
  if (!isObject(raw)) return 'not an object';
  const rawType = raw['type'];
  const type = typeof rawType === 'string' && Object.hasOwn(PORTABLE_TYPE_ALIASES, rawType) ? PORTABLE_TYPE_ALIASES[rawType] : rawType;
  if (typeof raw['command'] === 'string' && raw['command'] && (type === undefined || type === 'stdio')) {
    if (raw['args'] !== undefined && !strings(raw['args'])) return '"args" is not an array of strings';
    if (raw['env'] !== undefined && !stringRecord(raw['env'])) return '"env" is not an object of strings';
    const envFile = typeof raw['envFile'] === 'string' ? { envFile: raw['envFile'] } : {};
    const cwd = typeof raw['cwd'] === 'string' ? { cwd: raw['cwd'] } : {};
    return { type: 'stdio', command: raw['command'], args: (raw['args']) ?? [], env: (raw['env']) ?? {}, ...envFile, ...cwd };
  }
  const url = raw['url'] ?? raw['serverUrl'];
  if (typeof url === 'string' && url) {
    if (type !== undefined && type !== 'http' && type !== 'sse') return `unsupported type ${JSON.stringify(rawType)}`;
    if (raw['headers'] !== undefined && !stringRecord(raw['headers'])) return '"headers" is not an object of strings';
    return { type: type === 'sse' ? 'sse' : 'http', url, headers: (raw['headers']) ?? {} };
  }
  return typeof type === 'string' && type !== 'stdio' ? `unsupported type ${JSON.stringify(rawType)}` : 'needs "command" or "url"';
}

/** A server as it will be written: VS Code's JSON shape (empty fields left out). */
export function toVsCodeJson(config: ServerConfig): Record<string, unknown> {
  if (config.type === 'stdio') {
    return {
      type: 'stdio', command: config.command,
      ...(config.args.length ? { args: config.args } : {}),
      ...(Object.keys(config.env).length ? { env: config.env } : {}),
      ...(config.envFile !== undefined ? { envFile: config.envFile } : {}),
      ...(config.cwd !== undefined ? { cwd: config.cwd } : {}),
    };
  }
  return { type: config.type, url: config.url, ...(Object.keys(config.headers).length ? { headers: config.headers } : {}) };
}

export interface PreparedImport {
  readonly servers: readonly { readonly name: string; readonly originalName: string; readonly json: Record<string, unknown> }[];
  /** Inputs to add to the target: one password input per moved secret (an export also copies the inputs it uses). */
  readonly inputs: readonly InputDefinition[];
  /** Values to store in SecretStorage (purpose 'input', id `<target sourceKey>/<inputId>`). Never write these anywhere else. */
  readonly secrets: readonly { readonly inputId: string; readonly value: string }[];
  /** Safe to show and log (names only). */
  readonly notes: readonly string[];
}

const AUTH_SCHEME = /^(bearer|basic|token)\s+(\S.*)$/i;

/** `Bearer abc` → scheme `Bearer`, secret `abc`; a value without an authorization scheme is all secret. */
export function splitAuthScheme(value: string): { readonly scheme?: string; readonly secret: string } {
  const m = AUTH_SCHEME.exec(value);
  return m ? { scheme: m[1], secret: m[2] } : { secret: value };
}

/** A literal value: not empty and not a variable reference (nor containing one). */
export function isLiteralValue(value: string): boolean {
  return value.trim() !== '' && !value.includes('${');
}

/** The password input that takes the place of `key`'s secret in server `name` (its id not in `taken`, then taken). */
export function passwordInputFor(name: string, key: string, taken: Set<string>): PromptStringInput {
  const id = uniqueName(`${name}-${key}`.replace(/[^A-Za-z0-9_.-]/g, '_'), taken);
  taken.add(id);
  return { type: 'promptString', id, description: `${key} for MCP server "${name}" (stored in SecretStorage)`, password: true };
}

/** `Bearer <rest>`, or the rest alone when there was no scheme. */
export function withScheme(scheme: string | undefined, rest: string): string {
  return scheme ? `${scheme} ${rest}` : rest;
}

/** `base`, or the first of `base-2`, `base-3`… that is not taken. */
export function uniqueName(base: string, taken: ReadonlySet<string>): string {
  let name = base;
  for (let n = 2; taken.has(name); n++) name = `${base}-${n}`;
  return name;
}

/**
 * Chooses final names (a clash with the target gets a `-2`, `-3`… suffix), and moves every plaintext secret (env keys
 * or headers named like TOKEN, KEY, SECRET, PASSWORD, Authorization) into a password input.
 */
export function prepareImport(candidates: readonly ImportCandidate[], existingNames: Iterable<string>, existingInputIds: Iterable<string>): PreparedImport {
  const names = new Set(existingNames);
  const inputIds = new Set(existingInputIds);
  const unique = (base: string, taken: Set<string>) => {
    const name = uniqueName(base, taken);
    taken.add(name);
    return name;
  };
  const servers: { name: string; originalName: string; json: Record<string, unknown> }[] = [];
  const inputs: PromptStringInput[] = [];
  const secrets: { inputId: string; value: string }[] = [];
  const notes: string[] = [];
  for (const c of candidates) {
    const name = unique(c.name, names);
    if (name !== c.name) notes.push(`"${c.name}" is imported as "${name}" (the name is taken in the target).`);
    const moveSecret = (key: string, value: string): string => {
      const { scheme, secret } = splitAuthScheme(value);
      const input = passwordInputFor(name, key, inputIds);
      inputs.push(input);
      secrets.push({ inputId: input.id, value: secret });
      notes.push(`"${name}": ${key} moved to SecretStorage as input "${input.id}".`);
      return withScheme(scheme, `\${input:${input.id}}`);
    };
    let config: ServerConfig = c.config;
    const secretKeys = new Set(findPlaintextSecrets(config, c.literal ?? false, c.secretKeys).map((f) => f.key));
    if (config.type === 'stdio') {
      const env: Record<string, string | null> = {};
      for (const [k, v] of Object.entries(config.env)) env[k] = v !== null && secretKeys.has(k) ? moveSecret(k, v) : v;
      config = { ...config, env };
      for (const f of findSecretsInArgs(config.args, [])) notes.push(`"${name}": argument ${f.index + 1} ${f.reason}; consider moving it to "env".`);
    } else {
      const headers: Record<string, string> = {};
      for (const [k, v] of Object.entries(config.headers)) headers[k] = secretKeys.has(k) ? moveSecret(k, v) : v;
      config = { ...config, headers };
    }
    servers.push({ name, originalName: c.name, json: toVsCodeJson(config) });
  }
  return { servers, inputs, secrets, notes };
}

export const EMPTY_MCP_JSON_TEXT = '{\n\t"servers": {},\n\t"inputs": []\n}\n';

/** Inserts the prepared servers and inputs into mcp.json text, keeping comments and formatting. */
export function applyImportToMcpJson(text: string, prepared: PreparedImport): string {
  let out = text.trim() ? text : EMPTY_MCP_JSON_TEXT;
  const errors: ParseError[] = [];
  const root: unknown = parse(out, errors, JSONC_OPTIONS);
  if (errors.length || !isObject(root)) throw new UserFacingError('The target mcp.json has syntax errors; fix them first (see the Problems view).');
  if (root['servers'] !== undefined && !isObject(root['servers'])) throw new UserFacingError('The target mcp.json has a "servers" value that is not an object.');
  if (root['inputs'] !== undefined && !Array.isArray(root['inputs'])) throw new UserFacingError('The target mcp.json has an "inputs" value that is not an array.');
  const formattingOptions = detectFormatting(out);
  for (const s of prepared.servers) {
    out = applyEdits(out, modify(out, ['servers', s.name], s.json, { formattingOptions }));
  }
  if (prepared.inputs.length) {
    if (Array.isArray(root['inputs'])) {
      for (const input of prepared.inputs) out = applyEdits(out, modify(out, ['inputs', -1], input, { formattingOptions, isArrayInsertion: true }));
    } else {
      out = applyEdits(out, modify(out, ['inputs'], prepared.inputs, { formattingOptions }));
    }
  }
  return out;
}

/** The new `mcpManager.servers` / `mcpManager.inputs` values of one settings scope. */
export function applyImportToSettings(servers: unknown, inputs: unknown, prepared: PreparedImport): { servers: Record<string, unknown>; inputs: unknown[] } {
  const nextServers: Record<string, unknown> = { ...(isObject(servers) ? servers : {}) };
  for (const s of prepared.servers) nextServers[s.name] = s.json;
  return { servers: nextServers, inputs: [...(Array.isArray(inputs) ? (inputs as unknown[]) : []), ...prepared.inputs] };
}

export function detectFormatting(text: string): FormattingOptions {
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const indented = /^([ \t]+)\S/m.exec(text);
  if (!indented || indented[1].startsWith('\t')) return { insertSpaces: false, tabSize: 4, eol };
  return { insertSpaces: true, tabSize: indented[1].length, eol };
}
