import * as vscode from 'vscode';
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
