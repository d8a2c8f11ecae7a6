import { type Node, type ParseError, findNodeAtLocation, parse, parseTree, printParseErrorCode } from 'jsonc-parser';
import { type ServerId, type ServerSource, isWorkspaceDefined, makeServerId, secretScope, sourceKey, usesVariables } from '../serverId';
import type { InputDefinition, ServerConfig, Transport } from './types';
import { KNOWN_VARIABLES, findVariables } from './variables';
import { checkServerUrl } from './addServer';
import { findPlaintextSecrets, findSecretsInArgs } from './secretsInArgs';

/**
 * Parsing of server configuration: `.vscode/mcp.json` / user `mcp.json` text (JSONC) and the `mcpManager.servers` /
 * `mcpManager.inputs` setting values; the portable files (`.mcp.json`, the Copilot user file) are read by the same
 * entry parser (src/common/config/portable.ts). Pure: never throws on any input, reports every problem with a reason
 * and, for files, a line/column range.
 */

export interface TextPosition { readonly line: number; readonly character: number }
export interface TextRange { readonly start: TextPosition; readonly end: TextPosition }

export interface ConfigDiagnostic {
  readonly severity: 'error' | 'warning';
  readonly message: string;
  /** Where in the file (absent for settings, which have no text we read). */
  readonly range?: TextRange;
  /** The server the diagnostic is about, if any. */
  readonly serverName?: string;
  /** What kind of finding it is, where a Quick Fix acts on it. */
  readonly code?: typeof PLAINTEXT_SECRET_CODE;
}

/** The code of the warning on a plaintext secret in a literal source (its Quick Fix: Move Secrets to SecretStorage...). */
export const PLAINTEXT_SECRET_CODE = 'plaintextSecret';

/** One entry of `servers`, valid or not. */
export interface ParsedEntry {
  readonly id: ServerId;
  readonly name: string;
  /** Set when the entry is valid. */
  readonly config?: ServerConfig;
  /** Known when the type was given or could be inferred, even if the entry is otherwise invalid. */
  readonly transport?: Transport;
  /** Why the entry cannot be used (the first problem). */
  readonly error?: string;
  readonly warnings: readonly string[];
}

export interface ParsedSource {
  readonly source: ServerSource;
  /** Absolute path of the file, for file sources. */
  readonly file?: string;
  readonly entries: readonly ParsedEntry[];
  readonly inputs: readonly InputDefinition[];
  readonly diagnostics: readonly ConfigDiagnostic[];
  /** Set when the file as a whole is unusable (syntax error, not an object): no entries were taken from it. */
  readonly fileError?: string;
}

export const JSONC_OPTIONS = { allowTrailingComma: true, disallowComments: false, allowEmptyContent: true } as const;

export type JsonPath = (string | number)[];
/** Locates a JSON path: the range of the value, or (keyOnly) of the property key. Undefined for settings. */
export type Locator = (path: JsonPath, keyOnly?: boolean) => TextRange | undefined;

/** A JSONC text read: its value and a locator, or its syntax errors (as diagnostics and the file's one-line reason). */
export type JsoncText =
  | { readonly ok: true; readonly value: unknown; readonly locate: Locator }
  | { readonly ok: false; readonly diagnostics: readonly ConfigDiagnostic[]; readonly fileError: string };

/** Reads a JSONC text (comments and trailing commas allowed) with positions for every path in it. */
export function readJsoncText(text: string): JsoncText {
  const errors: ParseError[] = [];
  const value: unknown = parse(text, errors, JSONC_OPTIONS);
  const lines = lineStarts(text);
  const rangeOf = (offset: number, length: number): TextRange => ({ start: offsetToPosition(lines, offset), end: offsetToPosition(lines, offset + length) });
  if (errors.length) {
    const diagnostics = errors.map((e): ConfigDiagnostic => ({ severity: 'error', message: `Syntax error: ${describeParseError(e)}`, range: rangeOf(e.offset, Math.max(e.length, 1)) }));
    const first = errors[0];
    const at = offsetToPosition(lines, first.offset);
    return { ok: false, diagnostics, fileError: `Syntax error at line ${at.line + 1}, column ${at.character + 1}: ${describeParseError(first)}` };
  }
  const root = parseTree(text, undefined, JSONC_OPTIONS);
  const locate: Locator = (path, keyOnly) => {
    if (!root) return undefined;
    // Walk up to the deepest existing node, so a missing property points at its parent.
    for (let p = path; ; p = p.slice(0, -1)) {
      const node = findNodeAtLocation(root, p);
      if (node) {
        const target: Node = keyOnly && p.length === path.length && node.parent?.type === 'property' ? node.parent.children![0] : node;
        return rangeOf(target.offset, target.length);
      }
      if (p.length === 0) return undefined;
    }
  };
  return { ok: true, value, locate };
}

/**
 * A configuration file down to its root object: a syntax error, an empty file and a root that is not an object
 * (`notAnObject` says what it must be) are answered here; `parseRoot` reads the object.
 */
export function parseFileObject(
  text: string, source: ServerSource, file: string | undefined, notAnObject: string,
  parseRoot: (root: Record<string, unknown>, locate: Locator) => ParsedSource,
): ParsedSource {
  const read = readJsoncText(text);
  if (!read.ok) return { source, file, entries: [], inputs: [], diagnostics: read.diagnostics, fileError: read.fileError };
  if (read.value === undefined) return { source, file, entries: [], inputs: [], diagnostics: [] };
  return isObject(read.value) ? parseRoot(read.value, read.locate) : unusableFile(source, file, notAnObject, read.locate([]));
}

/** A file none of whose servers can be taken: its one error, at `range`. */
export function unusableFile(source: ServerSource, file: string | undefined, reason: string, range: TextRange | undefined): ParsedSource {
  return { source, file, entries: [], inputs: [], diagnostics: [{ severity: 'error', message: reason, range }], fileError: reason };
}

/** Parses the text of an mcp.json file (VS Code's format). */
export function parseMcpJsonText(text: string, source: ServerSource, file?: string): ParsedSource {
  return parseFileObject(text, source, file, 'The file must contain a JSON object with a "servers" property.', (value, locate) => parseMcpJsonObject(value, locate, source, file));
}

function parseMcpJsonObject(value: Record<string, unknown>, locate: Locator, source: ServerSource, file: string | undefined): ParsedSource {
  const diagnostics: ConfigDiagnostic[] = [];
  if (value['servers'] !== undefined && !isObject(value['servers'])) {
    return unusableFile(source, file, '"servers" must be an object mapping server names to their configuration.', locate(['servers']));
  }
  if (value['servers'] === undefined && isObject(value['mcpServers'])) {
    diagnostics.push({ severity: 'warning', message: '"mcpServers" is the Claude Desktop / Cursor format; VS Code and MCP Manager read "servers". Use "Import Servers..." to convert.', range: locate(['mcpServers'], true) });
  }
  const result = parseServersAndInputs(value['servers'], value['inputs'], source, file, locate, ['servers'], ['inputs']);
  return { ...result, diagnostics: [...diagnostics, ...result.diagnostics] };
}

/** Parses `mcpManager.servers` / `mcpManager.inputs` values of one settings scope. */
export function parseSettingsValues(servers: unknown, inputs: unknown, source: ServerSource): ParsedSource {
  const diagnostics: ConfigDiagnostic[] = [];
  let serversValue = servers;
  if (servers !== undefined && servers !== null && !isObject(servers)) {
    diagnostics.push({ severity: 'error', message: 'mcpManager.servers must be an object mapping server names to their configuration.' });
    serversValue = undefined;
  }
  const result = parseServersAndInputs(serversValue ?? undefined, inputs ?? undefined, source, undefined, () => undefined, [], []);
  return { ...result, diagnostics: [...diagnostics, ...result.diagnostics] };
}

/** The entries of a `servers` map (and its `inputs`), each problem located under `serversPath` / `inputsPath`. */
export function parseServersAndInputs(
  servers: unknown, inputsValue: unknown, source: ServerSource, file: string | undefined, locate: Locator,
  serversPath: JsonPath, inputsPath: JsonPath,
): ParsedSource {
  const diagnostics: ConfigDiagnostic[] = [];
  const inputs = parseInputs(inputsValue, (message, path, severity = 'error') => diagnostics.push({ severity, message, range: locate([...inputsPath, ...path]) }));
  const entries: ParsedEntry[] = [];
  if (isObject(servers)) {
    for (const [name, raw] of Object.entries(servers)) {
      const report: Report = (severity, message, path, keyOnly = false, code) =>
        diagnostics.push({ severity, message, range: locate([...serversPath, name, ...path], keyOnly), serverName: name, ...(code ? { code } : {}) });
      entries.push(parseEntry(name, raw, source, inputs, report));
    }
  }
  return { source, file, entries, inputs, diagnostics };
}

type Report = (severity: 'error' | 'warning', message: string, path: JsonPath, keyOnly?: boolean, code?: typeof PLAINTEXT_SECRET_CODE) => void;

class EntryProblem extends Error {
  constructor(message: string, readonly path: JsonPath, readonly keyOnly = false) { super(message); }
}

const TYPES: readonly Transport[] = ['stdio', 'http', 'sse'];

/**
 * The `type` values of the portable format (`.mcp.json`, the Copilot user file, Claude Desktop, Cursor) beyond
 * VS Code's own: `local` is stdio (Copilot), `streamable-http` / `streamableHttp` are http.
 */
export const PORTABLE_TYPE_ALIASES: Readonly<Record<string, Transport>> = { local: 'stdio', 'streamable-http': 'http', streamableHttp: 'http' };

/** The file name a literal source's messages use. */
function literalFileName(source: ServerSource): string {
  return source.kind === 'copilotMcpConfig' ? 'mcp-config.json' : '.mcp.json';
}

/** The message of the warning on a plaintext secret in a literal source (on the value's range). */
export function plaintextSecretMessage(source: ServerSource): string {
  return `Plaintext secret in ${literalFileName(source)}: move it to SecretStorage (Quick Fix)`;
}

/**
 * Validates one server entry; the first problem makes it unusable. In a literal source (usesVariables false: the
 * portable files) `${…}` is text, not a variable, the portable `type` aliases are accepted, and every secret-named env
 * or header value is a plaintext secret (a warning with a Quick Fix).
 */
export function parseEntry(name: string, raw: unknown, source: ServerSource, inputs: readonly InputDefinition[], report: Report): ParsedEntry {
  const id = makeServerId(source, name);
  const literal = !usesVariables(source);
  let transport: Transport | undefined;
  try {
    if (!name.trim()) throw new EntryProblem('A server name must not be empty.', [], true);
    if (!isObject(raw)) throw new EntryProblem(`Server "${name}" must be an object with "command" (stdio) or "url" (http, sse).`, []);
    const type = raw['type'];
    const alias = literal && typeof type === 'string' && Object.hasOwn(PORTABLE_TYPE_ALIASES, type) ? PORTABLE_TYPE_ALIASES[type] : undefined;
    if (type === undefined) {
      if (raw['command'] !== undefined) transport = 'stdio';
      else if (raw['url'] !== undefined) transport = 'http';
      else throw new EntryProblem(`Server "${name}" needs "command" (a local stdio server) or "url" (a remote http/sse server).`, [], true);
    } else if (alias) {
      transport = alias;
    } else if (typeof type === 'string' && (TYPES as readonly string[]).includes(type)) {
      transport = type as Transport;
    } else {
      throw new EntryProblem(`Server "${name}" has unknown type ${JSON.stringify(type)}; expected ${literal ? '"local", ' : ''}"stdio", "http" or "sse".`, ['type']);
    }
    const config = transport === 'stdio' ? parseStdio(name, raw) : parseRemote(name, raw, transport, literal);
    if (!literal) checkVariables(name, config, inputs);
    const warnings: string[] = [];
    if (literal) {
      for (const secret of findPlaintextSecrets(config, true)) {
        warnings.push(`Server "${name}": "${secret.field}.${secret.key}" is a plaintext secret in ${literalFileName(source)}; its Quick Fix (Move Secrets to SecretStorage...) moves it to SecretStorage.`);
        report('warning', plaintextSecretMessage(source), [secret.field, secret.key], false, PLAINTEXT_SECRET_CODE);
      }
    }
    if (config.type === 'stdio') {
      for (const finding of findSecretsInArgs(config.args, inputs)) {
        const message = `Server "${name}": argument ${finding.index + 1} ${finding.reason}. Arguments are visible in process lists and logs; pass secrets in "env" instead.`;
        warnings.push(message);
        report('warning', message, ['args', finding.index]);
      }
    }
    return { id, name, config, transport, warnings };
  } catch (err) {
    if (!(err instanceof EntryProblem)) throw err;
    report('error', err.message, err.path, err.keyOnly);
    return { id, name, ...(transport ? { transport } : {}), error: err.message, warnings: [] };
  }
}

function parseStdio(name: string, raw: Record<string, unknown>): ServerConfig {
  const command = raw['command'];
  if (command === undefined) throw new EntryProblem(`Server "${name}" (stdio) is missing "command".`, [], true);
  if (typeof command !== 'string' || !command.trim()) throw new EntryProblem(`Server "${name}": "command" must be a non-empty string.`, ['command']);
  const args = optionalStringArray(name, raw, 'args');
  const env = optionalRecord(name, raw, 'env', true);
  const envFile = optionalString(name, raw, 'envFile');
  const cwd = optionalString(name, raw, 'cwd');
  return { type: 'stdio', command, args, env, ...(envFile !== undefined ? { envFile } : {}), ...(cwd !== undefined ? { cwd } : {}) };
}

function parseRemote(name: string, raw: Record<string, unknown>, type: 'http' | 'sse', literal: boolean): ServerConfig {
  const url = raw['url'];
  if (url === undefined) throw new EntryProblem(`Server "${name}" (${type}) is missing "url".`, [], true);
  if (typeof url !== 'string' || !url.trim()) throw new EntryProblem(`Server "${name}": "url" must be a non-empty string.`, ['url']);
  // A URL with variables is checked once they are substituted (resolveDefinition); a literal one now.
  const problem = url.includes('${') && !literal ? undefined : checkServerUrl(url);
  if (problem) throw new EntryProblem(`Server "${name}": "url" cannot be used. ${problem}`, ['url']);
  const headers = optionalRecord(name, raw, 'headers', false) as Record<string, string>;
  return { type, url, headers };
}

function optionalString(name: string, raw: Record<string, unknown>, key: string): string | undefined {
  const v = raw[key];
  if (v === undefined) return undefined;
  if (typeof v !== 'string') throw new EntryProblem(`Server "${name}": "${key}" must be a string.`, [key]);
  return v;
}

function optionalStringArray(name: string, raw: Record<string, unknown>, key: string): string[] {
  const v = raw[key];
  if (v === undefined) return [];
  if (!Array.isArray(v)) throw new EntryProblem(`Server "${name}": "${key}" must be an array of strings.`, [key]);
  return v.map((item, i) => {
    if (typeof item === 'string') return item;
    if (typeof item === 'number' || typeof item === 'boolean') return String(item);
    throw new EntryProblem(`Server "${name}": "${key}[${i}]" must be a string.`, [key, i]);
  });
}

function optionalRecord(name: string, raw: Record<string, unknown>, key: string, allowNull: boolean): Record<string, string | null> {
  const v = raw[key];
  if (v === undefined) return {};
  if (!isObject(v)) throw new EntryProblem(`Server "${name}": "${key}" must be an object of ${allowNull ? 'strings (or null)' : 'strings'}.`, [key]);
  const out: Record<string, string | null> = {};
  for (const [k, item] of Object.entries(v)) {
    if (typeof item === 'string') out[k] = item;
    else if (typeof item === 'number' || typeof item === 'boolean') out[k] = String(item);
    else if (item === null && allowNull) out[k] = null;
    else throw new EntryProblem(`Server "${name}": "${key}.${k}" must be a string${allowNull ? ' or null' : ''}.`, [key, k]);
  }
  return out;
}

/** Every `${…}` must be a known variable, and every `${input:id}` an input of the same source. */
function checkVariables(name: string, config: ServerConfig, inputs: readonly InputDefinition[]): void {
  const ids = new Set(inputs.map((i) => i.id));
  const check = (value: string, path: JsonPath) => {
    for (const v of findVariables(value)) {
      if (v.kind === 'unknown') throw new EntryProblem(`Server "${name}": unknown variable \${${v.raw}}. Supported: ${KNOWN_VARIABLES.join(', ')}.`, path);
      if (v.kind === 'input' && !ids.has(v.arg)) throw new EntryProblem(`Server "${name}": unknown input "${v.arg}"; define it in "inputs".`, path);
    }
  };
  if (config.type === 'stdio') {
    check(config.command, ['command']);
    config.args.forEach((a, i) => check(a, ['args', i]));
    for (const [k, v] of Object.entries(config.env)) if (v !== null) check(v, ['env', k]);
    if (config.envFile !== undefined) check(config.envFile, ['envFile']);
    if (config.cwd !== undefined) check(config.cwd, ['cwd']);
  } else {
    check(config.url, ['url']);
    for (const [k, v] of Object.entries(config.headers)) check(v, ['headers', k]);
  }
}

/** Parses `inputs`; invalid items are reported and skipped. */
export function parseInputs(value: unknown, report: (message: string, path: JsonPath, severity?: 'error' | 'warning') => void): InputDefinition[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) { report('"inputs" must be an array.', []); return []; }
  const out: InputDefinition[] = [];
  const seen = new Set<string>();
  value.forEach((raw: unknown, i) => {
    if (!isObject(raw)) { report(`inputs[${i}] must be an object.`, [i]); return; }
    const { type, id, description } = raw;
    if (typeof id !== 'string' || !id.trim()) { report(`inputs[${i}] needs a non-empty string "id".`, [i]); return; }
    if (description !== undefined && typeof description !== 'string') { report(`Input "${id}": "description" must be a string.`, [i, 'description']); return; }
    const def = raw['default'];
    if (def !== undefined && typeof def !== 'string') { report(`Input "${id}": "default" must be a string.`, [i, 'default']); return; }
    const common = { id, ...(description !== undefined ? { description } : {}), ...(def !== undefined ? { default: def } : {}) };
    if (type === 'promptString') {
      const password = raw['password'];
      if (password !== undefined && typeof password !== 'boolean') { report(`Input "${id}": "password" must be true or false.`, [i, 'password']); return; }
      if (seen.has(id)) report(`Input "${id}" is defined more than once; the first definition is used.`, [i, 'id'], 'warning');
      else out.push({ type: 'promptString', ...common, ...(password !== undefined ? { password } : {}) });
    } else if (type === 'pickString') {
      const options = raw['options'];
      if (!Array.isArray(options) || options.length === 0 || !options.every((o) => typeof o === 'string')) {
        report(`Input "${id}": "options" must be a non-empty array of strings.`, [i, 'options']); return;
      }
      if (seen.has(id)) report(`Input "${id}" is defined more than once; the first definition is used.`, [i, 'id'], 'warning');
      else out.push({ type: 'pickString', ...common, options: options });
    } else {
      report(`Input "${id}" has unsupported type ${JSON.stringify(type)}; expected "promptString" or "pickString".`, [i, 'type']);
      return;
    }
    seen.add(id);
  });
  return out;
}

/**
 * The SecretStorage id of a password input: `<secretScope>/<inputId>` (purpose 'input', src/common/secretKeys.ts), so a
 * workspace's values are its own (`workspace:app@ws-1a2b…/token`), never another checkout's that shares the name.
 */
export function inputSecretId(source: ServerSource, inputId: string): string {
  return `${secretScope(source)}/${inputId}`;
}

/**
 * The id a workspace source's password input had before ids carried the owner (`workspace:app/token`): any workspace
 * of that name could read it, so its value is offered only after the user agrees (InputValues). Undefined for user
 * sources, whose ids did not change.
 */
export function legacyInputSecretId(source: ServerSource, inputId: string): string | undefined {
  // The literal sources came after owners (and have no inputs): nothing of theirs was ever stored owner-less.
  return isWorkspaceDefined(source) && usesVariables(source) ? `${sourceKey(source)}/${inputId}` : undefined;
}

function describeParseError(e: ParseError): string {
  const code = printParseErrorCode(e.error);
  return code.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();
}

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 13 /* \r */) { if (text.charCodeAt(i + 1) === 10) i++; starts.push(i + 1); }
    else if (c === 10 /* \n */) starts.push(i + 1);
  }
  return starts;
}

function offsetToPosition(starts: readonly number[], offset: number): TextPosition {
  let lo = 0; let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid] <= offset) lo = mid; else hi = mid - 1;
  }
  return { line: lo, character: offset - starts[lo] };
}
