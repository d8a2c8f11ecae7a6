/**
 * What a server offers, as something to approve (issue 15, groundwork): a snapshot of its tools, prompts, resources and
 * resource templates, each with a stable hash of the fields a model or a user reads; the difference between an approved
 * snapshot and the current one; what the pinning policy decides for a call; and what the definitions cost a model.
 * Pure: no VS Code, no SDK values. Snapshots hold hashes and names only (never a secret: nothing of the launch).
 */
import { createHash } from 'node:crypto';
import type { CatalogView } from './model';

export type DefinitionKind = 'tool' | 'prompt' | 'resource' | 'resourceTemplate';

/** The fields compared per kind: what the model is told (tools, prompts) or what the user picks from (resources). */
export const TRACKED_FIELDS: Readonly<Record<DefinitionKind, readonly string[]>> = {
  tool: ['title', 'description', 'inputSchema', 'outputSchema', 'annotations'],
  prompt: ['title', 'description', 'arguments'],
  resource: ['name', 'title', 'description', 'mimeType'],
  resourceTemplate: ['name', 'title', 'description', 'mimeType'],
};

/** One item: the hash of all its tracked fields, and of each (a field the server left out is absent). */
export interface DefinitionEntry {
  readonly kind: DefinitionKind;
  /** Its name (tools, prompts), URI (resources) or URI template (templates). */
  readonly key: string;
  readonly hash: string;
  readonly fields: Readonly<Record<string, string>>;
}

/** A server's definitions at one moment, by `kind:key`. */
export interface DefinitionSnapshot {
  readonly v: 1;
  readonly takenAt: number;
  readonly entries: Readonly<Record<string, DefinitionEntry>>;
}

export interface DefinitionChange { readonly id: string; readonly kind: DefinitionKind; readonly key: string; readonly fields: readonly string[] }

/** What differs between the approved snapshot and the current one (ids are `kind:key`, sorted). */
export interface DefinitionDiff {
  readonly added: readonly string[];
  readonly removed: readonly string[];
  readonly changed: readonly DefinitionChange[];
}

/** JSON with every object's keys sorted: the same definition always reads the same, whatever order a server sent. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return v;
    return Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  });
}

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

export function definitionEntry(kind: DefinitionKind, key: string, item: Readonly<Record<string, unknown>>): DefinitionEntry {
  const fields: Record<string, string> = {};
  for (const field of TRACKED_FIELDS[kind]) if (item[field] !== undefined) fields[field] = sha256(canonicalJson(item[field]));
  return { kind, key, hash: sha256(canonicalJson(fields)), fields };
}

/** The snapshot of a catalog. */
export function snapshotOf(catalog: Pick<CatalogView, 'tools' | 'prompts' | 'resources' | 'resourceTemplates'>, takenAt: number): DefinitionSnapshot {
  const entries: Record<string, DefinitionEntry> = {};
  for (const { id, kind, key, item } of catalogItems(catalog)) entries[id] = definitionEntry(kind, key, item);
  return { v: 1, takenAt, entries };
}

/** Every item of a catalog with its id (`kind:key`): tools, prompts, resources, then resource templates. */
export function* catalogItems(catalog: Pick<CatalogView, 'tools' | 'prompts' | 'resources' | 'resourceTemplates'>): Generator<{ id: string; kind: DefinitionKind; key: string; item: Readonly<Record<string, unknown>> }> {
  const item = (kind: DefinitionKind, key: string, value: object) => ({ id: `${kind}:${key}`, kind, key, item: value as Readonly<Record<string, unknown>> });
  for (const t of catalog.tools) yield item('tool', t.name, t);
  for (const p of catalog.prompts) yield item('prompt', p.name, p);
  for (const r of catalog.resources) yield item('resource', r.uri, r);
  for (const t of catalog.resourceTemplates) yield item('resourceTemplate', t.uriTemplate, t);
}

export function diffSnapshots(approved: DefinitionSnapshot, current: DefinitionSnapshot): DefinitionDiff {
  const ids = (s: DefinitionSnapshot) => Object.keys(s.entries);
  const added = ids(current).filter((id) => !(id in approved.entries)).sort();
  const removed = ids(approved).filter((id) => !(id in current.entries)).sort();
  const changed: DefinitionChange[] = [];
  for (const id of ids(current).sort()) {
    const was = approved.entries[id];
    const now = current.entries[id];
    if (!was || was.hash === now.hash) continue;
    const fields = [...new Set([...Object.keys(was.fields), ...Object.keys(now.fields)])]
      .filter((f) => was.fields[f] !== now.fields[f])
      .sort((a, b) => TRACKED_FIELDS[now.kind].indexOf(a) - TRACKED_FIELDS[now.kind].indexOf(b));
    changed.push({ id, kind: now.kind, key: now.key, fields });
  }
  return { added, removed, changed };
}

/** `serverOptions.<name>.pinTools`. */
export type PinPolicy = 'off' | 'warn' | 'block';

/** A tool as the approved snapshot sees it. */
export type ApprovalStatus = 'approved' | 'changed' | 'new';

export function approvalOf(id: string, diff: DefinitionDiff): ApprovalStatus {
  if (diff.added.includes(id)) return 'new';
  return diff.changed.some((c) => c.id === id) ? 'changed' : 'approved';
}

export type CallDecision = { readonly allowed: true; readonly warn: boolean } | { readonly allowed: false; readonly reason: string };

/**
 * May this tool be called now? `block` refuses a changed or new tool until it is approved; `warn` lets it through,
 * marked; a definition the user kept blocked (Keep Blocked, for the very hash they saw) is refused under any policy.
 */
export function decideCall(policy: PinPolicy, tool: string, status: ApprovalStatus, keptBlocked = false): CallDecision {
  if (keptBlocked) return { allowed: false, reason: `You kept the tool '${tool}' blocked after reviewing its change; approve it first (Review Tool Changes...)` };
  if (status === 'approved' || policy === 'off') return { allowed: true, warn: false };
  if (policy === 'warn') return { allowed: true, warn: true };
  return { allowed: false, reason: `The tool '${tool}' ${status === 'new' ? 'is new' : 'changed'} since you approved this server's tools; review and approve it first (Review Tool Changes...)` };
}

/** One running server's definitions against what the user approved (read-only; the public API hands it out as is). */
export interface DefinitionState {
  readonly policy: PinPolicy;
  /** Undefined until something was approved (`block` approves nothing implicitly). */
  readonly approved?: DefinitionSnapshot;
  readonly current: DefinitionSnapshot;
  readonly diff: DefinitionDiff;
  /** Tool ids (`tool:<name>`) the user kept blocked, as they are now. */
  readonly keptBlocked: readonly string[];
}

/** How one item shows in the tree when it is not as approved. */
export interface ItemMark {
  readonly status: 'changed' | 'new';
  /** The fields that changed (empty for a new item). */
  readonly fields: readonly string[];
  /** Calls are refused: `block`, or the user kept this tool blocked. */
  readonly blocked: false | 'policy' | 'kept';
}

export function itemMark(state: DefinitionState | undefined, id: string): ItemMark | undefined {
  if (!state) return undefined;
  const status = approvalOf(id, state.diff);
  const kept = state.keptBlocked.includes(id);
  if (status === 'approved' && !kept) return undefined;
  const blocked = !id.startsWith('tool:') ? false : kept ? 'kept' : state.policy === 'block' ? 'policy' : false;
  return { status: status === 'new' ? 'new' : 'changed', fields: state.diff.changed.find((c) => c.id === id)?.fields ?? [], blocked };
}

/** How many items differ from what was approved. */
export const changeCount = (d: DefinitionDiff): number => d.added.length + d.removed.length + d.changed.length;

/** A server's approvals as stored (extension state, by server owner and name): never a secret, only definitions. */
export interface ApprovalRecord {
  readonly v: 1;
  readonly approved: DefinitionSnapshot;
  /** The approved definitions as the review shows them (definitionText, redacted and capped), by id. */
  readonly texts: Readonly<Record<string, string>>;
  /** Tools the user kept blocked: id → the hash of the definition they saw. */
  readonly keptBlocked: Readonly<Record<string, string>>;
}

/** The longest definition text kept for a review (characters); a longer one is cut, with a note (its hash still counts). */
export const MAX_DEFINITION_TEXT = 32_768;

/** How a reviewer reads one definition: its tracked fields as indented JSON with sorted keys. */
export function definitionText(kind: DefinitionKind, key: string, item: Readonly<Record<string, unknown>>): string {
  const fields: Record<string, unknown> = {};
  for (const field of TRACKED_FIELDS[kind]) if (item[field] !== undefined) fields[field] = item[field];
  const text = JSON.stringify(JSON.parse(canonicalJson({ [kind]: key, ...fields })), null, 2);
  return text.length > MAX_DEFINITION_TEXT ? `${text.slice(0, MAX_DEFINITION_TEXT)}\n… (${text.length - MAX_DEFINITION_TEXT} more characters not kept)` : text;
}

/**
 * The record after approving these ids as they are in `current` (an id gone from it: its removal is approved).
 * Approving clears a Keep Blocked of the same id.
 */
export function approveIds(record: ApprovalRecord | undefined, current: DefinitionSnapshot, texts: Readonly<Record<string, string>>, ids: readonly string[], now: number): ApprovalRecord {
  const entries = { ...record?.approved.entries };
  const kept = { ...record?.texts };
  const keptBlocked = { ...record?.keptBlocked };
  for (const id of ids) {
    delete keptBlocked[id];
    const entry = current.entries[id];
    if (entry) { entries[id] = entry; kept[id] = texts[id] ?? ''; } else { delete entries[id]; delete kept[id]; }
  }
  return { v: 1, approved: { v: 1, takenAt: now, entries }, texts: kept, keptBlocked };
}

/** The record after the user kept these tools blocked as they are in `current`. */
export function keepBlockedIds(record: ApprovalRecord | undefined, current: DefinitionSnapshot, ids: readonly string[], now: number): ApprovalRecord {
  const keptBlocked = { ...record?.keptBlocked };
  for (const id of ids) { const entry = current.entries[id]; if (entry?.kind === 'tool') keptBlocked[id] = entry.hash; }
  return { v: 1, approved: record?.approved ?? { v: 1, takenAt: now, entries: {} }, texts: record?.texts ?? {}, keptBlocked };
}

const KIND_WORDS: Readonly<Record<DefinitionKind, string>> = { tool: 'tool', prompt: 'prompt', resource: 'resource', resourceTemplate: 'resource template' };

/** Tools first, then prompts, resources and templates: what a model reads comes first in a list. */
function kindRank(label: string): number {
  const rank = ['tool ', 'prompt '].findIndex((k) => label.startsWith(k));
  return rank < 0 ? 2 : rank;
}

/** `tool echo`, `resource template file:///{path}`: an item id as a reader names it. */
export function itemLabel(id: string): string {
  const i = id.indexOf(':');
  return `${KIND_WORDS[id.slice(0, i) as DefinitionKind] ?? id.slice(0, i)} ${id.slice(i + 1)}`;
}

/** "1 changed (tool echo: description), 1 new (tool extra)": for logs and notifications. */
export function describeDiff(diff: DefinitionDiff, max = 5): string {
  const list = (items: readonly string[]) => {
    const sorted = [...items].sort((a, b) => kindRank(a) - kindRank(b));
    return `${sorted.slice(0, max).join(', ')}${items.length > max ? `, … ${items.length - max} more` : ''}`;
  };
  return [
    diff.changed.length ? `${diff.changed.length} changed (${list(diff.changed.map((c) => `${itemLabel(c.id)}: ${c.fields.join(', ')}`))})` : undefined,
    diff.added.length ? `${diff.added.length} new (${list(diff.added.map(itemLabel))})` : undefined,
    diff.removed.length ? `${diff.removed.length} removed (${list(diff.removed.map(itemLabel))})` : undefined,
  ].filter(Boolean).join(', ');
}

/** Whether a diff has nothing in it. */
export const isEmptyDiff = (d: DefinitionDiff): boolean => !d.added.length && !d.removed.length && !d.changed.length;

/** Bytes per token of the estimate: ≈ 4 UTF-8 bytes per token, the usual rule of thumb for English text and JSON with BPE tokenizers. */
export const BYTES_PER_TOKEN = 4;

/** What one definition costs a model: its JSON as the server listed it (the client passes it on as is), and an estimate in tokens. */
export function definitionCost(item: object): { readonly bytes: number; readonly tokens: number } {
  const bytes = Buffer.byteLength(JSON.stringify(item), 'utf8');
  return { bytes, tokens: Math.ceil(bytes / BYTES_PER_TOKEN) };
}

/** What a server's tool list costs a model in every request that offers it: the sum over its tools. */
export function toolsCost(tools: readonly object[]): { readonly bytes: number; readonly tokens: number } {
  let bytes = 0;
  for (const tool of tools) bytes += definitionCost(tool).bytes;
  return { bytes, tokens: Math.ceil(bytes / BYTES_PER_TOKEN) };
}

/** "≈812 tokens", "≈12.3k tokens". */
export function formatTokens(tokens: number): string {
  return tokens < 1000 ? `≈${tokens} token${tokens === 1 ? '' : 's'}` : `≈${(tokens / 1000).toFixed(1)}k tokens`;
}

/**
 * The two sides of a review (the diff editor's left and right), JSONC: per item a `// <kind> <key>` header, then its
 * text as approved (left) and as listed now (right); a side that has none says why.
 */
export function reviewSides(items: readonly { readonly id: string; readonly approved?: string; readonly current?: string }[]): { readonly approved: string; readonly current: string } {
  const side = (pick: (i: (typeof items)[number]) => string | undefined, none: string) => items.map((i) => `// ${itemLabel(i.id)}\n${pick(i) ?? `// ${none}`}\n`).join('\n');
  return { approved: side((i) => i.approved, 'not approved: new since you approved this server\'s definitions'), current: side((i) => i.current, 'removed: the server no longer lists it') };
}
