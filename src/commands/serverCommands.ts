import * as vscode from 'vscode';
import { SERVERS_VIEW_ID } from '../common/contracts';
import { UserFacingError } from '../common/errors';
import type { ServerSnapshot, ServersModel } from '../common/model';
import type { ServerId } from '../common/serverId';
import { canRestart, canStart, canStop } from '../common/serverPredicates';
import { type CommandTable, withServer } from './commandRunner';
import { pickServer } from './pickers';

/** The servers as the commands drive them: the views' model plus start / stop / restart (ServerFeatures implements it). */
export interface ServerLifecycle extends ServersModel {
  start(id: ServerId): Promise<void>;
  stop(id: ServerId): Promise<void>;
  restart(id: ServerId): Promise<void>;
}

export interface ServerCommandDeps {
  readonly servers: ServerLifecycle;
  readonly showServerLog: (server: ServerSnapshot) => void;
  /** Brings the form a server waits on to the front; false when none is open (a link's modal shows by itself). */
  readonly revealPendingInput?: (id: ServerId) => boolean;
}

/** Runs one server operation with progress in the Servers view itself (no toast), failing as withServer does. */
function operate(verb: string, s: ServerSnapshot, task: () => Promise<void>): Promise<void> {
  return withServer(s, `${verb} '${s.name}'`, () => vscode.window.withProgress({ location: { viewId: SERVERS_VIEW_ID } }, task));
}

export function serverCommands({ servers, showServerLog, revealPendingInput }: ServerCommandDeps): Pick<CommandTable, 'startServer' | 'stopServer' | 'restartServer' | 'showServerLog' | 'showPendingInput'> {
  return {
    startServer: async (arg) => {
      const s = await pickServer(servers, arg, 'Start which server?', canStart, 'start');
      await operate('start', s, () => servers.start(s.id));
    },
    stopServer: async (arg) => {
      const s = await pickServer(servers, arg, 'Stop which server?', canStop, 'stop');
      await operate('stop', s, () => servers.stop(s.id));
    },
    restartServer: async (arg) => {
      const s = await pickServer(servers, arg, 'Restart which server?', canRestart, 'restart');
      await operate('restart', s, () => servers.restart(s.id));
    },
    showServerLog: async (arg) => {
      const s = await pickServer(servers, arg, 'Show the log of which server?');
      showServerLog(s);
    },
    showPendingInput: async (arg) => {
      const s = await pickServer(servers, arg, 'Show the input which server waits for?', (x) => x.pendingInput !== undefined, (x) => `'${x.name}' is not waiting for input.`);
      if (!revealPendingInput?.(s.id)) throw new UserFacingError(`'${s.name}' waits for an answer in a dialog, not in a form.`);
    },
  };
}
