import * as vscode from 'vscode';
import { describeDiff } from '../common/definitions';
import type { IDisposable } from '../common/lifecycle';
import type { ServersModel } from '../common/model';
import type { Redactor } from '../common/redact';
import type { ServerId } from '../common/serverId';
import { notificationText } from '../common/sanitize';
import type { DefinitionChangeEvent } from '../servers/definitionTracker';

/** How long the same message is not shown again. */
const DEDUPE_WINDOW_MS = 30_000;
const OPEN_LOG = 'Open Log';

/**
 * Notifications for failures: redacted, sanitized, de-duplicated, always with "Open Log". Server stderr never comes here.
 */
export class Notifier {
  private readonly recent = new Map<string, number>();

  constructor(private readonly openLog: (target?: string) => void, private readonly redactor: Redactor, private readonly now: () => number = Date.now) {}

  error(message: string, logTarget?: string): void { this.show('error', message, logTarget); }
  /** A warning; `action` (e.g. "Sign In") comes before "Open Log" and runs only when clicked. */
  warn(message: string, logTarget?: string, action?: { readonly title: string; readonly run: () => unknown }): void { this.show('warn', message, logTarget, action); }

  private show(level: 'error' | 'warn', message: string, logTarget?: string, action?: { readonly title: string; readonly run: () => unknown }): void {
    const text = notificationText(message, (t) => this.redactor.redact(t));
    const key = `${level}\u0000${text}`;
    const t = this.now();
    const last = this.recent.get(key);
    if (last !== undefined && t - last < DEDUPE_WINDOW_MS) return;
    this.recent.set(key, t);
    const show = level === 'error' ? vscode.window.showErrorMessage : vscode.window.showWarningMessage;
    void show(text, ...(action ? [action.title] : []), OPEN_LOG).then((choice) => {
      if (choice === OPEN_LOG) this.openLog(logTarget);
      else if (action && choice === action.title) void action.run();
    });
  }
}

/**
 * One notification each time a server ends `failed` — a start that failed, or a crash loop the restart policy gave up
 * on, whoever started it — with "Open Log" on that server's log; and one each time a server comes to need a sign-in,
 * with a "Sign In" action (the browser opens only when the user clicks it). Commands leave these cases to this.
 */
export function notifyFailures(servers: Pick<ServersModel, 'list' | 'onDidChange'>, notifier: Notifier, signIn: (id: ServerId) => unknown): IDisposable {
  const notified = new Map<ServerId, 'failed' | 'needsSignIn'>();
  return servers.onDidChange(() => {
    for (const s of servers.list()) {
      const kind = s.state.kind;
      if (kind !== 'failed' && kind !== 'needsSignIn') { notified.delete(s.id); continue; }
      if (notified.get(s.id) === kind) continue;
      notified.set(s.id, kind);
      if (s.state.kind === 'failed') notifier.error(`MCP server '${s.name}' failed: ${s.state.reason}`, s.id);
      else notifier.warn(`MCP server '${s.name}' needs you to sign in${s.state.reason ? ` (${s.state.reason})` : ''}.`, s.id, { title: 'Sign In', run: () => signIn(s.id) });
    }
  });
}

/**
 * One warning per change of a server's tools or prompts against what the user approved (the tracker announces each
 * change once), with "Review Changes" (Review Tool Changes... on that server) and "Open Log".
 */
export function notifyDefinitionChanges(
  onDidDetect: (listener: (e: DefinitionChangeEvent) => void) => IDisposable, notifier: Notifier, review: (id: ServerId) => unknown,
): IDisposable {
  return onDidDetect((e) => notifier.warn(
    `MCP server '${e.name}' differs from the definitions you approved: ${describeDiff(e.diff)}.${e.policy === 'block' ? ' Changed and new tools are blocked until you approve them.' : ''}`,
    e.id, { title: 'Review Changes', run: () => review(e.id) },
  ));
}
