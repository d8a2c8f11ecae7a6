import * as path from 'node:path';
import { type ParseError, applyEdits, modify, parse } from 'jsonc-parser';
import { UserFacingError } from '../errors';
import { looksLikeSecretName } from '../redact';
import {
  ROOT_MCP_JSON, applyImportToMcpJson, detectFormatting, importLocations, isBareServerMap, isLiteralValue, passwordInputFor, splitAuthScheme,
  toVsCodeJson, uniqueName, withScheme,
} from './importers';
import { JSONC_OPTIONS, isObject, parseMcpJsonText } from './parse';
import { findSecretsInArgs, looksLikeAccessToken } from './secretsInArgs';
import type { InputDefinition, ServerConfig } from './types';
import { type VariableRef, type WorkspaceFolderInfo, replaceVariables } from './variables';

/**
 * Export Server...: one server's unresolved definition written into another client's file — a folder's `.mcp.json`
 * or `.vscode/mcp.json`, the Copilot user file, Claude Desktop's or Cursor's — with comment-preserving edits. No
 * secret is ever written: what stands in its place depends on what the target can hold (an input reference, an
 * `${env:…}` the target expands, or an empty value), and every such decision is a note. Pure; the prompts and file
 * access live in src/commands/exportCommands.ts. The way in is importers.ts.
 */

export type ExportTargetKind = 'mcpJson' | 'vscode' | 'copilot' | 'claude' | 'cursor';

export interface ExportTarget {
  readonly kind: ExportTargetKind;
  /** For pickers and messages: "web/.mcp.json", "Copilot (user)", "Claude Desktop". */
  readonly label: string;
  readonly path: string;
  /** The workspace folder of a `.mcp.json` / `.vscode/mcp.json` target. */
  readonly folder?: WorkspaceFolderInfo;
}

/** What each target's readers understand. */
export interface ExportTraits {
  /** The target in notes ("Claude Desktop cannot …"). */
  readonly name: string;
  /** The variables its reader expands: VS Code's (and inputs), Cursor's (`${env:…}`, `${userHome}`, `${workspaceFolder}`, `${/}`), or none. */
  readonly variables: 'vscode' | 'cursor' | 'none';
  /** Whether it can hold remote (http/sse) servers. */
  readonly remote: boolean;
  /** Whether it has a working-directory field, and an env file field. */
  readonly cwd: boolean;
  readonly envFile: boolean;
}

export const EXPORT_TRAITS: Readonly<Record<ExportTargetKind, ExportTraits>> = {
  mcpJson: { name: ROOT_MCP_JSON, variables: 'none', remote: true, cwd: true, envFile: false },
  vscode: { name: '.vscode/mcp.json', variables: 'vscode', remote: true, cwd: true, envFile: true },
  copilot: { name: 'the Copilot user file', variables: 'none', remote: true, cwd: false, envFile: false },
  // Claude Desktop reads only local servers from its file; remote ones are added in the app (Settings → Connectors).
  claude: { name: 'Claude Desktop', variables: 'none', remote: false, cwd: false, envFile: false },
  cursor: { name: 'Cursor', variables: 'cursor', remote: true, cwd: false, envFile: true },
};

/** Every place a server can be exported to: each folder's `.mcp.json` and `.vscode/mcp.json`, then the user-level files. */
export function exportTargets(
  platform: NodeJS.Platform, home: string, env: Readonly<Record<string, string | undefined>>, folders: readonly WorkspaceFolderInfo[] = [],
): ExportTarget[] {
  const p = platform === 'win32' ? path.win32 : path.posix;
  return [
    ...folders.flatMap((folder): ExportTarget[] => [
      { kind: 'mcpJson', label: `${folder.name}/${ROOT_MCP_JSON}`, path: p.join(folder.path, ROOT_MCP_JSON), folder },
      { kind: 'vscode', label: `${folder.name}/.vscode/mcp.json`, path: p.join(folder.path, '.vscode', 'mcp.json'), folder },
    ]),
    // Claude Desktop, Cursor (user) and Copilot (user): the same files Import Servers... reads.
    ...importLocations(platform, home, env).map((l): ExportTarget => ({ kind: l.app, label: l.label, path: l.path })),
  ];
}

/** The server to export: its definition as written (variables unresolved), the inputs of its source, its name. */
export interface ExportSource {
  readonly name: string;
  readonly config: ServerConfig;
  readonly inputs: readonly InputDefinition[];
}

export interface ExportContext {
  readonly platform: NodeJS.Platform;
  readonly home: string;
  readonly folders: readonly WorkspaceFolderInfo[];
  /** What `${workspaceFolder}` stands for where the server is defined now (for user-level targets without variables). */
  readonly workspaceFolder?: WorkspaceFolderInfo;
}

export interface PreparedExport {
  readonly name: string;
  /** The entry in the target's format. */
  readonly json: Record<string, unknown>;
  /** Inputs to add to a `.vscode/mcp.json` target (definitions only: no value is ever copied). */
  readonly inputs: readonly InputDefinition[];
  /** What was written differently, and why (names of keys and inputs, never a value). */
  readonly notes: readonly string[];
}

/** Where a value sits, for notes and the names derived from it (input ids, environment variable names). */
interface Place {
  /** `env "API_KEY"`, `header "Authorization"`, `argument 3`, `the URL`. */
  readonly label: string;
  /** `API_KEY`, `Authorization`, `api-key`. */
  readonly key: string;
  /** For env: the variable itself is what Cursor should read. */
  readonly envName?: string;
}

const cap = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);

/** `remote-Authorization` → `REMOTE_AUTHORIZATION`: a name a shell can export. */
export function environmentName(s: string): string {
  const name = s.toUpperCase().replace(/[^A-Z0-9_]+/g, '_').replace(/_+/g, '_').replace(/^_|_$/g, '');
  return /^[A-Z_]/.test(name) ? name : `_${name}`;
}

const isPassword = (i: InputDefinition): boolean => i.type === 'promptString' && i.password === true;

/** Two input definitions that say the same (key order aside). */
function sameInput(a: InputDefinition, b: InputDefinition): boolean {
  const canon = (i: InputDefinition) => JSON.stringify(Object.entries(i).sort(([x], [y]) => x.localeCompare(y)));
  return canon(a) === canon(b);
}

/**
 * The entry for `target`, with every secret kept out (see the module comment) and every variable the target cannot
 * expand resolved or left empty. `existingInputs`: the inputs a `.vscode/mcp.json` target already has (an input of
 * the same id and definition is reused, another is renamed). Throws a UserFacingError for what the target cannot hold.
 */
export function prepareExport(server: ExportSource, target: ExportTarget, ctx: ExportContext, existingInputs: readonly InputDefinition[] = []): PreparedExport {
  const traits = EXPORT_TRAITS[target.kind];
  const { name, config } = server;
  if (config.type !== 'stdio' && !traits.remote) {
    throw new UserFacingError(`${traits.name} reads only local (stdio) servers from its file, and "${name}" is a remote (${config.type}) server: add it in ${traits.name} under Settings → Connectors → Add custom connector, with its URL.`);
  }
  const notes: string[] = [];
  const note = (text: string) => { if (!notes.includes(text)) notes.push(text); };
  const sep = ctx.platform === 'win32' ? '\\' : '/';
  const passwords = new Set(server.inputs.filter(isPassword).map((i) => i.id));
  const takenInputIds = new Set(existingInputs.map((i) => i.id));
  const addedInputs: InputDefinition[] = [];
  const copiedInputs = new Map<string, string>();

  /** `.vscode/mcp.json`: the input's id there, its definition copied (renamed if the target has another of that id). */
  const copiedInput = (id: string): string => {
    let to = copiedInputs.get(id);
    if (to === undefined) {
      const source = server.inputs.find((i) => i.id === id);
      // A password input's default is a secret written in a file: it is not copied.
      const def = source?.type === 'promptString' && source.password && source.default !== undefined ? (({ default: _secret, ...rest }) => rest)(source) : source;
      if (def !== source) note(`The default value of the password input "${id}" was not copied.`);
      const existing = existingInputs.find((i) => i.id === id);
      if (!def) {
        to = id;
        note(`The input "${id}" is not defined where "${name}" comes from; the reference was written as it is.`);
      } else if (existing && sameInput(existing, def)) {
        to = id;
      } else {
        to = uniqueName(id, takenInputIds);
        takenInputIds.add(to);
        addedInputs.push({ ...def, id: to });
        if (to !== id) note(`The input "${id}" is "${to}" there (the file has another input "${id}").`);
      }
      copiedInputs.set(id, to);
    }
    return to;
  };

  /** What stands in a secret's place: `inputId` when it is a password input's value, else a literal in the definition. */
  const secretStandIn = (place: Place, inputId?: string): string => {
    const where = cap(place.label);
    switch (traits.variables) {
      case 'vscode': {
        if (inputId !== undefined) {
          const id = copiedInput(inputId);
          note(`${where} uses the password input "${id}": its definition was copied, its value was not (for another workspace it must be set again: VS Code asks for it at the first start, or use Set Secret...).`);
          return `\${input:${id}}`;
        }
        const input = passwordInputFor(name, place.key, takenInputIds);
        addedInputs.push(input);
        note(`${where} held a plaintext secret: it is the password input "${input.id}" there, and its value was not copied (enter it at the first start, or with Set Secret...).`);
        return `\${input:${input.id}}`;
      }
      case 'cursor': {
        const variable = place.envName ?? environmentName(inputId ?? `${name}_${place.key}`);
        note(`${where} is written as \${env:${variable}}: set ${variable} in your environment (Cursor reads it there when it starts the server).`);
        return `\${env:${variable}}`;
      }
      case 'none':
        note(`${where} was left empty: ${traits.name} cannot hold secrets outside its file; set it there yourself.`);
        return '';
    }
  };

  const variable = (ref: VariableRef, place: Place, secretKey: boolean): string => {
    const keep = `\${${ref.raw}}`;
    const where = cap(place.label);
    const cursorKeeps = traits.variables === 'cursor';
    switch (ref.kind) {
      case 'input': {
        if (passwords.has(ref.arg) || (secretKey && traits.variables !== 'vscode')) return secretStandIn(place, ref.arg);
        if (traits.variables === 'vscode') return `\${input:${copiedInput(ref.arg)}}`;
        const def = server.inputs.find((i) => i.id === ref.arg);
        if (def?.default !== undefined) {
          note(`${where} uses the input "${ref.arg}", which ${traits.name} cannot ask for: its default value was written.`);
          return def.default;
        }
        if (cursorKeeps) {
          const env = environmentName(ref.arg);
          note(`${where} uses the input "${ref.arg}"; Cursor has no inputs, so it reads \${env:${env}}: set ${env} in your environment.`);
          return `\${env:${env}}`;
        }
        note(`${where} uses the input "${ref.arg}", which ${traits.name} cannot ask for: it was left empty; set it there yourself.`);
        return '';
      }
      case 'env':
        if (traits.variables !== 'none') return keep;
        note(`${where} reads \${env:${ref.arg}} from your environment in VS Code; ${traits.name} does not expand variables, so it was left empty: set the value there yourself.`);
        return '';
      case 'workspaceFolder': {
        if (traits.variables === 'vscode' || (cursorKeeps && ref.arg === undefined)) return keep;
        const folder = ref.arg === undefined ? target.folder ?? ctx.workspaceFolder : ctx.folders.find((f) => f.name === ref.arg);
        if (!folder) {
          note(`${where} uses ${keep}, and no open folder stands for it: it was left empty.`);
          return '';
        }
        note(`${keep} is written as "${folder.path}" (${traits.name} ${cursorKeeps ? 'has no folder names' : 'has no variables'}).`);
        return folder.path;
      }
      case 'userHome':
        if (traits.variables !== 'none') return keep;
        note(`${keep} is written as "${ctx.home}" (${traits.name} has no variables).`);
        return ctx.home;
      case 'pathSeparator':
        if (traits.variables !== 'none') return keep;
        note(`${keep} is written as "${sep}" (${traits.name} has no variables).`);
        return sep;
      case 'unknown':
        if (traits.variables === 'vscode') return keep;
        note(`${where} has the unknown variable ${keep}: it was left empty.`);
        return '';
    }
  };

  /** A literal secret (by its key's name or its shape) is replaced whole, an authorization scheme kept; else the variables. */
  const value = (text: string, place: Place, secretKey: boolean): string => {
    if ((secretKey || looksLikeAccessToken(splitAuthScheme(text).secret)) && isLiteralValue(text)) {
      const { scheme } = splitAuthScheme(text);
      return withScheme(scheme, secretStandIn(place));
    }
    return replaceVariables(text, (ref) => variable(ref, place, secretKey));
  };

  let exported: ServerConfig;
  if (config.type === 'stdio') {
    const findings = new Set(findSecretsInArgs(config.args, server.inputs).map((f) => f.index));
    const args = config.args.map((arg, i) => {
      const flag = /^(--?([A-Za-z][\w.-]*)=)(.*)$/s.exec(arg);
      const previous = i > 0 ? /^--?([A-Za-z][\w.-]*)$/.exec(config.args[i - 1]) : null;
      const place: Place = { label: `argument ${i + 1}`, key: flag?.[2] ?? previous?.[1] ?? `arg${i + 1}` };
      if (!findings.has(i)) return value(arg, place, false);
      if (flag && isLiteralValue(flag[3])) return `${flag[1]}${secretStandIn(place)}`;
      if (!flag && isLiteralValue(arg)) return secretStandIn(place);
      return value(arg, place, true);
    });
    const env: Record<string, string | null> = {};
    for (const [k, v] of Object.entries(config.env)) {
      if (v === null) {
        if (traits.variables === 'vscode') env[k] = null;
        else note(`Env "${k}" unsets an inherited variable in VS Code; ${traits.name} cannot, so it was left out.`);
        continue;
      }
      env[k] = value(v, { label: `env "${k}"`, key: k, envName: k }, looksLikeSecretName(k));
    }
    if (config.envFile !== undefined && !traits.envFile) note(`The envFile was left out: ${traits.name} cannot load one; put its variables in "env" there yourself.`);
    if (config.cwd !== undefined && !traits.cwd) note(`The working directory (cwd) was left out: ${traits.name} has no such field.`);
    const envFile = config.envFile !== undefined && traits.envFile ? value(config.envFile, { label: 'the envFile', key: 'envFile' }, false) : undefined;
    const cwd = config.cwd !== undefined && traits.cwd ? value(config.cwd, { label: 'the working directory (cwd)', key: 'cwd' }, false) : undefined;
    exported = {
      type: 'stdio', command: value(config.command, { label: 'the command', key: 'command' }, false), args, env,
      ...(envFile !== undefined ? { envFile } : {}), ...(cwd !== undefined ? { cwd } : {}),
    };
  } else {
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(config.headers)) headers[k] = value(v, { label: `header "${k}"`, key: k }, looksLikeSecretName(k));
    // A key in the query string (`?api_key=…`) is a secret too.
    const url = value(config.url, { label: 'the URL', key: 'url' }, false).replace(/([?&])([^=&#]+)=([^&#]*)/g, (m, lead: string, k: string, v: string) => {
      let key = k;
      try { key = decodeURIComponent(k); } catch { /* as written */ }
      return looksLikeSecretName(key) && isLiteralValue(v) ? `${lead}${k}=${secretStandIn({ label: `URL parameter "${key}"`, key })}` : m;
    });
    exported = { type: config.type, url, headers };
  }
  return { name, json: entryJson(target.kind, exported), inputs: addedInputs, notes };
}

/** An exported config in the target's own shape. */
function entryJson(kind: ExportTargetKind, config: ServerConfig): Record<string, unknown> {
  const vscodeShape = toVsCodeJson(config);
  if (kind === 'vscode' || kind === 'mcpJson') return vscodeShape;
  if (config.type === 'stdio') {
    const { type: _stdio, command, args: _args, ...rest } = vscodeShape;
    // Claude Desktop, Cursor and Copilot expect "args", even empty; Copilot calls a stdio server "local".
    const local = { command, args: config.args, ...rest };
    return kind === 'copilot' ? { type: 'local', ...local, tools: ['*'] } : local;
  }
  if (kind === 'copilot') return { ...vscodeShape, tools: ['*'] };
  // Cursor: a URL alone is Streamable HTTP (with SSE as fallback); legacy SSE says so.
  const { type: _remote, ...rest } = vscodeShape;
  return config.type === 'sse' ? vscodeShape : rest;
}

/** The `mcpServers` object of a target file's parsed root (or the root itself, for a bare `.mcp.json` map). */
function serverMap(root: Record<string, unknown>): Record<string, unknown> {
  if (isObject(root['mcpServers'])) return root['mcpServers'];
  return isBareServerMap(root) ? root : {};
}

function parseTargetRoot(text: string, target: ExportTarget): Record<string, unknown> {
  const errors: ParseError[] = [];
  const root: unknown = parse(text.trim() ? text : '{}', errors, JSONC_OPTIONS);
  if (errors.length || !isObject(root)) throw new UserFacingError(`${target.label} is not valid JSON (or not an object); fix it first (${target.path}).`);
  if (root['mcpServers'] !== undefined && !isObject(root['mcpServers'])) throw new UserFacingError(`${target.label} has an "mcpServers" value that is not an object.`);
  return root;
}

/** The server names a target file already has (its text; '' for a file that does not exist). */
export function exportedServerNames(text: string, target: ExportTarget): string[] {
  if (target.kind === 'vscode') return parseMcpJsonText(text, { kind: 'userMcpJson' }).entries.map((e) => e.name);
  return Object.keys(serverMap(parseTargetRoot(text, target)));
}

export const EMPTY_MCP_SERVERS_TEXT = '{\n  "mcpServers": {}\n}\n';

/** Inserts (or replaces) the prepared entry in the target's text, keeping its comments and formatting. */
export function applyExport(text: string, target: ExportTarget, prepared: PreparedExport): string {
  if (target.kind === 'vscode') {
    return applyImportToMcpJson(text, { servers: [{ name: prepared.name, originalName: prepared.name, json: prepared.json }], inputs: prepared.inputs, secrets: [], notes: [] });
  }
  const out = text.trim() ? text : EMPTY_MCP_SERVERS_TEXT;
  const root = parseTargetRoot(out, target);
  const at = root['mcpServers'] === undefined && isBareServerMap(root) ? [prepared.name] : ['mcpServers', prepared.name];
  return applyEdits(out, modify(out, at, prepared.json, { formattingOptions: detectFormatting(out) }));
}

export type ExportConflict = 'replace' | 'keepBoth';

export interface ExportResult extends PreparedExport {
  /** The new text of the target file. */
  readonly text: string;
  /** Whether an entry of that name was replaced. */
  readonly replaced: boolean;
}

/**
 * The whole export into one file's text: a name the file has is replaced, or (`keepBoth`, the default: nothing is
 * overwritten unless asked) written as `<name>-2`.
 */
export function exportServer(text: string, server: ExportSource, target: ExportTarget, ctx: ExportContext, onConflict: ExportConflict = 'keepBoth'): ExportResult {
  const names = exportedServerNames(text, target);
  const clash = names.includes(server.name);
  const name = clash && onConflict === 'keepBoth' ? uniqueName(server.name, new Set(names)) : server.name;
  const existingInputs = target.kind === 'vscode' ? parseMcpJsonText(text, { kind: 'userMcpJson' }).inputs : [];
  const prepared = prepareExport({ ...server, name }, target, ctx, existingInputs);
  const clashNote = !clash ? [] : onConflict === 'replace'
    ? [`The "${server.name}" that ${target.label} had was replaced.`]
    : [`${target.label} has a "${server.name}" already: this one is "${name}" there.`];
  return { ...prepared, notes: [...clashNote, ...prepared.notes], text: applyExport(text, target, prepared), replaced: clash && onConflict === 'replace' };
}
