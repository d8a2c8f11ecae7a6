import * as vscode from 'vscode';
import { EXTENSION_LOG_NAME } from './common/contracts';
import { Redactor } from './common/redact';
import { registerCommands } from './commands';
import { Logger } from './log';
import { ServerRegistry } from './servers/serverRegistry';
import { ServersTree } from './views/serversTree';
import { Notifier } from './vscode-adapters/notifier';
import { SecretStore } from './vscode-adapters/secretStore';

/** Composition root: constructs, registers for disposal, and wires. No behaviour lives here. */
export function activate(context: vscode.ExtensionContext): void {
  const redactor = new Redactor();
  const logger = new Logger(EXTENSION_LOG_NAME, redactor);
  context.subscriptions.push(logger);
  const log = logger.scoped('activate');
  try {
    log.info(`MCP Manager ${(context.extension.packageJSON as { version: string }).version} activating (VS Code ${vscode.version}, log level ${vscode.LogLevel[logger.channel.logLevel]}, trusted: ${vscode.workspace.isTrusted})`);
    const notifier = new Notifier(() => logger.show());
    const secrets = new SecretStore(context.secrets, redactor, logger.scoped('secrets'));
    void secrets;
    const registry = new ServerRegistry();
    const tree = new ServersTree(registry);
    context.subscriptions.push(registry, tree, ...registerCommands({ logger, notifier, tree }));
    log.info('activated');
  } catch (err) {
    log.error(err instanceof Error ? err : String(err));
    void vscode.window.showErrorMessage('MCP Manager failed to start. See the "MCP Manager" log for details.');
    throw err;
  }
}

export function deactivate(): void {
  // Everything is owned by context.subscriptions; server shutdown joins here with the supervision feature.
}
