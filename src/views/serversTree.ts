import type { Prompt, Resource, ResourceTemplateType as ResourceTemplate, Tool } from '@modelcontextprotocol/client';
import * as vscode from 'vscode';
import { type CatalogGroup, type CatalogView, catalogGroups, catalogSummary, markedRow, pendingRow, promptRow, resourceRow, resourceTemplateRow, toolRow } from '../common/catalogTree';
import { type DefinitionState, itemMark, toolsCost } from '../common/definitions';
import { type ProcessUsage, formatProcessUsage } from '../common/processUsageText';
import { COMMANDS, CONTEXT_KEYS, SERVERS_VIEW_ID, commandId } from '../common/contracts';
import { Disposable, type IDisposable } from '../common/lifecycle';
import type { ServerHealth, ServerSnapshot, ServersModel } from '../common/model';
import type { ServerId } from '../common/serverId';
import { type ServerRowDetails, type TreeRow, serverRow, sortServers } from '../common/treeModel';

/** What the tree needs beyond the server list: catalogs and health (the ServerManager provides them). */
export interface CatalogSource {
  getCatalog(id: ServerId): CatalogView;
  getHealth(id: ServerId): ServerHealth;
  readonly onDidChangeCatalog: (listener: (e: { readonly id: ServerId }) => void) => IDisposable;
  /** A ping answered: the server's row (tooltip: last ping, uptime) is refreshed. */
  readonly onDidChangeHealth?: (listener: (e: { readonly id: ServerId }) => void) => IDisposable;
  /** Its definitions against what was approved (changes come as the model's onDidChange). */
  getDefinitions?(id: ServerId): DefinitionState | undefined;
}

/** Process-tree samples of running stdio servers, taken while held (src/servers/processUsage.ts). */
export interface ProcessUsageSource {
  get(id: ServerId): ProcessUsage | undefined;
  hold(): IDisposable;
  readonly onDidSample?: (listener: (ids: readonly string[]) => void) => IDisposable;
}

/** Facts of a server row from elsewhere than the catalog: its command line or URL, process samples, chat sharing. */
export interface ServerRowSources {
  readonly endpointOf?: (id: ServerId) => string | undefined;
  readonly usage?: ProcessUsageSource;
  readonly sharedWithChat?: (id: ServerId) => boolean;
}

/** A server node keeps its identity across refreshes (VS Code matches nodes by object); its snapshot is replaced. */
export interface ServerNode { readonly kind: 'server'; server: ServerSnapshot }

export type ServersTreeNode =
  | ServerNode
  | { readonly kind: 'pending'; readonly serverId: ServerId; readonly row: TreeRow }
  | { readonly kind: 'group'; readonly serverId: ServerId; readonly group: CatalogGroup; readonly row: TreeRow }
  | { readonly kind: 'tool'; readonly serverId: ServerId; readonly tool: Tool }
  | { readonly kind: 'resource'; readonly serverId: ServerId; readonly resource: Resource }
  | { readonly kind: 'resourceTemplate'; readonly serverId: ServerId; readonly template: ResourceTemplate }
  | { readonly kind: 'prompt'; readonly serverId: ServerId; readonly prompt: Prompt };

/** Coalescing window for bursts of model events (ms). */
const REFRESH_COALESCE_MS = 50;

export function toTreeItem(row: TreeRow, id: string): vscode.TreeItem {
  const item = new vscode.TreeItem(row.label, row.collapsible ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None);
  item.id = id;
  item.description = row.description;
  item.tooltip = row.tooltip;
  item.contextValue = row.contextValue;
  item.accessibilityInformation = { label: row.accessibilityLabel };
  item.iconPath = new vscode.ThemeIcon(row.icon, row.iconColor ? new vscode.ThemeColor(row.iconColor) : undefined);
  if (row.command) item.command = { command: commandId(row.command), title: COMMANDS[row.command], arguments: [id] };
  return item;
}

/** The Servers view: a thin adapter over the model; refreshes come from model events only, per node, coalesced. */
export class ServersTree extends Disposable implements vscode.TreeDataProvider<ServersTreeNode> {
  private readonly changeEmitter = this._register(new vscode.EventEmitter<ServersTreeNode | undefined>());
  readonly onDidChangeTreeData = this.changeEmitter.event;
  readonly view: vscode.TreeView<ServersTreeNode>;
  private pending: Set<ServerId> | 'all' | undefined;
  private timer: NodeJS.Timeout | undefined;
  /** Server nodes last handed to VS Code, by id (so a refresh can name the exact node). */
  private readonly serverNodes = new Map<ServerId, ServerNode>();

  private readonly usage: ProcessUsageSource | undefined;

  constructor(private readonly model: ServersModel, private readonly catalogs?: CatalogSource, private readonly extras: ServerRowSources = {}) {
    super();
    const usage = this.usage = extras.usage;
    this.view = this._register(vscode.window.createTreeView(SERVERS_VIEW_ID, { treeDataProvider: this, showCollapseAll: true }));
    // Process trees are sampled only while the view is visible: a server row's tooltip shows the latest sample.
    let sampling: IDisposable | undefined;
    const sample = (visible: boolean) => { if (visible) sampling ??= usage?.hold(); else { sampling?.dispose(); sampling = undefined; } };
    sample(this.view.visible);
    this._register(this.view.onDidChangeVisibility((e) => sample(e.visible)));
    this._register({ dispose: () => sample(false) });
    this._register(model.onDidChange((changed) => this.schedule(changed === 'all' ? 'all' : changed)));
    if (catalogs) this._register(catalogs.onDidChangeCatalog(({ id }) => this.schedule([id])));
    if (catalogs?.onDidChangeHealth) this._register(catalogs.onDidChangeHealth(({ id }) => this.schedule([id])));
    this._register({ dispose: () => clearTimeout(this.timer) });
    this.updateContext();
  }

  /** Expanding a server (for startOnExpand). */
  get onDidExpandServer(): vscode.Event<ServerSnapshot> {
    return (listener, thisArg, disposables) => this.view.onDidExpandElement((e) => {
      if (e.element.kind === 'server') listener.call(thisArg, e.element.server);
    }, undefined, disposables);
  }

  refresh(): void { this.schedule('all'); }

  private schedule(changed: readonly ServerId[] | 'all'): void {
    if (changed === 'all' || this.pending === 'all') this.pending = 'all';
    else { this.pending ??= new Set(); for (const id of changed) this.pending.add(id); }
    this.timer ??= setTimeout(() => this.flush(), REFRESH_COALESCE_MS);
  }

  private flush(): void {
    this.timer = undefined;
    const pending = this.pending;
    this.pending = undefined;
    if (pending === 'all' || !pending) this.changeEmitter.fire(undefined);
    else for (const id of pending) {
      const node = this.serverNodes.get(id);
      const snap = this.model.get(id);
      if (!node || !snap) { this.changeEmitter.fire(undefined); break; }
      node.server = snap;
      this.changeEmitter.fire(node);
    }
    this.updateContext();
  }

  private updateContext(): void {
    void vscode.commands.executeCommand('setContext', CONTEXT_KEYS.serverCount, this.model.list().length);
  }

  getTreeItem(node: ServersTreeNode): vscode.TreeItem {
    switch (node.kind) {
      case 'server': {
        // The tooltip is made when it is shown (resolveTreeItem), with the latest process sample and uptime.
        const item = toTreeItem(serverRow(node.server, this.serverDetails(node.server)), node.server.id);
        item.tooltip = undefined;
        return item;
      }
      case 'pending': return toTreeItem(node.row, `${node.serverId}/pending`);
      case 'group': return toTreeItem(node.row, `${node.serverId}/${node.group}`);
      case 'tool': return toTreeItem(this.marked(node.serverId, `tool:${node.tool.name}`, toolRow(node.tool)), `${node.serverId}/tool/${node.tool.name}`);
      case 'resource': return toTreeItem(this.marked(node.serverId, `resource:${node.resource.uri}`, resourceRow(node.resource)), `${node.serverId}/resource/${node.resource.uri}`);
      case 'resourceTemplate': return toTreeItem(this.marked(node.serverId, `resourceTemplate:${node.template.uriTemplate}`, resourceTemplateRow(node.template)), `${node.serverId}/template/${node.template.uriTemplate}`);
      case 'prompt': return toTreeItem(this.marked(node.serverId, `prompt:${node.prompt.name}`, promptRow(node.prompt)), `${node.serverId}/prompt/${node.prompt.name}`);
    }
  }

  resolveTreeItem(item: vscode.TreeItem, node: ServersTreeNode): vscode.TreeItem {
    if (node.kind === 'server') {
      const s = this.model.get(node.server.id) ?? node.server;
      const usage = this.usage?.get(s.id);
      item.tooltip = serverRow(s, { ...this.serverDetails(s), ...(usage ? { processUsage: formatProcessUsage(usage) } : {}) }).tooltip;
    }
    return item;
  }

  private serverDetails(s: ServerSnapshot): ServerRowDetails {
    const catalog = this.catalogs?.getCatalog(s.id);
    const listed = catalog && s.state.kind === 'running' && catalog.updatedAt > 0;
    return {
      summary: catalog && s.state.kind === 'running' ? catalogSummary(s.state.capabilities, catalog) : undefined,
      endpoint: this.extras.endpointOf?.(s.id),
      sharedWithChat: this.extras.sharedWithChat?.(s.id),
      ...this.catalogs?.getHealth(s.id),
      definitions: this.catalogs?.getDefinitions?.(s.id),
      ...(listed && s.state.capabilities?.tools ? { toolCost: toolsCost(catalog.tools) } : {}),
    };
  }

  /** An item's row, marked when it differs from what was approved (definitions.ts ids: `<kind>:<key>`). */
  private marked(serverId: ServerId, itemId: string, row: TreeRow): TreeRow {
    return markedRow(row, itemMark(this.catalogs?.getDefinitions?.(serverId), itemId));
  }

  getChildren(node?: ServersTreeNode): ServersTreeNode[] {
    if (!node) {
      this.serverNodes.clear();
      return sortServers(this.model.list()).map((server) => {
        const n: ServerNode = { kind: 'server', server };
        this.serverNodes.set(server.id, n);
        return n;
      });
    }
    if (node.kind === 'server') {
      const server = this.model.get(node.server.id) ?? node.server;
      const catalog = this.catalogs?.getCatalog(server.id);
      const pending = pendingRow(server.state, catalog);
      if (pending) return [{ kind: 'pending', serverId: server.id, row: pending }];
      if (server.state.kind !== 'running' || !catalog) return [];
      return catalogGroups(server.state.capabilities, catalog).map(({ group, row }) => ({ kind: 'group', serverId: server.id, group, row }));
    }
    if (node.kind === 'group' && this.catalogs) {
      const c = this.catalogs.getCatalog(node.serverId);
      const serverId = node.serverId;
      switch (node.group) {
        case 'tools': return c.tools.map((tool) => ({ kind: 'tool', serverId, tool }));
        case 'resources': return c.resources.map((resource) => ({ kind: 'resource', serverId, resource }));
        case 'resourceTemplates': return c.resourceTemplates.map((template) => ({ kind: 'resourceTemplate', serverId, template }));
        case 'prompts': return c.prompts.map((prompt) => ({ kind: 'prompt', serverId, prompt }));
      }
    }
    return [];
  }

  getParent(node: ServersTreeNode): ServersTreeNode | undefined {
    if (node.kind === 'server') return undefined;
    const server = this.serverNodes.get(node.serverId);
    if (node.kind === 'group' || node.kind === 'pending' || !server) return server;
    const group: CatalogGroup = node.kind === 'tool' ? 'tools' : node.kind === 'resource' ? 'resources' : node.kind === 'resourceTemplate' ? 'resourceTemplates' : 'prompts';
    const snap = this.model.get(node.serverId);
    const catalog = this.catalogs?.getCatalog(node.serverId);
    if (!snap || snap.state.kind !== 'running' || !catalog) return server;
    const g = catalogGroups(snap.state.capabilities, catalog).find((x) => x.group === group);
    return g ? { kind: 'group', serverId: node.serverId, group, row: g.row } : server;
  }
}
