import type { ServerSnapshot } from '../model';
import { isWorkspaceDefined } from '../serverId';
import type { ServerState } from '../serverState';
import type { ConfiguredServer } from './merge';

/** States that come from configuration (and trust), as opposed to runtime states the server manager sets. */
const CONFIG_DERIVED: ReadonlySet<ServerState['kind']> = new Set(['configError', 'shadowed', 'needsTrust']);

/**
 * The snapshot the views show for a configured server: its config problem, else `needsTrust` for a workspace-defined
 * server in Restricted Mode, else the runtime state it already had (unchanged servers are untouched), else stopped.
 */
export function snapshotFor(server: ConfiguredServer, current: ServerSnapshot | undefined, trusted: boolean): ServerSnapshot {
  let state: ServerState;
  if (server.problem) state = server.problem;
  else if (!trusted && isWorkspaceDefined(server.source)) state = { kind: 'needsTrust' };
  else if (current && !CONFIG_DERIVED.has(current.state.kind)) state = current.state;
  else state = { kind: 'stopped' };
  return {
    id: server.id, name: server.name, source: server.source,
    ...(server.file !== undefined ? { file: server.file } : {}),
    ...(server.transport ? { transport: server.transport } : {}),
    state,
  };
}
