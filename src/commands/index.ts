import type * as vscode from 'vscode';
import { COMMANDS, type CommandVerb } from '../common/contracts';
import type { Logger } from '../log';
import type { Notifier } from '../vscode-adapters/notifier';
import type { ServersTree } from '../views/serversTree';
import { addServer } from './addServer';
import { type CatalogCommandDeps, catalogCommands } from './catalogCommands';
import { type ChatCommandDeps, chatCommands } from './chatCommands';
import { type CommandTable, registerCommand } from './commandRunner';
import { type ConfigCommandDeps, clearSecrets, importServers, moveSecrets, setSecret } from './configCommands';
import { type DefinitionCommandDeps, definitionCommands } from './definitionCommands';
import { type ExportCommandDeps, exportCommands } from './exportCommands';
import { openConfiguration } from './openConfiguration';
import { type RemoteCommandDeps, remoteCommands } from './remoteCommands';
import { type ServerCommandDeps, serverCommands } from './serverCommands';

export interface CommandDeps {
  readonly logger: Logger;
  readonly notifier: Notifier;
  readonly tree: ServersTree;
  /** Server configuration: Add Server..., Import Servers..., Set Secret..., Clear Secrets..., Move Secrets to SecretStorage.... */
  readonly config: ConfigCommandDeps;
  /** Server lifecycle: Start / Stop / Restart Server, Show Server Log. */
  readonly servers: ServerCommandDeps;
  /** Exercising servers: Call Tool..., Read Resource..., Read Resource Template..., Get Prompt..., Copy Tool Schema, Copy Resource URI. */
  readonly catalog: CatalogCommandDeps;
  /** Remote servers: Sign In to Server, Sign Out of Server, Clear All Stored Data.... */
  readonly remote: RemoteCommandDeps;
  /** Definition changes: Review Tool Changes..., Approve Tool Changes, Keep Tool Blocked. */
  readonly definitions: DefinitionCommandDeps;
  /** Sharing with VS Code's chat: Share with VS Code Chat, Stop Sharing with VS Code Chat. */
  readonly chat: ChatCommandDeps;
  /** Export Server...: a server into another client's file. */
  readonly export: ExportCommandDeps;
  /** Re-reads the configuration and every running server's catalog. */
  readonly reload: () => Promise<void>;
}

/**
 * The handler of every contracted command. That every contracted command has one, and no handler is for a verb outside
 * the contract, is checked by the compiler (CommandTable); that package.json declares exactly the contracted commands,
 * by test/unit/manifest.test.ts; that the host registers exactly those, by test/integration/extension.test.ts.
 */
export function commandTable(deps: CommandDeps): CommandTable {
  return {
    openConfiguration: () => openConfiguration(),
    showExtensionLog: () => deps.logger.show(),
    refresh: async () => { await deps.reload(); deps.tree.refresh(); },
    ...configCommandTable(deps.config),
    ...serverCommands(deps.servers),
    ...catalogCommands(deps.catalog),
    ...remoteCommands(deps.remote),
    ...definitionCommands(deps.definitions),
    ...chatCommands(deps.chat),
    ...exportCommands(deps.export),
  };
}

function configCommandTable(config: ConfigCommandDeps): Pick<CommandTable, 'addServer' | 'importServers' | 'setSecret' | 'clearSecrets' | 'moveSecrets'> {
  return {
    addServer: () => addServer(config),
    importServers: () => importServers(config),
    setSecret: () => setSecret(config),
    clearSecrets: () => clearSecrets(config),
    moveSecrets: (uri, name) => moveSecrets(config, uri, name),
  };
}

export function registerCommands(deps: CommandDeps): vscode.Disposable[] {
  const log = deps.logger.scoped('commands');
  const table = commandTable(deps);
  return (Object.keys(COMMANDS) as CommandVerb[]).map((verb) => registerCommand(verb, table[verb], log, deps.notifier));
}
