import { Emitter } from '../common/lifecycle';
import type { ServerSnapshot, ServersModel } from '../common/model';
import type { ServerId } from '../common/serverId';

/** The in-memory list of servers the views read. Config loading and supervision write it; views only read. */
export class ServerRegistry implements ServersModel {
  private readonly byId = new Map<ServerId, ServerSnapshot>();
  private readonly emitter = new Emitter<readonly ServerId[] | 'all'>();
  readonly onDidChange = this.emitter.event;

  list(): readonly ServerSnapshot[] { return [...this.byId.values()]; }
  get(id: ServerId): ServerSnapshot | undefined { return this.byId.get(id); }

  /** Replaces the whole list (after a config reload). */
  replaceAll(snapshots: readonly ServerSnapshot[]): void {
    this.byId.clear();
    for (const s of snapshots) this.byId.set(s.id, s);
    this.emitter.fire('all');
  }

  /** Updates one server (after a state change). */
  update(snapshot: ServerSnapshot): void {
    this.byId.set(snapshot.id, snapshot);
    this.emitter.fire([snapshot.id]);
  }

  dispose(): void { this.emitter.dispose(); }
}
