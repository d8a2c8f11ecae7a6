import * as vscode from 'vscode';
import { commandId } from '../common/contracts';
import { PLAINTEXT_SECRET_CODE, type TextRange } from '../common/config/parse';
import { parsePortableText } from '../common/config/portable';
import { type ServerSource, usesVariables } from '../common/serverId';
import { DIAGNOSTIC_SOURCE } from './configService';

/**
 * The Quick Fix of a plaintext secret in `.mcp.json` or the Copilot user file: "Move secrets of "<name>" to
 * SecretStorage", which runs Move Secrets to SecretStorage... for that entry (src/commands/configCommands.ts). Thin:
 * which entries have a plaintext secret under the cursor comes from the pure parser, on the document's current text.
 */
export class PlaintextSecretQuickFix implements vscode.CodeActionProvider {
  static readonly metadata: vscode.CodeActionProviderMetadata = { providedCodeActionKinds: [vscode.CodeActionKind.QuickFix] };

  /** `sourceOf`: the literal source a file is read as (undefined: not one of ours). */
  constructor(private readonly sourceOf: (uri: vscode.Uri) => ServerSource | undefined) {}

  provideCodeActions(document: vscode.TextDocument, range: vscode.Range | vscode.Selection, context: vscode.CodeActionContext): vscode.CodeAction[] {
    const source = this.sourceOf(document.uri);
    if (!source || usesVariables(source)) return [];
    const names = new Set(parsePortableText(document.getText(), source).diagnostics.flatMap((d) =>
      (d.code === PLAINTEXT_SECRET_CODE && d.serverName !== undefined && d.range && toRange(d.range).intersection(range) ? [d.serverName] : [])));
    const ours = context.diagnostics.filter((d) => d.source === DIAGNOSTIC_SOURCE && d.code === PLAINTEXT_SECRET_CODE);
    return [...names].map((name) => {
      const action = new vscode.CodeAction(`Move secrets of "${name}" to SecretStorage`, vscode.CodeActionKind.QuickFix);
      action.command = { command: commandId('moveSecrets'), title: action.title, arguments: [document.uri, name] };
      action.diagnostics = ours.filter((d) => d.range.intersection(range));
      action.isPreferred = true;
      return action;
    });
  }
}

/** The documents the Quick Fix is offered in: every `.mcp.json`, and the Copilot user file. */
export function quickFixSelector(copilotMcpConfig: vscode.Uri | undefined): vscode.DocumentFilter[] {
  return [
    { pattern: '**/.mcp.json' },
    ...(copilotMcpConfig ? [{ pattern: new vscode.RelativePattern(vscode.Uri.joinPath(copilotMcpConfig, '..'), 'mcp-config.json') }] : []),
  ];
}

function toRange(r: TextRange): vscode.Range {
  return new vscode.Range(r.start.line, r.start.character, r.end.line, r.end.character);
}
