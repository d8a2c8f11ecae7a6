import { type ServerId, type ServerSource, describeSource, makeServerId, sourceKey } from '../serverId';
import type { DefinitionState } from '../serverState';
import type { ParsedSource } from './parse';
import { serverOptionsSchema } from './serverOptionsSchema';
import type { InputDefinition, ServerDefinition, ServerOptions, Transport } from './types';

/**
 * Merging of all sources into one list: every entry of every source stays visible; on a name clash the source with
 * the highest precedence wins and the others are `shadowed` by it.
 */

/**
 * Lower wins: a folder's .vscode/mcp.json > its .mcp.json > workspace settings > user settings > user mcp.json > the
 * Copilot user file. Each VS Code-format file outranks the portable file of its owner: the former can reference inputs
 * and SecretStorage, the latter cannot, so a server written in both keeps its secret-backed definition (and Move
 * Secrets to SecretStorage... moves an entry up by writing it there under the same name).
 */
export function sourceRank(source: ServerSource): number {
  switch (source.kind) {
    case 'workspaceMcpJson': return 0;
    case 'workspaceRootMcpJson': return 1;
    case 'workspaceSettings': return 2;
    case 'userSettings': return 3;
    case 'userMcpJson': return 4;
    case 'copilotMcpConfig': return 5;
  }
}

/** Name of the node that stands for an unusable file (its servers could not be read). */
export const FILE_NODE_NAME = '(mcp.json)';

export type ConfigProblem = Extract<DefinitionState, { kind: 'configError' } | { kind: 'shadowed' }>;

/** One server entry as configured, after merging: what the server manager and the views start from. */
export interface ConfiguredServer {
  readonly id: ServerId;
  readonly name: string;
  readonly source: ServerSource;
  readonly file?: string;
  readonly transport?: Transport;
  /** Present when the entry is valid (also when shadowed). */
  readonly definition?: ServerDefinition;
  /** Why this entry cannot run: a config error, or it is shadowed by a higher-precedence entry of the same name. */
  readonly problem?: ConfigProblem;
  /** Non-fatal findings (secret in args, ignored options). Safe to log: no values. */
  readonly warnings: readonly string[];
  /** Human text for tooltips ("Shadowed by …"). */
  readonly note?: string;
}

export interface MergedConfig {
  readonly servers: readonly ConfiguredServer[];
  /** Inputs by source key (`sourceKey(source)`): `${input:id}` resolves against its own source's inputs only. */
  readonly inputs: ReadonlyMap<string, readonly InputDefinition[]>;
}

/** Merges parsed sources (any order; workspace folders keep their given order) with `mcpManager.serverOptions`. */
export function mergeSources(sources: readonly ParsedSource[], options: Readonly<Record<string, ServerOptions>> = {}): MergedConfig {
  const ordered = sources.map((s, i) => ({ s, i })).sort((a, b) => sourceRank(a.s.source) - sourceRank(b.s.source) || a.i - b.i).map((x) => x.s);
  const winners = new Map<string, ConfiguredServer>();
  const servers: ConfiguredServer[] = [];
  const inputs = new Map<string, readonly InputDefinition[]>();
  for (const src of ordered) {
    if (!inputs.has(sourceKey(src.source))) inputs.set(sourceKey(src.source), src.inputs);
    const fileProps = src.file !== undefined ? { file: src.file } : {};
    if (src.fileError !== undefined) {
      servers.push({
        id: makeServerId(src.source, FILE_NODE_NAME), name: FILE_NODE_NAME, source: src.source, ...fileProps,
        problem: { kind: 'configError', reason: src.fileError }, warnings: [],
      });
    }
    for (const entry of src.entries) {
      const base = { id: entry.id, name: entry.name, source: src.source, ...fileProps, ...(entry.transport ? { transport: entry.transport } : {}), warnings: entry.warnings };
      const definition: ServerDefinition | undefined = entry.config
        ? { id: entry.id, name: entry.name, source: src.source, ...fileProps, config: entry.config, options: options[entry.name] ?? {} }
        : undefined;
      const winner = winners.get(entry.name);
      let server: ConfiguredServer;
      if (winner) {
        server = { ...base, ...(definition ? { definition } : {}), problem: { kind: 'shadowed', by: winner.id }, note: `Shadowed by "${winner.name}" from ${describeSource(winner.source)}` };
      } else if (entry.error !== undefined || !definition) {
        server = { ...base, problem: { kind: 'configError', reason: entry.error ?? 'invalid configuration' } };
      } else {
        server = { ...base, definition };
      }
      if (!winner) winners.set(entry.name, server);
      servers.push(server);
    }
  }
  return { servers, inputs };
}

/** The runnable definitions (no config error, not shadowed). */
export function runnableDefinitions(servers: readonly ConfiguredServer[]): ServerDefinition[] {
  return servers.flatMap((s) => (s.definition && !s.problem ? [s.definition] : []));
}

/** Validates `mcpManager.serverOptions`; an invalid entry is ignored (with a warning), never blocks its server. */
export function parseServerOptions(value: unknown): { options: Record<string, ServerOptions>; warnings: string[] } {
  const options: Record<string, ServerOptions> = {};
  const warnings: string[] = [];
  if (value === undefined || value === null) return { options, warnings };
  if (typeof value !== 'object' || Array.isArray(value)) return { options, warnings: ['mcpManager.serverOptions must be an object keyed by server name; ignored.'] };
  for (const [name, raw] of Object.entries(value as Record<string, unknown>)) {
    const r = serverOptionsSchema.safeParse(raw);
    if (r.success) options[name] = stripUndefined(r.data satisfies ServerOptions) as ServerOptions;
    else {
      const issue = r.error.issues[0];
      warnings.push(`mcpManager.serverOptions["${name}"] is invalid${issue ? ` at "${issue.path.join('.') || '(root)'}": ${issue.message}` : ''}; ignored.`);
    }
  }
  return { options, warnings };
}

function stripUndefined(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(stripUndefined);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).filter(([, x]) => x !== undefined).map(([k, x]) => [k, stripUndefined(x)]));
  return v;
}
