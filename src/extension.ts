import * as vscode from 'vscode';
import { CONTEXT_KEYS, EXTENSION_LOG_NAME, commandId } from './common/contracts';
import type { DefinitionState } from './common/definitions';
import type { ServerSnapshot, ServersModel } from './common/model';
import type { ServerId } from './common/serverId';
import { Redactor } from './common/redact';
import { describeEndpoint } from './common/treeModel';
import { registerCommands } from './commands';
import { registerConfigFeatures } from './config';
import { RemoteFeatures } from './features/remote';
import { ChatSharing, chatApiAvailable } from './features/chatSharing';
import { ServerFeatures } from './features/servers';
import { Logger } from './log';
import { CallToolPanels } from './views/callToolPanel';
import { ElicitationPrompts } from './views/elicitationPanel';
import { McpDocuments } from './views/mcpDocuments';
import { ServersTree } from './views/serversTree';
import { StatusItem } from './views/statusItem';
import { Notifier, notifyDefinitionChanges, notifyFailures } from './vscode-adapters/notifier';
import { SecretStore } from './vscode-adapters/secretStore';

let servers: ServerFeatures | undefined;

/** What activate() returns: a read-only view of the servers (used by the in-host tests; stable for other extensions). */
export interface McpManagerApi {
  readonly servers: ServersModel;
  /**
   * Each running server's definitions against what the user approved (issue 15): the approved and current snapshots
   * (hashes per item and field), their diff, the pinning policy and the tools kept blocked. A copy per call.
   */
  readonly definitions: {
    get(id: ServerId): DefinitionState | undefined;
    readonly onDidChange: ServersModel['onDidChange'];
  };
}

/**
 * Composition root: constructs each part after the parts it needs, registers it for disposal as soon as it exists, and
 * wires the parts together. The behaviour lives in the parts; the lambdas here only forward.
 */
export function activate(context: vscode.ExtensionContext): McpManagerApi {
  const push = <T extends vscode.Disposable>(disposable: T): T => { context.subscriptions.push(disposable); return disposable; };
  const redactor = new Redactor();
  const logger = push(new Logger(EXTENSION_LOG_NAME, redactor));
  const log = logger.scoped('activate');
  try {
    log.info(`MCP Manager ${(context.extension.packageJSON as { version: string }).version} activating (VS Code ${vscode.version}, log level ${vscode.LogLevel[logger.channel.logLevel]}, trusted: ${vscode.workspace.isTrusted})`);
    const secrets = new SecretStore(context.secrets, redactor, logger.scoped('secrets'));
    const config = push(registerConfigFeatures({ context, logger, secrets }));
    // Before the servers: they are built with its HTTP/SSE transports.
    const remote = push(new RemoteFeatures({ secrets, redactor, logger, definitions: config.service }));
    const elicitations = push(new ElicitationPrompts(context.extensionUri));
    const features = servers = push(new ServerFeatures({ context, logger, redactor, config, transports: remote.transports, elicitation: elicitations }));
    const showServerLog = (s: ServerSnapshot) => features.logs.show(s.id, s.name);
    const notifier = new Notifier((serverId) => features.showLog(serverId), redactor);
    const documents = push(new McpDocuments());
    const catalogLog = logger.scoped('catalog');
    const toolForms = push(new CallToolPanels({ extensionUri: context.extensionUri, requests: features.manager, documents, showServerLog, log: catalogLog }));
    const sharing = push(new ChatSharing(features.registry, features.manager, logger.scoped('chat')));
    const tree = push(new ServersTree(features.registry, features.manager, {
      endpointOf: (id) => describeEndpoint(config.service.definition(id)?.config, redactor), usage: features.processes, sharedWithChat: (id) => sharing.isShared(id),
    }));
    push(sharing.onDidChangeShared(() => tree.refresh()));
    void vscode.commands.executeCommand('setContext', CONTEXT_KEYS.chatApi, chatApiAvailable());
    push(tree.onDidExpandServer((s) => features.onExpand(s.id)));
    push(new StatusItem(features.registry, features.manager, features.processes));
    push(notifyFailures(features.registry, notifier, (id) => vscode.commands.executeCommand(commandId('signIn'), id)));
    push(notifyDefinitionChanges(features.manager.onDidDetectDefinitionChanges, notifier, (id) => vscode.commands.executeCommand(commandId('reviewToolChanges'), id)));
    for (const command of registerCommands({
      logger, notifier, tree,
      config: { config, secrets, globalStorageUri: context.globalStorageUri, log: logger.scoped('config'), servers: features.registry },
      servers: { servers: features, showServerLog, revealPendingInput: (id) => elicitations.reveal(id) },
      remote: { remote, servers: features, config, secrets, forgetApprovals: () => features.manager.forgetApprovals(), log: logger.scoped('remote') },
      catalog: { servers: features.registry, requests: features.manager, documents, toolForms, log: catalogLog },
      definitions: { servers: features.registry, definitions: features.manager, documents, log: catalogLog },
      chat: { servers: features.registry, sharing },
      export: { config, servers: features.registry, log: logger.scoped('config') },
      reload: () => features.reloadAll(),
    })) push(command);
    log.info('activated');
    return {
      servers: features.registry,
      definitions: { get: (id) => { const state = features.manager.getDefinitions(id); return state && structuredClone(state); }, onDidChange: features.manager.onDidChange },
    };
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
