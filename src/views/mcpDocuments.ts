import * as vscode from 'vscode';
import { DocumentStore, type VirtualDocument } from '../common/catalogDocuments';
import { Disposable } from '../common/lifecycle';
import { pathSegment } from '../common/serverText';

/** The extension's own scheme for read-only documents (resource contents, prompt messages, tool results). */
export const MCP_DOCUMENT_SCHEME = 'mcp-manager';

/**
 * Read-only virtual documents: content is produced once (by a request to a server) and kept in memory under a
 * unique URI; VS Code shows content-provider documents read-only. Closing a document frees its content. Memory is
 * bounded (DocumentStore): each document is capped, and the oldest are dropped (reopening one then says so).
 */
export class McpDocuments extends Disposable implements vscode.TextDocumentContentProvider {
  private readonly contents = new DocumentStore();
  private counter = 0;

  constructor() {
    super();
    this._register(vscode.workspace.registerTextDocumentContentProvider(MCP_DOCUMENT_SCHEME, this));
    this._register(vscode.workspace.onDidCloseTextDocument((doc) => {
      if (doc.uri.scheme === MCP_DOCUMENT_SCHEME) this.contents.delete(doc.uri.toString());
    }));
  }

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.contents.get(uri.toString())?.text
      ?? 'This document is no longer available: run the command again to fetch it from the server.\n';
  }

  /**
   * Opens `doc` in an editor. The URI reads `mcp-manager:/<kind>/<server>/<name>` (segments are display text, made
   * path-safe); a counter in the query keeps every request its own document.
   */
  async open(kind: 'resource' | 'prompt' | 'tool-result', server: string, name: string, doc: VirtualDocument): Promise<vscode.Uri> {
    const uri = this.register(kind, server, name, doc);
    let textDoc = await vscode.workspace.openTextDocument(uri);
    if (textDoc.languageId !== doc.language) textDoc = await vscode.languages.setTextDocumentLanguage(textDoc, doc.language).then((d) => d, () => textDoc);
    await vscode.window.showTextDocument(textDoc, { preview: false });
    return uri;
  }

  /** Keeps `doc` under a new URI (as `open` names it) without showing it: for a diff editor's two sides. */
  register(kind: 'resource' | 'prompt' | 'tool-result' | 'definitions', server: string, name: string, doc: VirtualDocument): vscode.Uri {
    const uri = vscode.Uri.from({ scheme: MCP_DOCUMENT_SCHEME, path: `/${kind}/${pathSegment(server)}/${pathSegment(name)}`, query: `n=${++this.counter}` });
    this.contents.set(uri.toString(), doc);
    return uri;
  }
}

