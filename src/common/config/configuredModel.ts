import { Emitter, type IDisposable, Disposable } from '../lifecycle';
import type { ServerSnapshot, ServersModel } from '../model';
import type { ServerId } from '../serverId';
import type { ConfiguredServer } from './merge';
import { snapshotFor } from './snapshots';

export interface ConfiguredServersSource {
  readonly servers: readonly ConfiguredServer[];
  onDidChange(listener: () => void): IDisposable;
  /** Resolves after the first load. */
  readonly ready?: Promise<void>;
}

/**
 * The views' ServersModel when a runtime model (the server manager, which only knows runnable definitions) exists:
 * every configured entry is listed with its two states (snapshotFor): the definition state from configuration and
 * trust, the runtime state from the runtime model.
 */
export class ConfiguredServersModel extends Disposable implements ServersModel {
  private readonly emitter = this._register(new Emitter<readonly ServerId[] | 'all'>());
  readonly onDidChange = this.emitter.event;

  constructor(private readonly config: ConfiguredServersSource, private readonly runtime: ServersModel, private readonly trusted: () => boolean) {
    super();
    this._register(config.onDidChange(() => this.emitter.fire('all')));
    this._register(runtime.onDidChange((ids) => this.emitter.fire(ids)));
  }

  /** Call when trust changes (onDidGrantWorkspaceTrust). */
  trustChanged(): void { this.emitter.fire('all'); }

  trustChangedOn(event: (listener: () => void) => IDisposable): void {
    this._register(event(() => this.trustChanged()));
  }

  whenReady(): Promise<void> { return this.config.ready ?? Promise.resolve(); }

  list(): readonly ServerSnapshot[] {
    return this.config.servers.map((s) => this.snapshot(s));
  }

  get(id: ServerId): ServerSnapshot | undefined {
    const s = this.config.servers.find((x) => x.id === id);
    return s && this.snapshot(s);
  }

  private snapshot(s: ConfiguredServer): ServerSnapshot {
    return snapshotFor(s, s.problem ? undefined : this.runtime.get(s.id), this.trusted());
  }
}
