import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { EMPTY_MCP_JSON } from '../../src/commands/openConfiguration';
import { exportTargets } from '../../src/common/config/exporters';
import { EXTENSION_ID, SERVERS_VIEW_ID } from '../../src/common/contracts';
import type { ServerId } from '../../src/common/serverId';
import type { McpManagerApi } from '../../src/extension';
import { until } from '../shared/wait';

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

  describe('Export Server... (programmatic: a target, a folder, what to do on a clash)', () => {
    let folder: vscode.WorkspaceFolder;
    let rootMcpJson: vscode.Uri;
    const run = (id: string, options: object) => vscode.commands.executeCommand<{ file: string; notes: string[] } | undefined>('mcpManager.exportServer', id, options);

    before(async () => {
      const first = vscode.workspace.workspaceFolders?.[0];
      assert.ok(first, 'the integration workspace is open');
      folder = first;
      rootMcpJson = vscode.Uri.joinPath(folder.uri, '.mcp.json');
      // Open Configuration's tests above deleted and restored .vscode/mcp.json: wait until its servers are back.
      const { servers } = extension.exports as McpManagerApi;
      await until('the fixture servers', () => servers.get(`workspace:${folder.name}#echo` as ServerId) && servers.get(`workspace:${folder.name}#remote` as ServerId),
        { on: (listener) => servers.onDidChange(listener) });
    });
    after(async () => { await vscode.workspace.fs.delete(rootMcpJson).then(undefined, () => undefined); });

    it('writes the folder\'s .mcp.json with the password input left empty, then keeps both or replaces', async () => {
      const echo = `workspace:${folder.name}#echo`;
      const first = await run(echo, { target: 'mcpJson', folder: folder.name });
      assert.equal(first?.file, rootMcpJson.fsPath);
      assert.ok(first.notes.some((n) => /^Env "FIXTURE_TOKEN" was left empty: \.mcp\.json cannot hold secrets outside its file/.test(n)), first.notes.join('\n'));
      const read = async () => JSON.parse(new TextDecoder().decode(await vscode.workspace.fs.readFile(rootMcpJson))) as { mcpServers: Record<string, unknown> };
      assert.deepEqual((await read()).mcpServers, { echo: { type: 'stdio', command: 'node', args: ['--version'], env: { FIXTURE_TOKEN: '' } } });
      const both = await run(echo, { target: 'mcpJson', onConflict: 'keepBoth' });
      assert.ok(both?.notes.some((n) => n.includes('"echo-2"')));
      assert.deepEqual(Object.keys((await read()).mcpServers), ['echo', 'echo-2']);
      await run(`workspace:${folder.name}#remote`, { target: 'mcpJson', onConflict: 'replace' });
      await run(echo, { target: 'mcpJson', onConflict: 'replace' });
      assert.deepEqual(Object.keys((await read()).mcpServers), ['echo', 'echo-2', 'remote']);
    });

    it('refuses a remote server for Claude Desktop and writes nothing', async () => {
      assert.equal(await run(`workspace:${folder.name}#remote`, { target: 'claude' }), undefined);
      const claude = exportTargets(process.platform, homedir(), process.env).find((t) => t.kind === 'claude')!;
      await assert.rejects(Promise.resolve(vscode.workspace.fs.stat(vscode.Uri.file(claude.path))), 'no Claude Desktop file was created');
    });
  });
});
