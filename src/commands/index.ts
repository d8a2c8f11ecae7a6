import type * as vscode from 'vscode';
import type { CommandVerb } from '../common/contracts';
import type { Logger } from '../log';
import type { Notifier } from '../vscode-adapters/notifier';
import type { ServersTree } from '../views/serversTree';
import { addServer } from './addServer';
import { type CatalogCommandDeps, catalogCommands } from './catalogCommands';
import { type CommandHandler, registerCommand } from './commandRunner';
import { type ConfigCommandDeps, clearSecrets, importServers, setSecret } from './configCommands';
import { openConfiguration } from './openConfiguration';
import { type ServerCommandDeps, serverCommands } from './serverCommands';

export interface CommandDeps {
  readonly logger: Logger;
  readonly notifier: Notifier;
  readonly tree: ServersTree;
  /** Server configuration: Add Server..., Import Servers..., Set Secret..., Clear Secrets.... */
  readonly config: ConfigCommandDeps;
  /** Server lifecycle: Start / Stop / Restart Server, Show Server Log. */
  readonly servers: ServerCommandDeps;
  /** Exercising servers: Call Tool..., Read Resource..., Read Resource Template..., Get Prompt..., Copy Tool Schema, Copy Resource URI. */
  readonly catalog: CatalogCommandDeps;
  /** Remote servers: Sign In to Server, Sign Out of Server, Clear All Stored Data.... */
  readonly remote: { commands(): Partial<Record<CommandVerb, CommandHandler>> };
  /** Re-reads the configuration and every running server's catalog. */
  readonly reload: () => Promise<void>;
}

/**
 * The implemented commands. package.json declares exactly these (test/unit/manifest.test.ts and the in-host
 * test/integration/extension.test.ts check both directions).
 */
export function commandTable(deps: CommandDeps): Partial<Record<CommandVerb, CommandHandler>> {
  return {
    openConfiguration: () => openConfiguration(),
    showExtensionLog: () => deps.logger.show(),
    refresh: async () => { await deps.reload(); deps.tree.refresh(); },
    ...configCommandTable(deps.config),
    ...serverCommands(deps.servers),
    ...catalogCommands(deps.catalog),
    ...deps.remote.commands(),
  };
}

function configCommandTable(config: ConfigCommandDeps): Partial<Record<CommandVerb, CommandHandler>> {
  return {
    addServer: () => addServer(config),
    importServers: () => importServers(config),
    setSecret: () => setSecret(config),
    clearSecrets: () => clearSecrets(config),
  };
}

export function registerCommands(deps: CommandDeps): vscode.Disposable[] {
  const log = deps.logger.scoped('commands');
  return Object.entries(commandTable(deps)).map(([verb, handler]) => registerCommand(verb as CommandVerb, handler, log, deps.notifier));
}
