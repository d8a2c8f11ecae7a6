import * as vscode from 'vscode';
import type { IDisposable } from '../common/lifecycle';
import type { ServersModel } from '../common/model';
import type { ServerId } from '../common/serverId';
import { safeNotificationText } from '../common/sanitize';

/** How long the same message is not shown again. */
const DEDUPE_WINDOW_MS = 30_000;
const OPEN_LOG = 'Open Log';

/**
 * Notifications for failures: sanitized, de-duplicated, always with "Open Log". Server stderr never comes here.
 */
export class Notifier {
  private readonly recent = new Map<string, number>();

  constructor(private readonly openLog: (target?: string) => void, private readonly now: () => number = Date.now) {}

  error(message: string, logTarget?: string): void { this.show('error', message, logTarget); }
  warn(message: string, logTarget?: string): void { this.show('warn', message, logTarget); }

  private show(level: 'error' | 'warn', message: string, logTarget?: string): void {
    const text = safeNotificationText(message);
    const key = `${level}\u0000${text}`;
    const t = this.now();
    const last = this.recent.get(key);
    if (last !== undefined && t - last < DEDUPE_WINDOW_MS) return;
    this.recent.set(key, t);
    const show = level === 'error' ? vscode.window.showErrorMessage : vscode.window.showWarningMessage;
    void show(text, OPEN_LOG).then((choice) => { if (choice === OPEN_LOG) this.openLog(logTarget); });
  }
}

/**
 * One notification each time a server ends `failed` — a start that failed, or a crash loop the restart policy gave up
 * on, whoever started it — with "Open Log" on that server's log. Commands leave start failures to this.
 */
export function notifyFailures(servers: Pick<ServersModel, 'list' | 'onDidChange'>, notifier: Notifier): IDisposable {
  const failed = new Set<ServerId>();
  return servers.onDidChange(() => {
    for (const s of servers.list()) {
      if (s.state.kind !== 'failed') { failed.delete(s.id); continue; }
      if (failed.has(s.id)) continue;
      failed.add(s.id);
      notifier.error(`MCP server '${s.name}' failed: ${s.state.reason}`, s.id);
    }
  });
}
