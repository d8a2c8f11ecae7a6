import type { Prompt, Resource, ResourceTemplateType as ResourceTemplate, Tool } from '@modelcontextprotocol/client';
import type { IDisposable } from './lifecycle';
import type { ServerId, ServerSource } from './serverId';
import type { ServerState, ServerStatus } from './serverState';
import type { Transport } from './config/types';

/** Everything a running server offers, as last listed (the tree and the commands read it). */
export interface CatalogView {
  readonly tools: readonly Tool[];
  readonly resources: readonly Resource[];
  readonly resourceTemplates: readonly ResourceTemplate[];
  readonly prompts: readonly Prompt[];
  /** Epoch ms of the last completed listing; 0 while the first one is still under way. */
  readonly updatedAt: number;
  /** Why the last listing failed (the lists shown are the previous ones). */
  readonly error?: string;
  /** The lists the server offered more of than the caps allow (loadCatalog's MAX_LIST_PAGES / MAX_LIST_ITEMS). */
  readonly truncated?: Readonly<Partial<Record<CatalogList, true>>>;
}

/** The four lists of a catalog (the tree's groups). */
export type CatalogList = 'tools' | 'resources' | 'resourceTemplates' | 'prompts';

/** What the UI knows about one server: a read-only snapshot, replaced (not mutated) on every change. */
export interface ServerSnapshot {
  readonly id: ServerId;
  readonly name: string;
  readonly source: ServerSource;
  readonly file?: string;
  /** Undefined only for a config error that prevented reading the entry's type. */
  readonly transport?: Transport;
  /** Its two states: what its definition allows, and what its process does. Predicates take this. */
  readonly status: ServerStatus;
  /** The state shown (derived from `status` by presentedState): one of the nine contract states. */
  readonly state: ServerState;
  /**
   * The server waits on the user (an open elicitation). Apart from the state: it neither changes the lifecycle nor its
   * contract states, and goes with the connection that asked.
   */
  readonly pendingInput?: PendingInput;
}

/** A server waiting on the user (an open elicitation, src/common/elicitation.ts), as its tree row shows it. */
export interface PendingInput {
  readonly mode: 'form' | 'url';
  /** The server's message, one line, clipped and redacted. */
  readonly message: string;
  readonly since: number;
  /** Open requests of this server (the oldest one is described). */
  readonly count: number;
}

/** The read side of the server service, as the views consume it. */
export interface ServersModel {
  readonly onDidChange: (listener: (changed: readonly ServerId[] | 'all') => void) => IDisposable;
  list(): readonly ServerSnapshot[];
  get(id: ServerId): ServerSnapshot | undefined;
  /** Resolves once the list is complete (the configuration was read); commands wait for it before picking. */
  whenReady?(): Promise<void>;
}

/** The lists of a catalog that can be re-listed one by one (resources include resource templates). */
export type CatalogKind = 'tools' | 'resources' | 'prompts';

/**
 * Everything a running server offers, as last listed. Replaced (not mutated) on every refresh. `updatedAt` is 0 until
 * the first listing completes, and while the server is not running.
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- the supervisor's name for the views' CatalogView
export interface ServerCatalog extends CatalogView {}

export const EMPTY_CATALOG: ServerCatalog = { tools: [], resources: [], resourceTemplates: [], prompts: [], updatedAt: 0 };

/** Health facts of one server that are not part of its state. */
export interface ServerHealth {
  readonly lastPingLatencyMs?: number;
  /** Automatic restarts since the user last started it. */
  readonly restarts?: number;
  /** How the previous process or connection ended (e.g. "exited with code 3"). */
  readonly lastExit?: string;
  readonly lastPingAt?: number;
}

/** Per-request options of the requests a running server answers (tools/call, resources/read, prompts/get…). */
export interface RequestCallOptions {
  /** Overrides ServerOptions.requestTimeoutMs; progress notifications reset it, up to 10 × it in all (MAX_TOTAL_TIMEOUT_FACTOR). */
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
  readonly onProgress?: (progress: { progress: number; total?: number; message?: string }) => void;
}
