import type { CallToolResult, Tool } from '@modelcontextprotocol/client';
import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import { type ToWebview, parseToExtension } from '../common/callToolProtocol';
import { isDestructive, toolAnnotations } from '../common/catalogTree';
import { UserCancelledError, errorMessage } from '../common/errors';
import { Disposable, toDisposable } from '../common/lifecycle';
import type { ServerSnapshot } from '../common/model';
import { safeNotificationText } from '../common/sanitize';
import { type ValidationError, buildForm, initialArguments } from '../common/schemaForm';
import { cleanServerText } from '../common/serverText';
import { renderToolResult, safeStringify, summarizeResult } from '../common/toolResults';
import { validateToolArguments } from '../features/argumentValidator';
import { type CatalogRequests, currentTool, invokeTool } from '../features/toolCall';
import type { ComponentLogger } from '../log';
import type { McpDocuments } from './mcpDocuments';

export const CALL_TOOL_VIEW_TYPE = 'mcpManager.callTool';

export interface CallToolPanelDeps {
  readonly extensionUri: vscode.Uri;
  readonly requests: CatalogRequests;
  readonly documents: Pick<McpDocuments, 'open'>;
  readonly showServerLog: (server: ServerSnapshot) => void;
  readonly log: ComponentLogger;
}

/** The Call Tool forms: one webview panel per (server, tool), revealed again when asked twice. */
export class CallToolPanels extends Disposable {
  private readonly panels = new Map<string, CallToolPanel>();

  constructor(private readonly deps: CallToolPanelDeps) {
    super();
    this._register(toDisposable(() => { for (const p of [...this.panels.values()]) p.dispose(); }));
  }

  show(server: ServerSnapshot, tool: Tool): void {
    const key = `${server.id}\u0000${tool.name}`;
    const existing = this.panels.get(key);
    if (existing) { existing.reveal(); return; }
    const panel = new CallToolPanel(this.deps, server, tool, () => this.panels.delete(key));
    this.panels.set(key, panel);
  }
}

/**
 * The HTML shell of a form webview (Call Tool, elicitation): the shared form renderer (media/schemaForm.js), then the
 * page's own `script`. No server text in it: that arrives by postMessage and is rendered with textContent.
 */
export function formPageHtml(webview: Pick<vscode.Webview, 'cspSource' | 'asWebviewUri'>, mediaUri: vscode.Uri, page: { readonly title: string; readonly script: string }): string {
  const nonce = randomBytes(16).toString('base64');
  const media = (file: string) => webview.asWebviewUri(vscode.Uri.joinPath(mediaUri, file)).toString();
  const csp = `default-src 'none'; style-src ${webview.cspSource}; script-src 'nonce-${nonce}'; img-src ${webview.cspSource} data:;`;
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<link rel="stylesheet" href="${media('callTool.css')}">
<title>${page.title}</title>
</head>
<body>
<main id="app" aria-busy="true"></main>
<script nonce="${nonce}" src="${media('schemaForm.js')}"></script>
<script nonce="${nonce}" src="${media(page.script)}"></script>
</body>
</html>`;
}

class CallToolPanel extends Disposable {
  private readonly panel: vscode.WebviewPanel;
  private lastResult: CallToolResult | undefined;
  private busy = false;
  /** Validations answer out of order (regexes are evaluated in a worker): only the latest one is shown. */
  private validationSeq = 0;

  constructor(private readonly deps: CallToolPanelDeps, private readonly server: ServerSnapshot, private tool: Tool, onDispose: () => void) {
    super();
    const media = vscode.Uri.joinPath(deps.extensionUri, 'media');
    this.panel = vscode.window.createWebviewPanel(CALL_TOOL_VIEW_TYPE, `Call Tool: ${cleanServerText(tool.title ?? tool.name, 60)}`, vscode.ViewColumn.Active, {
      enableScripts: true,
      enableCommandUris: false,
      localResourceRoots: [media],
      retainContextWhenHidden: true,
    });
    this.panel.iconPath = vscode.Uri.joinPath(media, 'mcp.svg');
    this._register(this.panel.onDidDispose(() => { onDispose(); this.dispose(); }));
    this._register(this.panel.webview.onDidReceiveMessage((m: unknown) => { void this.onMessage(m); }));
    this.panel.webview.html = formPageHtml(this.panel.webview, media, { title: 'Call Tool', script: 'callTool.js' });
  }

  reveal(): void { this.panel.reveal(); }

  override dispose(): void {
    super.dispose();
    this.panel.dispose();
  }

  private post(msg: ToWebview): void { void this.panel.webview.postMessage(msg); }

  private async onMessage(raw: unknown): Promise<void> {
    const msg = parseToExtension(raw);
    if (!msg) return;
    switch (msg.type) {
      case 'ready': {
        this.tool = currentTool(this.deps.requests, this.server, this.tool);
        const form = buildForm(this.tool.inputSchema);
        this.post({
          type: 'init',
          server: cleanServerText(this.server.name, 120),
          tool: {
            name: cleanServerText(this.tool.name, 200),
            title: this.tool.title ?? this.tool.annotations?.title ? cleanServerText((this.tool.title ?? this.tool.annotations?.title)!, 200) : undefined,
            description: this.tool.description ? cleanServerText(this.tool.description, 5_000, true) : undefined,
            destructive: isDestructive(this.tool),
            annotations: toolAnnotations(this.tool),
          },
          form,
          initialArgs: initialArguments(form),
        });
        return;
      }
      case 'validate':
        await this.validate(msg.args);
        return;
      case 'call':
        await this.call(msg.args);
        return;
      case 'openFullResult':
        if (this.lastResult) await this.deps.documents.open('tool-result', this.server.name, `${this.tool.name}.json`, { text: safeStringify(this.lastResult, 2), language: 'json' });
        return;
      case 'openLog':
        this.deps.showServerLog(this.server);
        return;
    }
  }

  /** Posts the validation of `args` (unless a newer one superseded it) and returns its errors. */
  private async validate(args: unknown): Promise<readonly ValidationError[]> {
    const seq = ++this.validationSeq;
    const { errors, note } = await validateToolArguments(this.tool.inputSchema, args);
    if (seq === this.validationSeq && !this.isDisposed) this.post({ type: 'validation', errors, note });
    return errors;
  }

  private async call(args: unknown): Promise<void> {
    if (this.busy) return;
    this.tool = currentTool(this.deps.requests, this.server, this.tool);
    this.busy = true;
    if ((await this.validate(args)).length) { this.busy = false; return; }
    this.post({ type: 'running', message: isDestructive(this.tool) ? 'Waiting for your confirmation…' : undefined });
    const log = this.deps.log;
    try {
      const { result, elapsedMs } = await invokeTool(this.deps.requests, this.server, this.tool, args, () => this.post({ type: 'running' }));
      this.lastResult = result;
      const rendered = renderToolResult(result);
      log.info(`${this.server.id}: tools/call ${this.tool.name}: ${summarizeResult(rendered)} in ${elapsedMs} ms`);
      this.post({ type: 'result', result: rendered, elapsedMs });
    } catch (err) {
      if (err instanceof UserCancelledError || err instanceof vscode.CancellationError) { this.post({ type: 'cancelled' }); return; }
      log.warn(`${this.server.id}: tools/call ${this.tool.name} failed: ${errorMessage(err)}`);
      this.post({ type: 'failed', message: safeNotificationText(errorMessage(err), 2_000) });
    } finally {
      this.busy = false;
    }
  }
}
