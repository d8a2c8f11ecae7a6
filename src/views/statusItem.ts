import * as vscode from 'vscode';
import { COMMANDS, type CommandVerb, SERVERS_VIEW_ID, commandId } from '../common/contracts';
import { Disposable } from '../common/lifecycle';
import type { ServersModel } from '../common/model';
import { canRestart, canStart, canStop } from '../common/serverPredicates';
import { presentState } from '../common/serverState';
import { sortServers } from '../common/treeModel';

/** Internal (underscore = not a palette command) command behind the status bar item. */
export const STATUS_MENU_COMMAND = '_mcpManager.statusMenu';

/** Pure: the status text and whether it warns. Servers that lost a name clash are not counted. */
export function statusSummary(model: ServersModel): { text: string; warn: boolean; tooltip: string } {
  const list = model.list().filter((s) => s.state.kind !== 'shadowed');
  const running = list.filter((s) => s.state.kind === 'running').length;
  const failed = list.filter((s) => s.state.kind === 'failed' || s.state.kind === 'configError');
  const busy = list.some((s) => s.state.kind === 'starting' || s.state.kind === 'restarting');
  const icon = failed.length ? '$(warning)' : busy ? '$(sync~spin)' : '$(server-process)';
  const tooltip = [`MCP servers: ${running} of ${list.length} running`, ...failed.map((s) => `${s.name}: ${presentState(s.state.kind).word}`)].join('\n');
  return { text: `${icon} MCP ${running}/${list.length}`, warn: failed.length > 0, tooltip };
}

/** A status bar summary of all servers (`MCP 3/4`), in warning colours when one failed; click → a server quick pick. */
export class StatusItem extends Disposable {
  private readonly item = this._register(vscode.window.createStatusBarItem('mcpManager.status', vscode.StatusBarAlignment.Left, 50));

  constructor(private readonly model: ServersModel) {
    super();
    this.item.name = 'MCP Manager';
    this.item.command = STATUS_MENU_COMMAND;
    this._register(model.onDidChange(() => this.update()));
    this._register(vscode.commands.registerCommand(STATUS_MENU_COMMAND, () => this.menu()));
    this.update();
  }

  private update(): void {
    const list = this.model.list();
    if (list.length === 0) { this.item.hide(); return; }
    const s = statusSummary(this.model);
    this.item.text = s.text;
    this.item.tooltip = s.tooltip;
    this.item.accessibilityInformation = { label: s.tooltip.split('\n')[0] };
    this.item.backgroundColor = s.warn ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
    this.item.show();
  }

  private async menu(): Promise<void> {
    const pick = await vscode.window.showQuickPick(sortServers(this.model.list()).map((s) => ({
      label: `$(${presentState(s.state.kind).icon.replace('~spin', '')}) ${s.name}`,
      description: `${s.transport ?? ''} · ${presentState(s.state.kind).word}`,
      server: s,
    })), { placeHolder: 'MCP servers' });
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
}
