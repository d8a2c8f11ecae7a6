import * as assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../harness/codeServer';
import { fixtureServer, makeWorkspace, useWorkbench } from './workbench';

/**
 * Issue 16 in the real VS Code: a server shared with VS Code's chat is in VS Code's own MCP server list, provided by
 * MCP Manager; VS Code connects to it through MCP Manager's loopback endpoint, and the one supervised process answers.
 */
describe('Sharing a server with VS Code chat in a real VS Code', () => {
  const dir = makeWorkspace({});
  const pidFile = join(dir, 'pids');
  const requestLog = join(dir, 'requests');
  const wb = useWorkbench({
    workspace: join(REPO_ROOT, 'test', 'fixtures', 'workspaces', 'empty'),
    label: 'chat',
    settings: {
      // VS Code's MCP UI (MCP: List Servers) is part of its AI features, which the quiet harness turns off.
      'chat.disableAIFeatures': false,
      'mcpManager.servers': { shared: { type: 'stdio', command: process.execPath, args: [fixtureServer('mcpServer.mjs')], env: { FIXTURE_PID_FILE: pidFile, FIXTURE_REQUEST_LOG: requestLog } } },
    },
  });
  const page = () => wb().page;
  const pids = () => (existsSync(pidFile) ? readFileSync(pidFile, 'utf8').split('\n').filter(Boolean) : []);

  it('Share with VS Code Chat from the tree: the running server appears in VS Code\'s MCP server list, from MCP Manager', async () => {
    await wb().openMcpManager();
    await wb().waitForServer('shared', /stopped/);
    await wb().treeContextMenu('shared', 'Start Server');
    await wb().waitForServer('shared', /running/);
    await wb().treeContextMenu('shared', 'Share with VS Code Chat');
    await wb().waitForNotification(/'shared' is shared with VS Code chat while it runs in MCP Manager/);
    assert.match(await wb().hoverTreeRow('shared', 'Shared with VS Code chat'), /Shared with VS Code chat: chat uses this process/);
    await wb().runCommand('List Servers', 'MCP');
    const row = page().locator('.quick-input-widget .monaco-list-row', { hasText: 'shared' }).first();
    await row.waitFor({ timeout: 30_000 });
    await wb().screenshot('chat-01-vscode-mcp-list');
    await row.click();
    // VS Code's own actions for the server: start it (VS Code connects to MCP Manager's endpoint).
    await wb().pickQuickItem(/Start Server/);
    const trust = await page().locator('.monaco-dialog-box').waitFor({ timeout: 10_000 }).then(() => true, () => false);
    if (trust) await wb().answerDialog('Trust');
  });

  it('VS Code lists the tools through the bridge: answered by the supervised process, no second one started', async () => {
    await wb().treeContextMenu('shared', 'Show Server Log');
    await wb().waitForOutput(/\[chat\] tools\/list: \d+ tools \(from VS Code chat\)/, 60_000);
    assert.equal(pids().length, 1, 'one process: chat did not start its own');
    await wb().screenshot('chat-02-server-log');
  });

  it('the endpoint refuses a request without this window\'s bearer', async () => {
    const log = wb().extensionLogFiles().map((f) => readFileSync(f, 'utf8')).join('\n');
    const port = /chat endpoint listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(log)?.[1];
    assert.ok(port, 'the extension log names the endpoint (never its bearer)');
    const res = await fetch(`http://127.0.0.1:${port}/mcp/anything`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    assert.equal(res.status, 401);
  });

  it('Stop Sharing takes it out of VS Code\'s list', async () => {
    await wb().treeContextMenu('shared', 'Stop Sharing with VS Code Chat');
    await wb().waitForNotification(/'shared' is no longer shared with VS Code chat/);
    await wb().runCommand('List Servers', 'MCP');
    await page().locator('.quick-input-widget').waitFor({ timeout: 10_000 });
    await page().waitForTimeout(1_000);
    const rows = await page().locator('.quick-input-widget .monaco-list-row').allInnerTexts();
    assert.ok(!rows.some((r) => /\bshared\b/.test(r)), `VS Code's list: ${JSON.stringify(rows)}`);
    await page().keyboard.press('Escape');
  });
});
