import * as vscode from 'vscode';
import {
  type ElicitContent, type ElicitationAnswer, type ElicitationContext, type ElicitationRequest, type ElicitationToWebview, type ElicitationUi,
  type FormElicitation, type UrlElicitation, checkElicitationUrl, elicitationForm, parseElicitationMessage,
} from '../common/elicitation';
import { UserCancelledError } from '../common/errors';
import { Disposable, toDisposable } from '../common/lifecycle';
import { safeNotificationText } from '../common/sanitize';
import { initialArguments } from '../common/schemaForm';
import type { ServerId } from '../common/serverId';
import { cleanServerText } from '../common/serverText';
import { validateElicitationContent } from '../features/argumentValidator';
import { formPageHtml } from './callToolPanel';

export const ELICITATION_VIEW_TYPE = 'mcpManager.elicitation';

/**
 * The editor's side of elicitation (the session parses, logs and answers: src/servers/mcpSession.ts). Form mode: a
 * webview form generated from the requested schema by the Call Tool form's renderer; Submit (validated), Decline,
 * Cancel, and closing the panel is Cancel. URL mode: a modal naming the link's host, which opens the link only once
 * the user agrees. The request's signal (the server cancelled, the connection ended) closes the form and answers
 * nothing; a modal cannot be closed from here, so its answer is dropped then and the link is not opened.
 */
export class ElicitationPrompts extends Disposable implements ElicitationUi {
  private readonly forms = new Set<ElicitationForm>();

  constructor(private readonly extensionUri: vscode.Uri) {
    super();
    this._register(toDisposable(() => { for (const f of [...this.forms]) f.dispose(); }));
  }

  ask(request: ElicitationRequest, context: ElicitationContext): Promise<ElicitationAnswer> {
    if (context.signal.aborted) return Promise.reject(new UserCancelledError());
    return request.mode === 'form' ? this.askForm(request, context) : askToOpen(request, context);
  }

  refused(serverName: string, reason: string): void {
    void vscode.window.showWarningMessage(safeNotificationText(`'${serverName}' asked you to open a link, which was not opened (${reason}). MCP Manager declined it.`));
  }

  /** Brings the server's (oldest) open form to the front; false when it has none. */
  reveal(serverId: ServerId): boolean {
    const form = [...this.forms].find((f) => f.serverId === serverId);
    form?.reveal();
    return form !== undefined;
  }

  private askForm(request: FormElicitation, context: ElicitationContext): Promise<ElicitationAnswer> {
    return new Promise((resolve, reject) => {
      const form = new ElicitationForm(this.extensionUri, request, context, (answer) => {
        this.forms.delete(form);
        if (answer) resolve(answer); else reject(new UserCancelledError());
      });
      this.forms.add(form);
    });
  }
}

/** URL mode: a modal with the host up front and the whole link in its detail; "Open <host>" opens it, then accepts. */
async function askToOpen(request: UrlElicitation, context: ElicitationContext): Promise<ElicitationAnswer> {
  const check = checkElicitationUrl(request.url);
  if (!check.ok) return { action: 'decline' }; // the session refuses these before asking; never opened here either
  const open = `Open ${check.host}`;
  const choice = await vscode.window.showWarningMessage(
    `'${cleanServerText(context.serverName, 80)}' asks you to open ${check.host}`,
    { modal: true, detail: `${cleanServerText(request.message, 1_000, true)}\n\nLink: ${cleanServerText(request.url, 2_000)}` },
    open, 'Decline',
  );
  if (context.signal.aborted) throw new UserCancelledError();
  if (choice === 'Decline') return { action: 'decline' };
  if (choice !== open) return { action: 'cancel' };
  // VS Code may ask once more (its trusted-domains prompt): a link not opened there is a cancel.
  const opened = await vscode.env.openExternal(vscode.Uri.parse(request.url, true));
  return opened ? { action: 'accept', content: {} } : { action: 'cancel' };
}

/** One form-mode request in a webview panel. `onDone` gets the answer, or undefined when the request was withdrawn. */
class ElicitationForm extends Disposable {
  readonly serverId: ServerId;
  private readonly panel: vscode.WebviewPanel;
  private done = false;
  /** Validations answer out of order (regexes are evaluated in a worker): only the latest one is shown. */
  private validationSeq = 0;

  constructor(
    extensionUri: vscode.Uri, private readonly request: FormElicitation, private readonly context: ElicitationContext,
    private readonly onDone: (answer: ElicitationAnswer | undefined) => void,
  ) {
    super();
    this.serverId = context.serverId;
    const media = vscode.Uri.joinPath(extensionUri, 'media');
    this.panel = vscode.window.createWebviewPanel(ELICITATION_VIEW_TYPE, `Input for ${cleanServerText(context.serverName, 60)}`, vscode.ViewColumn.Active, {
      enableScripts: true, enableCommandUris: false, localResourceRoots: [media], retainContextWhenHidden: true,
    });
    this.panel.iconPath = vscode.Uri.joinPath(media, 'mcp.svg');
    // Closing the panel is Cancel (unless an answer was given first).
    this._register(this.panel.onDidDispose(() => { this.finish({ action: 'cancel' }); this.dispose(); }));
    this._register(this.panel.webview.onDidReceiveMessage((m: unknown) => { void this.onMessage(m); }));
    const onAbort = () => { this.finish(undefined); this.dispose(); };
    context.signal.addEventListener('abort', onAbort, { once: true });
    this._register(toDisposable(() => context.signal.removeEventListener('abort', onAbort)));
    this.panel.webview.html = formPageHtml(this.panel.webview, media, { title: 'Input requested', script: 'elicitation.js' });
  }

  reveal(): void { this.panel.reveal(); }

  override dispose(): void {
    super.dispose();
    this.panel.dispose();
  }

  private finish(answer: ElicitationAnswer | undefined): void {
    if (this.done) return;
    this.done = true;
    this.onDone(this.context.signal.aborted ? undefined : answer);
  }

  private post(msg: ElicitationToWebview): void { void this.panel.webview.postMessage(msg); }

  private async onMessage(raw: unknown): Promise<void> {
    const msg = parseElicitationMessage(raw);
    if (!msg || this.done) return;
    switch (msg.type) {
      case 'ready': {
        const form = elicitationForm(this.request);
        this.post({
          type: 'init', server: cleanServerText(this.context.serverName, 120), message: cleanServerText(this.request.message, 5_000, true),
          form, initialArgs: initialArguments(form),
        });
        return;
      }
      case 'validate': await this.validate(msg.args); return;
      case 'submit':
        if ((await this.validate(msg.args)) === 0 && !this.done) { this.finish({ action: 'accept', content: msg.args as ElicitContent }); this.dispose(); }
        return;
      case 'decline': case 'cancel':
        this.finish({ action: msg.type });
        this.dispose();
        return;
    }
  }

  /** Posts the validation of `content` (unless a newer one superseded it) and returns its number of errors. */
  private async validate(content: unknown): Promise<number> {
    const seq = ++this.validationSeq;
    const { errors, note } = await validateElicitationContent(this.request, content);
    if (seq === this.validationSeq && !this.isDisposed) this.post({ type: 'validation', errors, note });
    return errors.length;
  }
}
