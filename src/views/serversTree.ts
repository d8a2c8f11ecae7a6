import * as vscode from 'vscode';
import { CONTEXT_KEYS, SERVERS_VIEW_ID } from '../common/contracts';
import { Disposable } from '../common/lifecycle';
import type { ServerSnapshot, ServersModel } from '../common/model';
import { type TreeRow, serverRow, sortServers } from '../common/treeModel';

export type ServersTreeNode = { readonly kind: 'server'; readonly server: ServerSnapshot };

export function toTreeItem(row: TreeRow, id: string): vscode.TreeItem {
  const item = new vscode.TreeItem(row.label, row.collapsible ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None);
  item.id = id;
  item.description = row.description;
  item.tooltip = row.tooltip;
  item.contextValue = row.contextValue;
  item.accessibilityInformation = { label: row.accessibilityLabel };
  item.iconPath = new vscode.ThemeIcon(row.icon, row.iconColor ? new vscode.ThemeColor(row.iconColor) : undefined);
  return item;
}

/** The Servers view: a thin adapter over the ServersModel; refreshes come from model events only. */
export class ServersTree extends Disposable implements vscode.TreeDataProvider<ServersTreeNode> {
  private readonly changeEmitter = this._register(new vscode.EventEmitter<ServersTreeNode | undefined>());
  readonly onDidChangeTreeData = this.changeEmitter.event;
  readonly view: vscode.TreeView<ServersTreeNode>;

  constructor(private readonly model: ServersModel) {
    super();
    this.view = this._register(vscode.window.createTreeView(SERVERS_VIEW_ID, { treeDataProvider: this, showCollapseAll: true }));
    this._register(model.onDidChange(() => this.refresh()));
    this.updateContext();
  }

  refresh(): void {
    this.changeEmitter.fire(undefined);
    this.updateContext();
  }

  private updateContext(): void {
    void vscode.commands.executeCommand('setContext', CONTEXT_KEYS.serverCount, this.model.list().length);
  }

  getTreeItem(node: ServersTreeNode): vscode.TreeItem {
    return toTreeItem(serverRow(node.server), node.server.id);
  }

  getChildren(node?: ServersTreeNode): ServersTreeNode[] {
    if (!node) return sortServers(this.model.list()).map((server) => ({ kind: 'server', server }));
    return [];
  }
}
