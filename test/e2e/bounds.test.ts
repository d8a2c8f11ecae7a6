import * as assert from 'node:assert/strict';
import { join } from 'node:path';
import { REPO_ROOT } from '../harness/codeServer';
import { fixtureServer, useWorkbench } from './workbench';

/** Issue #13 as the user sees it: a server that pages forever, and a tool whose schema would freeze the host. */
describe('Bounds: hostile servers in a real VS Code', () => {
  const wb = useWorkbench({
    workspace: join(REPO_ROOT, 'test', 'fixtures', 'workspaces', 'empty'),
    label: 'bounds',
    // User settings: no first-start confirmation.
    settings: { 'mcpManager.servers': {
      endless: { type: 'stdio', command: process.execPath, args: [fixtureServer('paginatedServer.mjs')], env: { FIXTURE_ENDLESS: '1' } },
      bomb: { type: 'stdio', command: process.execPath, args: [fixtureServer('mcpServer.mjs')], env: { FIXTURE_REGEX_BOMB: '1' } },
    } },
  });

  it('a server whose tools/list never ends: the start completes and its Tools group says it is truncated', async () => {
    await wb().openMcpManager();
    await wb().waitForServer('endless', /stopped/);
    await wb().treeContextMenu('endless', 'Start Server');
    await wb().waitForServer('endless', /running/);
    await wb().expandTreeRow('endless');
    await wb().treeRow('Tools').waitFor({ timeout: 20_000 });
    const tools = (await wb().treeRows()).find((r) => r.label === 'Tools');
    assert.equal(tools?.description, '300+ (truncated)', JSON.stringify(await wb().treeRows()));
    await wb().screenshot('bounds-01-truncated');
  });

  it('a tool whose pattern backtracks forever: the Call Tool form says it could not be checked, and the call goes through', async () => {
    await wb().treeContextMenu('bomb', 'Start Server');
    await wb().waitForServer('bomb', /running/);
    await wb().runCommand('Call Tool...');
    await wb().pickQuickItem(/bomb/);
    await wb().page.locator('.quick-input-widget input.input[placeholder*="Which tool"]').waitFor({ timeout: 20_000 });
    await wb().page.locator('.quick-input-widget input.input').fill('bomb');
    await wb().pickQuickItem(/pathological pattern/);
    const form = wb().webview();
    const text = form.locator('.field-string textarea, .field-string input').first();
    await text.waitFor({ timeout: 30_000 });
    // ^(a+)+$ against this takes the worker's whole 1 s budget: the note says so, nothing else is blocked.
    await text.fill(`${'a'.repeat(40)}!`);
    await form.locator('.form-note', { hasText: 'could not be checked here' }).waitFor({ timeout: 20_000 });
    await wb().screenshot('bounds-02-pattern-note');
    await form.locator('button#call:not([disabled])').click();
    const result = form.locator('.result pre.text');
    await result.waitFor({ timeout: 30_000 });
    assert.equal(await result.innerText(), 'got 41 chars');
  });
});
