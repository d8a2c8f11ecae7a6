import * as vscode from 'vscode';
import { EXTENSION_ID } from '../common/contracts';
import { UserCancelledError } from '../common/errors';

/** What a new `.vscode/mcp.json` starts as: VS Code's own format, so the built-in MCP support reads it too. */
export const EMPTY_MCP_JSON = '{\n\t"servers": {},\n\t"inputs": []\n}\n';

/**
 * Open Configuration: opens (creating if needed) `.vscode/mcp.json` of a workspace folder; with several folders the
 * user picks one; with no folder, the extension's settings.
 */
export async function openConfiguration(): Promise<void> {
  const folders = vscode.workspace.workspaceFolders ?? [];
  if (folders.length === 0) {
    await vscode.commands.executeCommand('workbench.action.openSettings', `@ext:${EXTENSION_ID}`);
    return;
  }
  const folder = folders.length === 1
    ? folders[0]
    : await vscode.window.showWorkspaceFolderPick({ placeHolder: 'Open the MCP configuration of which folder?' });
  if (!folder) throw new UserCancelledError();
  const uri = vscode.Uri.joinPath(folder.uri, '.vscode', 'mcp.json');
  try {
    await vscode.workspace.fs.stat(uri);
  } catch {
    await vscode.workspace.fs.createDirectory(vscode.Uri.joinPath(folder.uri, '.vscode'));
    await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(EMPTY_MCP_JSON));
  }
  const doc = await vscode.workspace.openTextDocument(uri);
  await vscode.window.showTextDocument(doc);
}
