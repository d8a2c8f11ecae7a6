import type { IDisposable } from './lifecycle';
import type { ServerId, ServerSource } from './serverId';
import type { ServerState } from './serverState';
import type { Transport } from './config/types';

/** What the UI knows about one server: a read-only snapshot, replaced (not mutated) on every change. */
export interface ServerSnapshot {
  readonly id: ServerId;
  readonly name: string;
  readonly source: ServerSource;
  readonly file?: string;
  /** Undefined only for a config error that prevented reading the entry's type. */
  readonly transport?: Transport;
  readonly state: ServerState;
}

/** The read side of the server service, as the views consume it. */
export interface ServersModel {
  readonly onDidChange: (listener: (changed: readonly ServerId[] | 'all') => void) => IDisposable;
  list(): readonly ServerSnapshot[];
  get(id: ServerId): ServerSnapshot | undefined;
  /** Resolves once the list is complete (the configuration was read); commands wait for it before picking. */
  whenReady?(): Promise<void>;
}
