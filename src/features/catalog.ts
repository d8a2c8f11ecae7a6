import type * as vscode from 'vscode';
import type { ServerSnapshot, ServersModel } from '../common/model';
import type { CatalogCommandDeps } from '../commands/catalogCommands';
import type { CatalogRequests } from '../commands/toolCall';
import type { Logger } from '../log';
import { CallToolPanels } from '../views/callToolPanel';
import { McpDocuments } from '../views/mcpDocuments';

export interface CatalogFeatureDeps {
  readonly context: vscode.ExtensionContext;
  readonly logger: Logger;
  readonly servers: ServersModel;
  readonly requests: CatalogRequests;
  readonly showServerLog: (server: ServerSnapshot) => void;
}

/**
 * Exercising servers: the read-only document provider (resources, prompts, tool results) and the Call Tool forms,
 * registered for disposal here; returns what the catalog commands need.
 */
export function registerCatalogFeatures(deps: CatalogFeatureDeps): CatalogCommandDeps {
  const log = deps.logger.scoped('catalog');
  const documents = new McpDocuments();
  const panels = new CallToolPanels({ extensionUri: deps.context.extensionUri, requests: deps.requests, documents, showServerLog: deps.showServerLog, log });
  deps.context.subscriptions.push(documents, panels);
  return {
    servers: deps.servers,
    requests: deps.requests,
    openDocument: (kind, server, name, doc) => documents.open(kind, server, name, doc),
    showToolForm: (server, tool) => panels.show(server, tool),
    log,
  };
}
