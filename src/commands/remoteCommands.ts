import * as vscode from 'vscode';
import { toAbortSignal } from '../common/cancellation';
import type { ServerDefinition } from '../common/config/types';
import { UserCancelledError, UserFacingError } from '../common/errors';
import { assertNever } from '../common/serverState';
import type { ServerSnapshot } from '../common/model';
import { canSignIn } from '../common/serverPredicates';
import type { ConfigFeatures } from '../config';
import type { RemoteFeatures } from '../features/remote';
import type { ComponentLogger } from '../log';
import { hasAuthorizationHeader } from '../remote/httpTransport';
import type { SecretStore } from '../vscode-adapters/secretStore';
import type { CommandTable } from './commandRunner';
import { pickServer } from './pickers';
import type { ServerLifecycle } from './serverCommands';

export interface RemoteCommandDeps {
  readonly remote: Pick<RemoteFeatures, 'signIn' | 'signOut' | 'forgetAll'>;
  readonly servers: ServerLifecycle;
  /** Definitions and the start gate (trust, first-connection consent, then URL and headers); Clear All Stored Data also forgets what the config feature keeps. */
  readonly config: Pick<ConfigFeatures, 'service' | 'prepareStart' | 'forgetStoredData'>;
  readonly secrets: Pick<SecretStore, 'clearAll'>;
  /** Clear All Stored Data also forgets the approved tool definitions. */
  readonly forgetApprovals: () => Promise<void>;
  readonly log: ComponentLogger;
}

/** Sign In to Server, Sign Out of Server, Clear All Stored Data.... */
export function remoteCommands(deps: RemoteCommandDeps): Pick<CommandTable, 'signIn' | 'signOut' | 'clearAllData'> {
  const { remote, servers, config, log } = deps;

  const pickRemote = async (arg: unknown, placeHolder: string, applies: (s: ServerSnapshot) => boolean, verb: string): Promise<{ snapshot: ServerSnapshot; definition: ServerDefinition }> => {
    const snapshot = await pickServer(servers, arg, placeHolder, applies, verb);
    const definition = config.service.definition(snapshot.id);
    if (!definition) throw new Error(`Server '${snapshot.name}' is no longer configured`);
    return { snapshot, definition };
  };

  return {
    signIn: async (arg) => {
      const { snapshot, definition } = await pickRemote(arg, 'Sign in to which server?', canSignIn, 'sign in to');
      // Through the start gate (review M9): in Restricted Mode nothing is prompted, resolved or requested, and a
      // workspace server's first connection is confirmed before discovery reaches its URL.
      const prepared = await config.prepareStart(definition);
      switch (prepared.kind) {
        case 'ready': break;
        case 'needsTrust': throw new UserFacingError(`'${snapshot.name}' is defined by the workspace, which is in Restricted Mode. Trust the workspace to sign in.`);
        case 'cancelled': throw new UserCancelledError();
        case 'configError': throw new UserFacingError(prepared.reason);
        default: assertNever(prepared);
      }
      const launch = prepared.launch;
      if (launch.type === 'stdio') throw new Error(`'${snapshot.name}' is not a remote server`);
      if (hasAuthorizationHeader(launch.headers)) {
        void vscode.window.showInformationMessage(`'${snapshot.name}' uses a configured Authorization header; it does not sign in with OAuth.`);
        return;
      }
      await vscode.window.withProgress({
        location: vscode.ProgressLocation.Notification, title: `Signing in to '${snapshot.name}'… finish in your browser`, cancellable: true,
      }, async (_progress, token) => {
        const cancel = toAbortSignal(token);
        try {
          await remote.signIn(definition, launch.url, cancel.signal);
        } finally {
          cancel.dispose();
        }
      });
      log.info(`${snapshot.name}: signed in; restarting`);
      await servers.restart(snapshot.id);
    },

    signOut: async (arg) => {
      const { snapshot, definition } = await pickRemote(arg, 'Sign out of which server?', (s) => s.transport === 'http' || s.transport === 'sse', 'sign out of');
      await remote.signOut(definition);
      if (snapshot.state.kind === 'running' || snapshot.state.kind === 'starting') await servers.stop(snapshot.id);
      void vscode.window.showInformationMessage(`Signed out of '${snapshot.name}'.`);
    },

    clearAllData: async () => {
      const choice = await vscode.window.showWarningMessage('Clear all data MCP Manager stored?', {
        modal: true,
        detail: 'This deletes every stored secret: input values, header values, OAuth tokens and client registrations, and remembered consent (first starts, approved tool definitions). Remote servers will ask you to sign in again.',
      }, 'Clear All');
      if (choice !== 'Clear All') return;
      const count = await deps.secrets.clearAll();
      await config.forgetStoredData();
      await deps.forgetApprovals();
      remote.forgetAll();
      void vscode.window.showInformationMessage(`Cleared ${count} stored item(s).`);
    },
  };
}
