import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { EXTENSION_ID, SERVERS_VIEW_ID } from '../../src/common/contracts';

interface ContributedCommand { command: string }

describe('MCP Manager in the extension host', () => {
  let extension: vscode.Extension<unknown>;

  before(async () => {
    const found = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(found, `${EXTENSION_ID} is loaded`);
    extension = found;
    await vscode.commands.executeCommand(`${SERVERS_VIEW_ID}.focus`);
    await extension.activate();
  });

  it('activates', () => {
    assert.equal(extension.isActive, true);
  });

  it('registers exactly the commands package.json declares', async () => {
    const manifest = JSON.parse(readFileSync(join(extension.extensionPath, 'package.json'), 'utf8')) as { contributes: { commands: ContributedCommand[] } };
    const declared = manifest.contributes.commands.map((c) => c.command).sort();
    const registered = (await vscode.commands.getCommands(true)).filter((c) => c.startsWith('mcpManager.') && !c.startsWith(`${SERVERS_VIEW_ID}.`)).sort();
    assert.deepEqual(registered, declared);
  });

  it('Open Configuration creates and opens .vscode/mcp.json in the workspace folder', async () => {
    const folder = vscode.workspace.workspaceFolders?.[0];
    assert.ok(folder, 'the integration workspace is open');
    await vscode.commands.executeCommand('mcpManager.openConfiguration');
    const active = vscode.window.activeTextEditor?.document;
    assert.equal(active?.uri.toString(), vscode.Uri.joinPath(folder.uri, '.vscode', 'mcp.json').toString());
    const parsed = JSON.parse(active.getText()) as { servers?: unknown };
    assert.equal(typeof parsed.servers, 'object');
  });
});
