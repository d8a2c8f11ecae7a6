import { findNodeAtLocation, parseTree } from 'jsonc-parser';
import { UserFacingError } from '../errors';
import { type ServerSource, describeSource, usesVariables } from '../serverId';
import { applyImportToMcpJson, prepareImport } from './importers';
import {
  JSONC_OPTIONS, type ConfigDiagnostic, type JsonPath, type Locator, type ParsedSource, isObject, parseFileObject, parseMcpJsonText, parseServersAndInputs, readJsoncText, unusableFile,
} from './parse';
import { findPlaintextSecrets, findSecretsInArgs } from './secretsInArgs';
import type { ServerConfig, ServerDefinition } from './types';
import { secretForms } from './variables';

/**
 * The portable configuration files, read live: `.mcp.json` at a workspace folder's root (VS Code 1.140's MCP: Add
 * Server, Claude Code; `{ "mcpServers": { name: entry } }` or a bare `{ name: entry }`) and the Copilot user file
 * (`{ "mcpServers": … }`). Their entries go through the one entry parser (parse.ts parseEntry), which for these literal
 * sources keeps `${…}` as text, accepts `"type": "local"` (stdio) and ignores `tools`. And the pure part of the Quick Fix
 * that moves an entry with plaintext secrets into VS Code's format, its secrets into SecretStorage. Pure.
 */

/** Parses any configuration file by its source: VS Code's format (mcp.json) or the portable one. */
export function parseConfigFileText(text: string, source: ServerSource, file?: string): ParsedSource {
  return usesVariables(source) ? parseMcpJsonText(text, source, file) : parsePortableText(text, source, file);
}

/** Where a portable file keeps its servers: under `mcpServers`, or (only `.mcp.json`) at the top level. */
type Shape = { readonly servers: Record<string, unknown>; readonly path: JsonPath } | { readonly problem: string; readonly path: JsonPath };

function shapeOf(value: Record<string, unknown>, source: ServerSource): Shape {
  if (value['mcpServers'] !== undefined) {
    return isObject(value['mcpServers'])
      ? { servers: value['mcpServers'], path: ['mcpServers'] }
      : { problem: '"mcpServers" must be an object mapping server names to their configuration.', path: ['mcpServers'] };
  }
  return source.kind === 'workspaceRootMcpJson' ? { servers: value, path: [] } : { servers: {}, path: ['mcpServers'] };
}

/** Top-level keys of VS Code's mcp.json format: in a bare `.mcp.json` map they are not server names. */
const VSCODE_FORMAT_KEYS: Readonly<Record<string, { severity: 'error' | 'warning'; message: string }>> = {
  servers: { severity: 'error', message: '"servers" is the format of .vscode/mcp.json: .mcp.json lists its servers under "mcpServers" (or by name at the top level). Move this file to .vscode/mcp.json, or rename the key.' },
  inputs: { severity: 'warning', message: '"inputs" are not read from .mcp.json: its values are literal (no ${input:…}). Inputs belong in .vscode/mcp.json.' },
};

/** Parses `.mcp.json` or the Copilot user file (a literal source). */
export function parsePortableText(text: string, source: ServerSource, file?: string): ParsedSource {
  const notAnObject = source.kind === 'workspaceRootMcpJson'
    ? 'The file must contain a JSON object: the servers by name, or under "mcpServers".'
    : 'The file must contain a JSON object with an "mcpServers" property.';
  return parseFileObject(text, source, file, notAnObject, (value, locate) => parsePortableObject(value, locate, source, file));
}

function parsePortableObject(value: Record<string, unknown>, locate: Locator, source: ServerSource, file: string | undefined): ParsedSource {
  const shape = shapeOf(value, source);
  if ('problem' in shape) return unusableFile(source, file, shape.problem, locate(shape.path));
  const diagnostics: ConfigDiagnostic[] = [];
  let servers = shape.servers;
  if (shape.path.length === 0) {
    servers = Object.fromEntries(Object.entries(servers).filter(([key]) => {
      const known = Object.hasOwn(VSCODE_FORMAT_KEYS, key) ? VSCODE_FORMAT_KEYS[key] : undefined;
      if (known) diagnostics.push({ ...known, range: locate([key], true) });
      return !known;
    }));
  }
  const result = parseServersAndInputs(servers, undefined, source, file, locate, shape.path, []);
  return { ...result, diagnostics: [...diagnostics, ...result.diagnostics] };
}

/**
 * The plaintext secrets of the definitions from literal sources, in every form the redactor should mask: secret-named
 * env and header values (an Authorization value also bare) and the secret arguments' values. Registered when the
 * configuration is read, so a tooltip, dialog or log line masks them before the server ever starts.
 */
export function literalSecretValues(definitions: readonly Pick<ServerDefinition, 'source' | 'config'>[]): string[] {
  return definitions.filter((d) => !usesVariables(d.source)).flatMap(({ config }) => [
    ...findPlaintextSecrets(config, true).flatMap((s) => secretForms(s.value)),
    ...(config.type === 'stdio' ? findSecretsInArgs(config.args, []).map((f) => /^--?[A-Za-z][\w.-]*=(.+)$/.exec(config.args[f.index])?.[1] ?? config.args[f.index]) : []),
  ]);
}

/**
 * Where Move Secrets to SecretStorage... writes an entry of a portable file: the VS Code-format file of the same owner,
 * which outranks it (src/common/config/merge.ts sourceRank), so the moved entry keeps its name and wins.
 */
export function secretMoveTarget(source: ServerSource): ServerSource {
  switch (source.kind) {
    case 'workspaceRootMcpJson': return { kind: 'workspaceMcpJson', folder: source.folder, folderUri: source.folderUri };
    case 'copilotMcpConfig': return { kind: 'userMcpJson' };
    case 'workspaceMcpJson':
    case 'workspaceSettings':
    case 'userSettings':
    case 'userMcpJson': throw new Error(`${source.kind} is not a portable source`);
  }
}

export interface SecretMove {
  /** The portable file without the entry (comments and the other entries kept). */
  readonly sourceText: string;
  /** The target (VS Code's format) with the entry, each secret replaced by an `${input:…}` password input. */
  readonly targetText: string;
  /** Values for SecretStorage (purpose 'input', id `inputSecretId(target, inputId)`): store them BEFORE writing. */
  readonly secrets: readonly { readonly inputId: string; readonly value: string }[];
  /** The env / header keys moved (names only, safe to show). */
  readonly movedKeys: readonly string[];
  readonly notes: readonly string[];
}

/**
 * The Quick Fix of a plaintext secret, as texts: the entry `name` leaves the portable file and is written into the
 * target (`targetText`, undefined when the file does not exist yet) with its plaintext secrets behind password inputs.
 * Refuses (UserFacingError, saying what to do) what it cannot do faithfully: an invalid entry, one without a plaintext
 * secret, a name the target already defines, a `${…}` outside the secrets (the target would read it as a variable),
 * a secret value that would still be written (e.g. also in "args").
 */
export function planSecretMove(sourceText: string, source: ServerSource, name: string, targetText: string | undefined): SecretMove {
  const target = secretMoveTarget(source);
  const parsed = parsePortableText(sourceText, source);
  const entry = parsed.entries.find((e) => e.name === name);
  if (parsed.fileError !== undefined) throw new UserFacingError(`${describeSource(source)} has errors; fix them first (see the Problems view).`);
  if (!entry) throw new UserFacingError(`There is no server "${name}" in ${describeSource(source)}.`);
  if (!entry.config) throw new UserFacingError(`Server "${name}" in ${describeSource(source)} is not valid: ${entry.error ?? 'fix it first'}.`);
  const config = entry.config;
  const secrets = findPlaintextSecrets(config, true);
  if (secrets.length === 0) throw new UserFacingError(`Server "${name}" in ${describeSource(source)} has no plaintext secret to move.`);
  const existing = targetText === undefined || !targetText.trim() ? undefined : parseMcpJsonText(targetText, target);
  if (existing?.entries.some((e) => e.name === name)) {
    throw new UserFacingError(`A server "${name}" is already defined in ${describeSource(target)}, which wins over ${describeSource(source)}: delete this copy from ${describeSource(source)} instead.`);
  }
  const secretKeys = new Set(secrets.map((s) => s.key));
  const secretPaths = new Set(secrets.map((s) => `${s.field}.${s.key}`));
  const variableLike = literalStrings(config).find(([where, value]) => !secretPaths.has(where) && value.includes('${'));
  if (variableLike) {
    throw new UserFacingError(`Server "${name}": "${variableLike[0]}" contains "\${", which ${describeSource(target)} would read as a variable. Edit it first.`);
  }
  const prepared = prepareImport(
    [{ name, config, from: describeSource(source), secretKeys: [...secretKeys], literal: true }],
    existing?.entries.map((e) => e.name) ?? [], existing?.inputs.map((i) => i.id) ?? [],
  );
  const nextTarget = applyImportToMcpJson(targetText ?? '', prepared);
  for (const s of prepared.secrets) {
    if ([s.value, JSON.stringify(s.value).slice(1, -1)].some((form) => nextTarget.includes(form))) {
      throw new UserFacingError(`Server "${name}": a secret value also appears outside "env" / "headers" (in "args"?); move it out of there first.`);
    }
  }
  const root = parseRoot(sourceText);
  const serversPath = root ? shapeOf(root, source).path : ['mcpServers'];
  const sourceNext = removeProperty(sourceText, [...serversPath, name]);
  return { sourceText: sourceNext, targetText: nextTarget, secrets: prepared.secrets, movedKeys: [...secretKeys], notes: prepared.notes };
}

/**
 * The text without the property at `path`, every other byte as written (jsonc-parser's `modify` either glues the next
 * property to the brace or, with formatting options, reformats the neighbours): a property after another goes with the
 * comma before it; the first one with the space up to the next; an only one leaves its object empty.
 */
export function removeProperty(text: string, path: JsonPath): string {
  const root = parseTree(text, undefined, JSONC_OPTIONS);
  const value = root && findNodeAtLocation(root, path);
  const property = value?.parent;
  const object = property?.parent;
  if (!property || property.type !== 'property' || !object) return text;
  const siblings = object.children ?? [];
  const index = siblings.indexOf(property);
  const end = property.offset + property.length;
  if (index > 0) {
    const previous = siblings[index - 1];
    return text.slice(0, previous.offset + previous.length) + text.slice(end);
  }
  if (siblings.length > 1) return text.slice(0, property.offset) + text.slice(siblings[1].offset);
  return text.slice(0, object.offset + 1) + text.slice(end).replace(/^\s*,?/, (m) => m.replace(',', ''));
}

function parseRoot(text: string): Record<string, unknown> | undefined {
  const read = readJsoncText(text);
  return read.ok && isObject(read.value) ? read.value : undefined;
}

/** Every string value of an entry with where it is (`command`, `args[1]`, `env.KEY`, `url`, `headers.Name`…). */
function literalStrings(config: ServerConfig): [string, string][] {
  if (config.type !== 'stdio') return [['url', config.url], ...Object.entries(config.headers).map(([k, v]): [string, string] => [`headers.${k}`, v])];
  return [
    ['command', config.command],
    ...config.args.map((a, i): [string, string] => [`args[${i}]`, a]),
    ...Object.entries(config.env).flatMap(([k, v]): [string, string][] => (v === null ? [] : [[`env.${k}`, v]])),
    ...(config.envFile !== undefined ? [['envFile', config.envFile] as [string, string]] : []),
    ...(config.cwd !== undefined ? [['cwd', config.cwd] as [string, string]] : []),
  ];
}
