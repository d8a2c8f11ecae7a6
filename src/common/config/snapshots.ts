import type { ServerSnapshot } from '../model';
import { isWorkspaceDefined } from '../serverId';
import { DEFINITION_OK, type DefinitionState, STOPPED, type ServerStatus, presentedState } from '../serverState';
import type { ConfiguredServer } from './merge';

const NEEDS_TRUST: DefinitionState = { kind: 'needsTrust' };

/**
 * The snapshot the views show for a configured server, composed from its two states. The definition state: its config
 * problem, else `needsTrust` for a workspace-defined server in Restricted Mode, else what the runtime found when it
 * last resolved the configuration for a start (a configError), else ok. The runtime state: the runtime model's
 * (`runtime`, the server manager's snapshot) for a runnable entry, else stopped.
 */
export function snapshotFor(server: ConfiguredServer, runtime: ServerSnapshot | undefined, trusted: boolean): ServerSnapshot {
  const found = runtime?.status.definition;
  const definition: DefinitionState = server.problem
    ?? (!trusted && isWorkspaceDefined(server.source) ? NEEDS_TRUST
      : found?.kind === 'configError' && found.atStart ? found : DEFINITION_OK);
  const status: ServerStatus = { definition, runtime: server.problem ? STOPPED : runtime?.status.runtime ?? STOPPED };
  return {
    id: server.id, name: server.name, source: server.source,
    ...(server.file !== undefined ? { file: server.file } : {}),
    ...(server.transport ? { transport: server.transport } : {}),
    status,
    state: presentedState(status),
    ...(runtime?.pendingInput && status.runtime.kind === 'running' ? { pendingInput: runtime.pendingInput } : {}),
  };
}
