import type { ServerId } from '../serverId';
import type { ConfiguredServer } from './merge';
import type { ServerDefinition, ServerOptions } from './types';

/**
 * Reconciliation plan between two configurations, by ServerId. `changed` means anything that affects how the server
 * runs or shows: its config, options, file, or problem (config error / shadowed). Warnings alone do not count.
 */
export interface ConfigPlan {
  readonly added: readonly ConfiguredServer[];
  readonly removed: readonly ConfiguredServer[];
  readonly changed: readonly { readonly before: ConfiguredServer; readonly after: ConfiguredServer }[];
  readonly unchanged: readonly ConfiguredServer[];
}

export function computePlan(before: readonly ConfiguredServer[], after: readonly ConfiguredServer[]): ConfigPlan {
  const prev = new Map<ServerId, ConfiguredServer>(before.map((s) => [s.id, s]));
  const next = new Map<ServerId, ConfiguredServer>(after.map((s) => [s.id, s]));
  const added: ConfiguredServer[] = [];
  const changed: { before: ConfiguredServer; after: ConfiguredServer }[] = [];
  const unchanged: ConfiguredServer[] = [];
  for (const s of next.values()) {
    const old = prev.get(s.id);
    if (!old) added.push(s);
    else if (deepEqual(essence(old), essence(s))) unchanged.push(s);
    else changed.push({ before: old, after: s });
  }
  const removed = [...prev.values()].filter((s) => !next.has(s.id));
  return { added, removed, changed, unchanged };
}

export function isEmptyPlan(plan: ConfigPlan): boolean {
  return plan.added.length === 0 && plan.removed.length === 0 && plan.changed.length === 0;
}

/**
 * Options a running server picks up without a restart: `autoStart` matters only when the window opens, `restart` is
 * the supervisor's policy (it takes the new one at once), `startupTimeoutMs` applies to the next start, `pinTools` is
 * the definition tracker's (it decides the next call by the new one).
 */
const LIVE_OPTIONS: ReadonlySet<keyof ServerOptions> = new Set<keyof ServerOptions>(['autoStart', 'restart', 'startupTimeoutMs', 'pinTools']);

/**
 * Whether a running server must restart for a changed definition to take effect: anything in how it is launched
 * (command, args, env, envFile, cwd, URL, headers) or in how its connection behaves (request timeout, ping, OAuth).
 * Where the definition is written (`file`) and the options in LIVE_OPTIONS do not need one.
 */
export function requiresRestart(before: ServerDefinition, after: ServerDefinition): boolean {
  if (!deepEqual(before.config, after.config)) return true;
  const keys = new Set([...Object.keys(before.options), ...Object.keys(after.options)] as (keyof ServerOptions)[]);
  return [...keys].some((k) => !LIVE_OPTIONS.has(k) && !deepEqual(before.options[k], after.options[k]));
}

function essence(s: ConfiguredServer): unknown {
  return { file: s.file, transport: s.transport, config: s.definition?.config, options: s.definition?.options, problem: s.problem };
}

/** Structural equality of JSON-like values; object key order does not matter, `undefined` properties are ignored. */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => deepEqual(x, b[i]));
  const ao = a as Record<string, unknown>;
  const bo = b as Record<string, unknown>;
  const ak = Object.keys(ao).filter((k) => ao[k] !== undefined);
  const bk = Object.keys(bo).filter((k) => bo[k] !== undefined);
  return ak.length === bk.length && ak.every((k) => Object.prototype.hasOwnProperty.call(bo, k) && deepEqual(ao[k], bo[k]));
}
