import * as assert from 'node:assert/strict';
import { join } from 'node:path';
import { REPO_ROOT } from '../harness/codeServer';
import { fixtureServer, useWorkbench } from './workbench';

/**
 * Issue 15 in the real VS Code: a server whose tools change after approval (the fixture's `mutate` tool changes echo's
 * description and adds `extra`, then sends tools/list_changed), with pinTools block: marked in the tree, refused from
 * Call Tool..., reviewed in a diff editor, approved or kept blocked; what its definitions and its process cost.
 */
describe('Definitions: tool changes, pinning and cost in a real VS Code', () => {
  const wb = useWorkbench({
    workspace: join(REPO_ROOT, 'test', 'fixtures', 'workspaces', 'empty'),
    label: 'definitions',
    settings: {
      'mcpManager.servers': { rug: { type: 'stdio', command: process.execPath, args: [fixtureServer('mcpServer.mjs')], env: { FIXTURE_MUTATE_TOOLS: '1' } } },
      'mcpManager.serverOptions': { rug: { pinTools: 'block' } },
    },
  });
  const page = () => wb().page;
  const description = async (label: string): Promise<string> => (await wb().treeRows()).find((r) => r.label === label)?.description ?? '';
  const waitForDescription = (label: string, re: RegExp) => page().waitForFunction(({ label, source }) => [...document.querySelectorAll('.part.sidebar .pane-body .monaco-list-row')].some((el) =>
    el.querySelector('.label-name')?.textContent === label && new RegExp(source).test(el.querySelector('.label-description')?.textContent ?? '')), { label, source: re.source }, { timeout: 30_000 });
  const diffSide = (side: 'original' | 'modified') => page().locator(`.monaco-diff-editor .editor.${side} .view-lines`).first();
  async function diffText(side: 'original' | 'modified'): Promise<string> {
    await diffSide(side).waitFor({ timeout: 30_000 });
    return (await diffSide(side).innerText()).replace(/\u00a0/g, ' ');
  }
  const editorAction = (title: string) => page().locator(`.editor-actions .action-label[aria-label^="${title}"]`).first();
  async function closeEditors(): Promise<void> {
    await wb().runCommand('View: Close All Editors', '');
    await page().locator('.part.editor .tabs-container .tab').first().waitFor({ state: 'detached', timeout: 10_000 }).catch(() => undefined);
  }
  async function callToolForm(tool: string): Promise<void> {
    await wb().runCommand('Call Tool...');
    await wb().pickQuickItem(/rug/);
    await page().locator('.quick-input-widget input.input[placeholder*="Which tool"]').waitFor({ timeout: 20_000 });
    await page().locator('.quick-input-widget input.input').fill(tool);
    const row = page().locator('.quick-input-widget .monaco-list-row', { has: page().locator('.label-name', { hasText: new RegExp(`(^|\\s)${tool}$`) }) }).first();
    await row.waitFor({ timeout: 20_000 });
    await row.click();
  }

  it('with pinTools block, the first listing approves nothing: every tool is new and blocked, and the user is told once', async () => {
    await wb().openMcpManager();
    await wb().waitForServer('rug', /stopped/);
    await wb().treeContextMenu('rug', 'Start Server');
    await wb().waitForServer('rug', /running/);
    const told = await wb().waitForNotification(/differs from the definitions you approved/);
    assert.match(told, /\d+ new \(tool addTool, tool addTools, tool big/, 'tools first');
    assert.match(told, /blocked until you approve them/);
    await waitForDescription('rug', /\d+ changes/);
    await wb().expandTreeRow('rug');
    await wb().expandTreeRow('Tools');
    await waitForDescription('echo', /^new, blocked · Echoes/);
  });

  it('Call Tool... refuses a blocked tool, naming it, and its notification opens the review, where Approve unblocks it', async () => {
    await callToolForm('echo');
    await wb().waitForNotification(/The tool 'echo' is new since you approved this server's tools/);
    await wb().clickNotificationButton(/The tool 'echo' is new/, 'Review Tool Changes');
    await page().locator('.tabs-container .tab', { hasText: 'tool echo (approved ↔ now)' }).waitFor({ timeout: 30_000 });
    assert.match(await diffText('original'), /not approved: new since you approved/);
    assert.match(await diffText('modified'), /"description": "Echoes"/);
    await editorAction('Approve Tool Changes').click();
    await wb().waitForNotification(/Approved tool echo of 'rug'/);
    await waitForDescription('echo', /^Echoes$/);
  });

  it('Review Tool Changes... from the palette approves all the rest at once', async () => {
    await wb().runCommand('Review Tool Changes...');
    await wb().pickQuickItem(/rug/);
    await wb().pickQuickItem(/All \d+ changes/);
    await page().locator('.tabs-container .tab', { hasText: 'changes (approved ↔ now)' }).waitFor({ timeout: 30_000 });
    assert.match(await diffText('modified'), /\/\/ tool addTool/);
    await editorAction('Approve Tool Changes').click();
    await wb().waitForNotification(/Approved \d+ changes of 'rug'/);
    await waitForDescription('mutate', /^Changes echo's description/);
    await waitForDescription('rug', /^stdio · [^·]+ · ≈\d+ tokens$/);
  });

  it('a rug pull (echo\'s description changes after approval) is marked, refused, shown in a diff, and callable once approved', async () => {
    await closeEditors();
    await callToolForm('mutate');
    const form = wb().webview();
    await form.locator('button#call:not([disabled])').click();
    await form.locator('.result pre.text', { hasText: 'mutated' }).waitFor({ timeout: 30_000 });
    const told = await wb().waitForNotification(/1 changed \(tool echo: description\), 1 new \(tool extra\)/);
    assert.match(told, /MCP server 'rug' differs/);
    await waitForDescription('echo', /^changed, blocked · Echoes, and sends your text to a third party/);
    await waitForDescription('rug', /2 changes/);
    const tip = await wb().hoverTreeRow('echo', 'Changed since you approved it');
    assert.match(tip, /Changed since you approved it: description/);
    assert.match(tip, /Blocked: calls are refused until you approve it \(pinTools: block\)/);
    await closeEditors();
    await wb().treeContextMenu('echo', 'Review Tool Changes...');
    await page().locator('.tabs-container .tab', { hasText: 'tool echo (approved ↔ now)' }).waitFor({ timeout: 30_000 });
    assert.match(await diffText('original'), /"description": "Echoes"/);
    assert.match(await diffText('modified'), /"description": "Echoes, and sends your text to a third party"/);
    await wb().screenshot('definitions-01-review-diff');
    await editorAction('Approve Tool Changes').click();
    await waitForDescription('echo', /^Echoes, and sends your text to a third party$/);
    await callToolForm('echo');
    const echo = wb().webview();
    await echo.locator('.field-string textarea, .field-string input').first().fill('approved');
    await echo.locator('button#call:not([disabled])').click();
    await echo.locator('.result pre.text', { hasText: 'approved' }).waitFor({ timeout: 30_000 });
  });

  it('Keep Tool Blocked keeps a new tool refused', async () => {
    await closeEditors();
    await wb().treeContextMenu('extra', 'Review Tool Changes...');
    await page().locator('.tabs-container .tab', { hasText: 'tool extra (approved ↔ now)' }).waitFor({ timeout: 30_000 });
    await editorAction('Keep Tool Blocked').click();
    await wb().waitForNotification(/Kept tool extra of 'rug' blocked/);
    await waitForDescription('extra', /^new, blocked/);
    await callToolForm('extra');
    await wb().waitForNotification(/You kept the tool 'extra' blocked/);
  });

  it('shows what the definitions cost in tokens, and the process tree\'s CPU and memory', async () => {
    const toolTip = await wb().hoverTreeRow('echo', 'Definition:');
    assert.match(toolTip, /Definition: \d+ bytes, ≈\d+ tokens \(estimated\)/);
    assert.match(await description('rug'), /≈\d+ tokens/);
    const serverTip = await wb().hoverTreeRow('rug', 'Process tree:');
    assert.match(serverTip, /Process tree: CPU \d+\.\d % · \d+\.\d (KB|MB)/);
    assert.match(serverTip, /Tool definitions: ≈\d+ tokens \(\d+\.\d KB\) in every request that offers them \(estimated\)/);
    assert.match(serverTip, /Definitions since you approved them: 1 new \(tool extra\) \(pinTools: block\)/);
    await wb().screenshot('definitions-02-cost-tooltip');
    // The status bar item: the running servers' tool tokens in its tooltip, CPU and memory in its quick pick.
    const status = page().locator('.statusbar-item', { hasText: 'MCP 1/1' }).first();
    await status.hover();
    await page().locator('.monaco-hover, .workbench-hover', { hasText: 'Tool definitions of the running servers' }).first().waitFor({ timeout: 10_000 });
    await status.click();
    const row = page().locator('.quick-input-widget .monaco-list-row', { hasText: 'rug' }).first();
    await row.waitFor({ timeout: 20_000 });
    await page().waitForFunction(() => [...document.querySelectorAll('.quick-input-widget .monaco-list-row')].some((el) => /CPU \d+\.\d % · /.test(el.textContent ?? '')), undefined, { timeout: 20_000 });
    await wb().screenshot('definitions-03-status-quick-pick');
    await page().keyboard.press('Escape');
  });
});
