import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { EMPTY_MCP_JSON } from '../../src/commands/openConfiguration';
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

  describe('Open Configuration', () => {
    let mcpJson: vscode.Uri;
    let original: Uint8Array;
    const onDisk = async (): Promise<string> => new TextDecoder().decode(await vscode.workspace.fs.readFile(mcpJson));

    before(async () => {
      const folder = vscode.workspace.workspaceFolders?.[0];
      assert.ok(folder, 'the integration workspace is open');
      mcpJson = vscode.Uri.joinPath(folder.uri, '.vscode', 'mcp.json');
      original = await vscode.workspace.fs.readFile(mcpJson);
    });
    afterEach(async () => {
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
      await vscode.workspace.fs.writeFile(mcpJson, original);
    });

    it('opens the folder\'s .vscode/mcp.json as it is', async () => {
      await vscode.commands.executeCommand('mcpManager.openConfiguration');
      assert.equal(vscode.window.activeTextEditor?.document.uri.toString(), mcpJson.toString());
      assert.equal(await onDisk(), new TextDecoder().decode(original), 'an existing file is not rewritten');
    });

    it('creates .vscode/mcp.json in VS Code\'s format when the folder has none, and opens it', async () => {
      await vscode.workspace.fs.delete(mcpJson);
      await vscode.commands.executeCommand('mcpManager.openConfiguration');
      assert.equal(vscode.window.activeTextEditor?.document.uri.toString(), mcpJson.toString());
      assert.equal(await onDisk(), EMPTY_MCP_JSON);
    });
  });
});
