import * as assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../harness/codeServer';
import { fixtureServer, makeWorkspace, useWorkbench } from './workbench';

/** Issue #6 in the real VS Code: exercising server-everything from the tree and the palette. */
describe('Catalog: exercising a server in a real VS Code', () => {
  const serverJs = join(REPO_ROOT, 'node_modules', '@modelcontextprotocol', 'server-everything', 'dist', 'index.js');
  const callLog = join(makeWorkspace({}), 'calls.log');
  const wb = useWorkbench({
    workspace: join(REPO_ROOT, 'test', 'fixtures', 'workspaces', 'empty'),
    label: 'catalog',
    // User settings (absolute paths; the workspace is a copy): no first-start confirmation.
    settings: { 'mcpManager.servers': {
      everything: { type: 'stdio', command: process.execPath, args: [serverJs, 'stdio'] },
      notes: { type: 'stdio', command: process.execPath, args: [fixtureServer('mcpServer.mjs')], env: { FIXTURE_CALL_LOG: callLog } },
    } },
  });
  const calls = (): string[] => (existsSync(callLog) ? readFileSync(callLog, 'utf8').split('\n').filter(Boolean) : []);
  const quickInput = () => wb().page.locator('.quick-input-widget input.input');
  /** One webview at a time keeps the frame locator unambiguous. */
  async function closeEditors(): Promise<void> {
    await wb().runCommand('View: Close All Editors', '');
    await wb().page.locator('.part.editor .tabs-container .tab').first().waitFor({ state: 'detached', timeout: 10_000 }).catch(() => undefined);
  }
  /** Waits for the next QuickPick (by its placeholder) before typing into it: the previous one may still be closing. */
  async function pickNext(placeholder: string, filter: string, item: RegExp): Promise<void> {
    await wb().page.locator(`.quick-input-widget input.input[placeholder*="${placeholder}"]`).waitFor({ timeout: 20_000 });
    await quickInput().fill(filter);
    await wb().pickQuickItem(item).catch(async (err: unknown) => {
      console.log(`      quick pick rows: ${JSON.stringify(await wb().page.locator('.quick-input-widget .monaco-list-row').allInnerTexts())}`);
      throw err;
    });
  }

  it('starts the server from the tree\'s context menu and lists its tools, resources and prompts', async () => {
    await wb().openMcpManager();
    await wb().waitForServer('everything', /stopped/);
    await wb().screenshot('catalog-01-stopped');
    await wb().treeContextMenu('everything', 'Start Server');
    await wb().waitForServer('everything', /running/);
    // Expand the server, then its Tools group.
    const row = wb().treeRow('everything');
    if ((await row.getAttribute('aria-expanded')) !== 'true') await row.locator('.monaco-tl-twistie').click();
    for (const group of ['Tools', 'Resources', 'Resource Templates', 'Prompts']) await wb().treeRow(group).waitFor({ timeout: 20_000 });
    await wb().treeRow('Tools').locator('.monaco-tl-twistie').click();
    await wb().treeRow('Echo Tool').waitFor({ timeout: 20_000 });
    await wb().screenshot('catalog-02-running-with-catalog');
  });

  it('runs Call Tool... from the palette on echo, fills the form and shows the echoed text', async () => {
    await wb().runCommand('Call Tool...');
    await wb().pickQuickItem(/everything/);
    await pickNext('Which tool', 'echo', /Echo Tool/);
    const form = wb().webview();
    const message = form.locator('.field-string textarea, .field-string input').first();
    await message.waitFor({ timeout: 30_000 });
    // Validation before sending: the required field is empty.
    await form.locator('.field-error', { hasText: 'Required.' }).waitFor({ timeout: 10_000 });
    await wb().screenshot('catalog-03-call-tool-form');
    assert.equal(await form.locator('button#call').isDisabled(), true, 'Call Tool is disabled while the form is invalid');
    await message.fill('Hello from the e2e test <b>not bold</b>');
    await form.locator('button#call:not([disabled])').click();
    const result = form.locator('.result pre.text');
    await result.waitFor({ timeout: 30_000 });
    assert.equal(await result.innerText(), 'Echo: Hello from the e2e test <b>not bold</b>', 'server text is shown as text');
    await wb().screenshot('catalog-04-call-tool-result');
  });

  it('shows images and structured content, and the raw-JSON mode works', async () => {
    await closeEditors();
    await wb().runCommand('Call Tool...');
    await wb().pickQuickItem(/everything/);
    await pickNext('Which tool', 'get-structured-content', /Get Structured Content/);
    const form = wb().webview();
    await form.locator('button#toggle-json').click();
    await form.locator('textarea.raw-json').fill('{ "location": "Chicago" }');
    await form.locator('button#call:not([disabled])').click();
    await form.locator('.result .json-view').waitFor({ timeout: 30_000 });
    assert.match(await form.locator('.result .json-view').innerText(), /"temperature"/);
    await wb().screenshot('catalog-05-structured-content');

    await closeEditors();
    await wb().runCommand('Call Tool...');
    await wb().pickQuickItem(/everything/);
    await pickNext('Which tool', 'get-tiny-image', /Get Tiny Image/);
    const img = wb().webview();
    await img.locator('button#call:not([disabled])').click();
    const image = img.locator('.result img');
    await image.waitFor({ timeout: 30_000 });
    assert.match((await image.getAttribute('src')) ?? '', /^data:image\/png;base64,/);
    assert.ok(await image.evaluate((el: HTMLImageElement) => el.complete && el.naturalWidth > 0), 'the image decodes under the CSP');
    await wb().screenshot('catalog-06-image-result');
  });

  it('reads a resource from the palette into an editor', async () => {
    await closeEditors();
    await wb().runCommand('Read Resource...');
    await wb().pickQuickItem(/everything/);
    await pickNext('Which resource', 'architecture', /architecture\.md/);
    await wb().page.locator('.tabs-container .tab', { hasText: 'architecture.md' }).waitFor({ timeout: 30_000 });
    assert.match(await wb().activeEditorText(), /Everything Server/);
    await wb().screenshot('catalog-07-resource');
  });

  it('gets a prompt, asking its arguments', async () => {
    await wb().runCommand('Get Prompt...');
    await wb().pickQuickItem(/everything/);
    await pickNext('Which prompt', 'Arguments Prompt', /Arguments Prompt/);
    // city (required): typed; state (optional): omitted.
    await wb().page.locator('.quick-input-widget input.input[placeholder*="Name of the city"]').waitFor({ timeout: 20_000 });
    await quickInput().fill('Lisbon');
    await wb().pickQuickItem(/Lisbon/);
    await wb().pickQuickItem(/Omit/);
    await wb().page.locator('.tabs-container .tab', { hasText: 'args-prompt' }).waitFor({ timeout: 30_000 });
    const text = await wb().activeEditorText();
    assert.match(text, /Prompt: args-prompt/);
    assert.match(text, /Lisbon/);
    await wb().screenshot('catalog-08-prompt');
  });

  it('reads a resource template from the tree, its parameter asked with the server\'s completions', async () => {
    await closeEditors();
    await wb().expandTreeRow('Resource Templates');
    await wb().treeContextMenu('Dynamic Text Resource', 'Read Resource Template...');
    await wb().page.locator('.quick-input-widget input.input[placeholder*="resourceId"]').waitFor({ timeout: 20_000 });
    await quickInput().fill('42');
    // server-everything completes a positive integer id with itself: the suggestion, not only the typed text.
    const suggestion = wb().page.locator('.quick-input-widget .monaco-list-row', { has: wb().page.locator('.label-name', { hasText: /^42$/ }), hasNotText: 'typed value' });
    await suggestion.first().waitFor({ timeout: 20_000 });
    await suggestion.first().click();
    await wb().page.locator('.tabs-container .tab', { hasText: '42' }).waitFor({ timeout: 30_000 });
    assert.match(await wb().activeEditorText(), /42/);
    await wb().screenshot('catalog-08b-resource-template');
  });

  it('stops and starts the server from the tree\'s context menu, and restarts it', async () => {
    await wb().treeContextMenu('everything', 'Stop Server');
    await wb().waitForServer('everything', /stopped/);
    await wb().screenshot('catalog-09-stopped-again');
    await wb().treeContextMenu('everything', 'Start Server');
    await wb().waitForServer('everything', /running/);
    await wb().treeContextMenu('everything', 'Restart Server');
    await wb().waitForServer('everything', /running/);
    await wb().screenshot('catalog-10-restarted');
  });

  it('opens the server\'s log from the tree and shows its lines', async () => {
    await wb().treeContextMenu('everything', 'Show Server Log');
    const text = await wb().waitForOutput(/\[server stderr\] Starting default \(STDIO\) server/);
    assert.match(text, /starting: /);
    await wb().screenshot('catalog-11-server-log');
  });

  it('asks before calling a tool the server marks destructive, and calls it only when confirmed', async () => {
    await closeEditors();
    await wb().treeContextMenu('notes', 'Start Server');
    await wb().waitForServer('notes', /running/);
    await wb().runCommand('Call Tool...');
    await wb().pickQuickItem(/notes/);
    await pickNext('Which tool', 'deleteNote', /deleteNote/);
    const form = wb().webview();
    await form.locator('.warning', { hasText: 'marked destructive' }).waitFor({ timeout: 30_000 });
    await form.locator('.field-string textarea, .field-string input').first().fill('groceries');

    await form.locator('button#call:not([disabled])').click();
    const dialog = await wb().answerDialog('Cancel');
    assert.match(dialog, /Call 'deleteNote' on 'notes'\?/);
    assert.match(dialog, /destructive/);
    await form.locator('.status', { hasText: 'Cancelled.' }).waitFor({ timeout: 10_000 });
    assert.deepEqual(calls(), [], 'nothing reached the server after Cancel');

    await form.locator('button#call:not([disabled])').click();
    await form.locator('.status', { hasText: 'Waiting for your confirmation' }).waitFor({ timeout: 10_000 });
    await wb().screenshot('catalog-12-destructive-confirmation');
    await wb().answerDialog('Call Tool');
    await form.locator('.result pre.text', { hasText: 'deleted groceries' }).waitFor({ timeout: 30_000 });
    assert.deepEqual(calls(), ['deleteNote groceries']);
  });
});
