import * as vscode from 'vscode';
import { COMMANDS, type CommandVerb, SERVERS_VIEW_ID, commandId } from '../common/contracts';
import { formatTokens, toolsCost } from '../common/definitions';
import { formatSize } from '../common/catalogDocuments';
import { Disposable, type IDisposable } from '../common/lifecycle';
import type { ServerSnapshot, ServersModel } from '../common/model';
import { formatProcessUsage } from '../common/processUsageText';
import type { ServerId } from '../common/serverId';
import type { CatalogSource, ProcessUsageSource } from './serversTree';
import { canRestart, canStart, canStop } from '../common/serverPredicates';
import { presentState } from '../common/serverState';
import { sortServers } from '../common/treeModel';

/** Internal (underscore = not a palette command) command behind the status bar item. */
export const STATUS_MENU_COMMAND = '_mcpManager.statusMenu';

/**
 * Pure: the status text and whether it warns. Servers that lost a name clash are not counted. With `toolCost` (a
 * running server's tool list cost), the tooltip ends with what the running servers' tool definitions cost in all.
 */
export function statusSummary(model: ServersModel, toolCost?: (id: ServerId) => { bytes: number; tokens: number } | undefined): { text: string; warn: boolean; tooltip: string } {
  const list = model.list().filter((s) => s.state.kind !== 'shadowed');
  const running = list.filter((s) => s.state.kind === 'running').length;
  let bytes = 0;
  let tokens = 0;
  for (const s of list) {
    const cost = s.state.kind === 'running' ? toolCost?.(s.id) : undefined;
    if (cost) { bytes += cost.bytes; tokens += cost.tokens; }
  }
  const failed = list.filter((s) => s.state.kind === 'failed' || s.state.kind === 'configError');
  const busy = list.some((s) => s.state.kind === 'starting' || s.state.kind === 'restarting');
  const icon = failed.length ? '$(warning)' : busy ? '$(sync~spin)' : '$(server-process)';
  const tooltip = [
    `MCP servers: ${running} of ${list.length} running`, ...failed.map((s) => `${s.name}: ${presentState(s.state.kind).word}`),
    ...(toolCost && running ? [`Tool definitions of the running servers: ${formatTokens(tokens)} (${formatSize(bytes)}, estimated)`] : []),
  ].join('\n');
  return { text: `${icon} MCP ${running}/${list.length}`, warn: failed.length > 0, tooltip };
}

/** A status bar summary of all servers (`MCP 3/4`), in warning colours when one failed; click → a server quick pick. */
export class StatusItem extends Disposable {
  private readonly item = this._register(vscode.window.createStatusBarItem('mcpManager.status', vscode.StatusBarAlignment.Left, 50));

  constructor(private readonly model: ServersModel, private readonly catalogs?: Pick<CatalogSource, 'getCatalog' | 'onDidChangeCatalog'>, private readonly usage?: ProcessUsageSource) {
    super();
    this.item.name = 'MCP Manager';
    this.item.command = STATUS_MENU_COMMAND;
    this._register(model.onDidChange(() => this.update()));
    if (catalogs) this._register(catalogs.onDidChangeCatalog(() => this.update()));
    this._register(vscode.commands.registerCommand(STATUS_MENU_COMMAND, () => this.menu()));
    this.update();
  }

  private update(): void {
    const list = this.model.list();
    if (list.length === 0) { this.item.hide(); return; }
    const catalogs = this.catalogs;
    const s = statusSummary(this.model, catalogs && ((id) => { const c = catalogs.getCatalog(id); return c.updatedAt ? toolsCost(c.tools) : undefined; }));
    this.item.text = s.text;
    this.item.tooltip = s.tooltip;
    this.item.accessibilityInformation = { label: s.tooltip.split('\n')[0] };
    this.item.backgroundColor = s.warn ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
    this.item.show();
  }

  private async menu(): Promise<void> {
    const pick = await this.pickServer();
    if (!pick) return;
    const actions: CommandVerb[] = [
      ...(canStart(pick.server) ? ['startServer' as const] : []),
      ...(canStop(pick.server) ? ['stopServer' as const] : []),
      ...(canRestart(pick.server) ? ['restartServer' as const] : []),
      'showServerLog',
    ];
    const registered = new Set(await vscode.commands.getCommands(true));
    const action = await vscode.window.showQuickPick(
      actions.filter((a) => registered.has(commandId(a))).map((a) => ({ label: COMMANDS[a], verb: a })),
      { placeHolder: pick.server.name },
    );
    if (action) await vscode.commands.executeCommand(commandId(action.verb), pick.server.id);
    else await vscode.commands.executeCommand(`${SERVERS_VIEW_ID}.focus`);
  }

  /** The servers, each running stdio server with its process tree's CPU and memory, sampled while the pick is open. */
  private pickServer(): Promise<{ server: ServerSnapshot } | undefined> {
    const qp = vscode.window.createQuickPick<vscode.QuickPickItem & { server: ServerSnapshot }>();
    qp.placeholder = 'MCP servers';
    const items = () => sortServers(this.model.list()).map((s) => {
      const usage = s.state.kind === 'running' ? this.usage?.get(s.id) : undefined;
      return {
        label: `$(${presentState(s.state.kind).icon.replace('~spin', '')}) ${s.name}`,
        description: [s.transport ?? '', presentState(s.state.kind).word, usage ? formatProcessUsage(usage) : undefined].filter(Boolean).join(' · '),
        server: s,
      };
    });
    qp.items = items();
    const subscriptions: IDisposable[] = [];
    if (this.usage) {
      subscriptions.push(this.usage.hold());
      if (this.usage.onDidSample) subscriptions.push(this.usage.onDidSample(() => {
        const active = qp.activeItems[0]?.server.id;
        qp.items = items();
        const again = qp.items.find((i) => i.server.id === active);
        if (again) qp.activeItems = [again];
      }));
    }
    return new Promise((resolve) => {
      subscriptions.push(qp.onDidAccept(() => { resolve(qp.selectedItems[0]); qp.hide(); }), qp.onDidHide(() => {
        resolve(undefined);
        subscriptions.forEach((d) => d.dispose());
        qp.dispose();
      }));
      qp.show();
    });
  }
}
