import * as assert from 'node:assert/strict';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { EXTENSION_ID } from '../../src/common/contracts';
import type { ServerId } from '../../src/common/serverId';
import type { McpManagerApi } from '../../src/extension';
import { until } from '../shared/wait';
import { untilServers } from './helpers';

/** Issue 15 in the extension host: the API's definition state, and the review commands driven by id and URI. */
describe('Definition tracking through the API and the commands in the extension host', () => {
  let api: McpManagerApi;
  const RUG = 'settings:user#def-rug' as ServerId;

  before(async () => {
    const ext = vscode.extensions.getExtension<McpManagerApi>(EXTENSION_ID);
    assert.ok(ext);
    api = await ext.activate();
    const fixture = join(ext.extensionPath, 'test', 'fixtures', 'servers', 'mcpServer.mjs');
    await vscode.workspace.getConfiguration('mcpManager').update('servers', {
      'def-rug': { type: 'stdio', command: 'node', args: [fixture], env: { FIXTURE_MUTATE_TOOLS: '1' } },
    }, vscode.ConfigurationTarget.Global);
    await untilServers(api, 'the server to appear', () => api.servers.get(RUG)?.state.kind === 'stopped');
  });

  after(async () => {
    await vscode.commands.executeCommand('mcpManager.stopServer', RUG);
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await vscode.workspace.getConfiguration('mcpManager').update('servers', undefined, vscode.ConfigurationTarget.Global);
    await vscode.workspace.getConfiguration('mcpManager').update('serverOptions', undefined, vscode.ConfigurationTarget.Global);
  });

  it('exposes the approved and current snapshots read-only: a copy per call', async () => {
    await vscode.commands.executeCommand('mcpManager.startServer', RUG);
    const state = api.definitions.get(RUG);
    assert.ok(state?.approved, 'warn (the default) approves the first listing');
    assert.equal(state.policy, 'warn');
    assert.deepEqual(state.diff, { added: [], removed: [], changed: [] });
    (state.diff.added as string[]).push('tool:forged');
    assert.deepEqual(api.definitions.get(RUG)?.diff.added, [], 'changing the copy changes nothing');
  });

  it('a change after approval shows in the API; Review Tool Changes... opens a diff whose Approve takes it', async () => {
    const changed = new Promise<void>((resolve) => {
      const sub = api.definitions.onDidChange(() => { if (api.definitions.get(RUG)?.diff.changed.length) { sub.dispose(); resolve(); } });
    });
    const result = await vscode.commands.executeCommand<{ content: { text: string }[] }>('mcpManager.callTool', RUG, { tool: 'mutate', arguments: {} });
    assert.equal(result.content[0]?.text, 'mutated');
    await changed;
    assert.deepEqual(api.definitions.get(RUG)?.diff.changed.map((c) => [c.id, c.fields]), [['tool:echo', ['description']]]);

    const right = await vscode.commands.executeCommand<vscode.Uri>('mcpManager.reviewToolChanges', RUG, { tool: 'echo' });
    assert.equal(right.scheme, 'mcp-manager');
    const tab = await until('the diff editor', () => vscode.window.tabGroups.all.flatMap((g) => g.tabs).find((t) => t.input instanceof vscode.TabInputTextDiff && t.input.modified.toString() === right.toString()));
    const input = tab.input as vscode.TabInputTextDiff;
    assert.match((await vscode.workspace.openTextDocument(input.original)).getText(), /"description": "Echoes"/);
    assert.match((await vscode.workspace.openTextDocument(input.modified)).getText(), /third party/);

    const approved = await vscode.commands.executeCommand<string[]>('mcpManager.approveToolChanges', right);
    assert.deepEqual(approved, ['tool:echo']);
    assert.deepEqual(api.definitions.get(RUG)?.diff, { added: ['tool:extra'], removed: [], changed: [] });
    await until('the review closed', () => !vscode.window.tabGroups.all.flatMap((g) => g.tabs).some((t) => t.input instanceof vscode.TabInputTextDiff && t.input.modified.toString() === right.toString()));
    // An Approve with no review open says so instead of approving anything.
    assert.equal(await vscode.commands.executeCommand('mcpManager.approveToolChanges'), undefined);
    assert.deepEqual(api.definitions.get(RUG)?.diff.added, ['tool:extra']);
  });

  it('pinTools block (no restart): the new tool is refused through the command; Keep Blocked survives switching back to warn', async () => {
    await vscode.workspace.getConfiguration('mcpManager').update('serverOptions', { 'def-rug': { pinTools: 'block' } }, vscode.ConfigurationTarget.Global);
    await untilServers(api, 'the policy to apply', () => api.definitions.get(RUG)?.policy === 'block');
    assert.equal(api.servers.get(RUG)?.state.kind, 'running');
    assert.equal(await vscode.commands.executeCommand('mcpManager.callTool', RUG, { tool: 'extra', arguments: {} }), undefined, 'refused, shown as a notification');
    const right = await vscode.commands.executeCommand<vscode.Uri>('mcpManager.reviewToolChanges', RUG, { item: 'tool:extra' });
    assert.deepEqual(await vscode.commands.executeCommand('mcpManager.keepToolBlocked', right), ['tool:extra']);
    await vscode.workspace.getConfiguration('mcpManager').update('serverOptions', undefined, vscode.ConfigurationTarget.Global);
    await untilServers(api, 'back to warn', () => api.definitions.get(RUG)?.policy === 'warn');
    assert.deepEqual(api.definitions.get(RUG)?.keptBlocked, ['tool:extra']);
    assert.equal(await vscode.commands.executeCommand('mcpManager.callTool', RUG, { tool: 'extra', arguments: {} }), undefined, 'still refused');
    const echo = await vscode.commands.executeCommand<{ content: { text: string }[] }>('mcpManager.callTool', RUG, { tool: 'echo', arguments: { text: 'fine' } });
    assert.equal(echo.content[0]?.text, 'fine');
  });
});
