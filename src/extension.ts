import * as vscode from 'vscode';
import { EXTENSION_LOG_NAME, commandId } from './common/contracts';
import type { ServersModel } from './common/model';
import { Redactor } from './common/redact';
import { describeEndpoint } from './common/treeModel';
import { registerCommands } from './commands';
import { registerRemoteFeatures } from './auth/remoteFeatures';
import { registerConfigFeatures } from './config';
import { ServerFeatures } from './features/servers';
import { Logger } from './log';
import { ServersTree } from './views/serversTree';
import { CallToolPanels } from './views/callToolPanel';
import { McpDocuments } from './views/mcpDocuments';
import { StatusItem } from './views/statusItem';
import { Notifier, notifyFailures } from './vscode-adapters/notifier';
import { SecretStore } from './vscode-adapters/secretStore';

let servers: ServerFeatures | undefined;

/** What activate() returns: a read-only view of the servers (used by the in-host tests; stable for other extensions). */
export interface McpManagerApi {
  readonly servers: ServersModel;
}

/** Composition root: constructs, registers for disposal, and wires. No behaviour lives here. */
export function activate(context: vscode.ExtensionContext): McpManagerApi {
  const redactor = new Redactor();
  const logger = new Logger(EXTENSION_LOG_NAME, redactor);
  context.subscriptions.push(logger);
  const log = logger.scoped('activate');
  try {
    log.info(`MCP Manager ${(context.extension.packageJSON as { version: string }).version} activating (VS Code ${vscode.version}, log level ${vscode.LogLevel[logger.channel.logLevel]}, trusted: ${vscode.workspace.isTrusted})`);
    const secrets = new SecretStore(context.secrets, redactor, logger.scoped('secrets'));
    const config = registerConfigFeatures({ context, logger, secrets });
    const remote = registerRemoteFeatures({
      secrets, redactor, logger, resolveLaunch: config.resolveLaunch,
      definitionOf: (id) => config.service.definitions.find((d) => d.id === id),
      clearOtherData: async () => { config.inputs.forget(); await config.gate.forgetConfirmations(); },
    });
    const features = servers = new ServerFeatures({ context, logger, redactor, config, transports: remote.transports });
    const { registry, manager, logs } = features;
    remote.bindServers({ servers: registry, restart: (id) => manager.restart(id), stop: (id) => manager.stop(id) });
    const notifier = new Notifier((serverId) => {
      const snap = registry.list().find((s) => s.id === serverId);
      if (snap) logs.show(snap.id, snap.name); else logger.show();
    });
    const documents = new McpDocuments();
    const catalogLog = logger.scoped('catalog');
    const toolForms = new CallToolPanels({ extensionUri: context.extensionUri, requests: manager, documents, showServerLog: (s) => logs.show(s.id, s.name), log: catalogLog });
    const tree = new ServersTree(registry, manager, (id) => describeEndpoint(config.service.definitions.find((d) => d.id === id)?.config, redactor));
    context.subscriptions.push(
      config, remote, features, documents, toolForms, tree, new StatusItem(registry), notifyFailures(registry, notifier, (id) => vscode.commands.executeCommand(commandId('signIn'), id)),
      tree.onDidExpandServer((s) => features.onExpand(s.id)),
      ...registerCommands({
        logger, notifier, tree,
        config: { config, secrets, globalStorageUri: context.globalStorageUri, log: logger.scoped('config'), servers: registry },
        servers: {
          servers: { list: () => registry.list(), get: (id) => registry.get(id), onDidChange: registry.onDidChange, whenReady: () => features.ready, start: (id) => manager.start(id), stop: (id) => manager.stop(id), restart: (id) => manager.restart(id) },
          showServerLog: (s) => logs.show(s.id, s.name),
        },
        remote,
        catalog: { servers: registry, requests: manager, documents, toolForms, log: catalogLog },
        reload: async () => {
          await config.service.reload();
          await Promise.allSettled(registry.list().filter((s) => s.state.kind === 'running').map((s) => manager.refreshCatalog(s.id)));
        },
      }),
    );
    log.info('activated');
    return { servers: registry };
  } catch (err) {
    log.error(err instanceof Error ? err : String(err));
    void vscode.window.showErrorMessage('MCP Manager failed to start. See the "MCP Manager" log for details.');
    throw err;
  }
}

/** VS Code waits (briefly) for this: every server is stopped in parallel under a deadline, then process groups are killed. */
export async function deactivate(): Promise<void> {
  await servers?.shutdown();
  servers = undefined;
}
