import type { ServerDefinition } from '../common/config/types';
import {
  type ApprovalRecord, type CallDecision, type DefinitionDiff, type DefinitionSnapshot, type DefinitionState, type PinPolicy,
  approvalOf, approveIds, catalogItems, decideCall, definitionText, describeDiff, diffSnapshots, isEmptyDiff, keepBlockedIds, snapshotOf,
} from '../common/definitions';
import { Disposable, Emitter } from '../common/lifecycle';
import type { ServerCatalog } from '../common/model';
import { type ServerId, credentialId } from '../common/serverId';
import type { LogLevel } from './logSink';

export type { DefinitionState };

/** Where approvals live (the extension's global state; tests use a Map). Keys are a server's owner and name. */
export interface DefinitionStore {
  get(key: string): ApprovalRecord | undefined;
  set(key: string, record: ApprovalRecord | undefined): Promise<void>;
  /** Forgets every server's approvals (Clear All Stored Data). */
  clear(): Promise<void>;
}

/** Changes of tools or prompts (what a model reads) that were not announced yet. */
export interface DefinitionChangeEvent { readonly id: ServerId; readonly name: string; readonly policy: PinPolicy; readonly diff: DefinitionDiff }

export const DEFAULT_PIN_POLICY: PinPolicy = 'warn';
export const pinPolicyOf = (def: ServerDefinition): PinPolicy => def.options.pinTools ?? DEFAULT_PIN_POLICY;

const EMPTY_SNAPSHOT: DefinitionSnapshot = { v: 1, takenAt: 0, entries: {} };

export interface DefinitionTrackerOptions {
  readonly store: DefinitionStore;
  /** Masks registered secrets in the definition texts kept for a review. */
  readonly redact: (text: string) => string;
  /** The server's log (its policy decisions are logged there). */
  readonly log: (id: ServerId, level: LogLevel, message: string) => void;
  readonly now?: () => number;
}

/**
 * Tool-definition tracking and pinning (issue 15): each listing of a server is compared with the snapshot the user
 * approved for that server (by owner and name, so another checkout's same-named server has its own); the first
 * listing is approved implicitly unless `pinTools` is `block`. Holds, per running server, the diff and the texts a
 * review shows; decides whether a tool may be called. `off` tracks nothing.
 */
export class DefinitionTracker extends Disposable {
  private readonly states = new Map<ServerId, DefinitionState>();
  /** The current definitions' texts, by server and item id (what Review shows on the right). */
  private readonly texts = new Map<ServerId, Readonly<Record<string, string>>>();
  /** The signature of the last change announced per server, so one change is announced once. */
  private readonly announced = new Map<ServerId, string>();
  private readonly _onDidChange = this._register(new Emitter<ServerId>());
  readonly onDidChange = this._onDidChange.event;
  private readonly _onDidDetectChanges = this._register(new Emitter<DefinitionChangeEvent>());
  /** Tools or prompts differ from what was approved, in a way not announced before. */
  readonly onDidDetectChanges = this._onDidDetectChanges.event;
  private readonly now: () => number;

  constructor(private readonly options: DefinitionTrackerOptions) {
    super();
    this.now = options.now ?? Date.now;
  }

  get(id: ServerId): DefinitionState | undefined { return this.states.get(id); }

  /** The texts a review shows for one item: as approved, and as the server lists it now (undefined: none). */
  reviewTexts(def: ServerDefinition, itemId: string): { readonly approved?: string; readonly current?: string } {
    return { approved: this.options.store.get(storeKey(def))?.texts[itemId], current: this.texts.get(def.id)?.[itemId] };
  }

  /** A listing completed, the server stopped (an empty, unlisted catalog), or its definition (policy) changed. */
  update(def: ServerDefinition, catalog: ServerCatalog): void {
    const policy = pinPolicyOf(def);
    if (!catalog.updatedAt || policy === 'off') { this.drop(def.id); return; }
    const current = snapshotOf(catalog, catalog.updatedAt);
    const texts: Record<string, string> = {};
    for (const { id, kind, key, item } of catalogItems(catalog)) texts[id] = this.options.redact(definitionText(kind, key, item));
    this.texts.set(def.id, texts);
    let record = this.options.store.get(storeKey(def));
    if (!record && policy === 'warn') {
      record = approveIds(undefined, current, texts, Object.keys(current.entries), this.now());
      this.save(def, record);
      this.options.log(def.id, 'info', `first listing approved as it is: ${Object.keys(current.entries).length} definition(s) (pinTools: ${policy})`);
    }
    this.publish(def, policy, current, record);
  }

  /** May `tool` be called now? A refusal is logged; so is a marked call let through, unless it is only a `check`. */
  decideCall(def: ServerDefinition, tool: string, check = false): CallDecision {
    const state = this.states.get(def.id);
    if (!state) return { allowed: true, warn: false };
    const id = `tool:${tool}`;
    const decision = decideCall(state.policy, tool, approvalOf(id, state.diff), state.keptBlocked.includes(id));
    if (!decision.allowed) this.options.log(def.id, 'warn', `tools/call '${tool}' refused (pinTools: ${state.policy}): ${decision.reason}`);
    else if (decision.warn && !check) this.options.log(def.id, 'warn', `tools/call '${tool}', which ${approvalOf(id, state.diff) === 'new' ? 'is new' : 'changed'} since approved: allowed (pinTools: ${state.policy})`);
    return decision;
  }

  /**
   * Approves these items as the user saw them (`seen`: id → the hash shown, null for a removal). An item that changed
   * again since is not approved: the result lists what was.
   */
  approve(def: ServerDefinition, seen: Readonly<Record<string, string | null>>): readonly string[] {
    const state = this.states.get(def.id);
    if (!state) return [];
    const ids = Object.keys(seen).filter((id) => (state.current.entries[id]?.hash ?? null) === seen[id]);
    if (!ids.length) return [];
    const record = approveIds(this.options.store.get(storeKey(def)), state.current, this.texts.get(def.id) ?? {}, ids, this.now());
    this.save(def, record);
    this.options.log(def.id, 'info', `approved: ${ids.join(', ')}`);
    this.publish(def, state.policy, state.current, record);
    return ids;
  }

  /** Keeps these tools blocked as the user saw them (any policy refuses them until approved). */
  keepBlocked(def: ServerDefinition, seen: Readonly<Record<string, string | null>>): readonly string[] {
    const state = this.states.get(def.id);
    if (!state) return [];
    const ids = Object.keys(seen).filter((id) => id.startsWith('tool:') && seen[id] !== null && state.current.entries[id]?.hash === seen[id]);
    if (!ids.length) return [];
    const record = keepBlockedIds(this.options.store.get(storeKey(def)), state.current, ids, this.now());
    this.save(def, record);
    this.options.log(def.id, 'info', `kept blocked: ${ids.join(', ')}`);
    this.publish(def, state.policy, state.current, record);
    return ids;
  }

  /** Forgets every approval; the servers' next update starts afresh (warn: their current lists become the approved ones). */
  async forgetAll(): Promise<void> {
    await this.options.store.clear();
    this.announced.clear();
  }

  /** The server is no longer configured (its approvals stay stored for when it comes back). */
  drop(id: ServerId): void {
    this.texts.delete(id);
    this.announced.delete(id);
    if (this.states.delete(id)) this._onDidChange.fire(id);
  }

  private publish(def: ServerDefinition, policy: PinPolicy, current: DefinitionSnapshot, record: ApprovalRecord | undefined): void {
    const diff = diffSnapshots(record?.approved ?? EMPTY_SNAPSHOT, current);
    const keptBlocked = Object.keys(record?.keptBlocked ?? {}).filter((id) => current.entries[id]?.hash === record?.keptBlocked[id]);
    this.states.set(def.id, { policy, ...(record ? { approved: record.approved } : {}), current, diff, keptBlocked });
    this._onDidChange.fire(def.id);
    // Tools and prompts are what a model reads: their changes are announced (once each); resources are only marked.
    const told = (id: string) => id.startsWith('tool:') || id.startsWith('prompt:');
    const modelDiff: DefinitionDiff = { added: diff.added.filter(told), removed: diff.removed.filter(told), changed: diff.changed.filter((c) => told(c.id)) };
    const signature = JSON.stringify([modelDiff.added.map((id) => [id, current.entries[id]?.hash]), modelDiff.removed, modelDiff.changed.map((c) => [c.id, current.entries[c.id]?.hash])]);
    if (isEmptyDiff(modelDiff)) { this.announced.delete(def.id); return; }
    if (this.announced.get(def.id) === signature) return;
    this.announced.set(def.id, signature);
    this.options.log(def.id, 'warn', `differs from what you approved (pinTools: ${policy}): ${describeDiff(diff)}`);
    this._onDidDetectChanges.fire({ id: def.id, name: def.name, policy, diff: modelDiff });
  }

  private save(def: ServerDefinition, record: ApprovalRecord): void {
    this.options.store.set(storeKey(def), record).catch((err: unknown) => {
      this.options.log(def.id, 'error', `could not store the approvals: ${err instanceof Error ? err.message : String(err)}`);
    });
  }
}

/** A server's approvals are stored by its owner and name (the SecretStorage id scheme's `<secretScope>#<name>`). */
export const storeKey = (def: Pick<ServerDefinition, 'source' | 'name'>): string => credentialId(def.source, def.name);
