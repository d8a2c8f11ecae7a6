import * as assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../harness/codeServer';
import { fixtureServer, useWorkbench } from './workbench';

/**
 * Elicitation in the real VS Code, in both protocol eras: a 2025-11-25 server sends elicitation/create
 * (mcpServer.mjs, v1 server SDK); a 2026-07-28-only server answers the tool call with input_required
 * (modernServer.mjs, v2 server SDK), which the client fulfils through the same UI and retries. The same tools, the same
 * answers.
 */
const ERAS = [
  { era: '2025-11-25', file: 'mcpServer.mjs', env: { FIXTURE_ELICIT: '1' } },
  { era: '2026-07-28', file: 'modernServer.mjs', env: { FIXTURE_ELICIT: '1', FIXTURE_MODERN_ONLY: '1' } },
] as const;

for (const { era, file, env } of ERAS) describe(`Elicitation (MCP ${era}): a server asks the user, in a real VS Code`, () => {
  const SECRET = 'e2e-Hunter2-Secret';
  const wb = useWorkbench({
    workspace: join(REPO_ROOT, 'test', 'fixtures', 'workspaces', 'empty'),
    label: `elicitation-${era}`,
    settings: { 'mcpManager.servers': { asker: { type: 'stdio', command: process.execPath, args: [fixtureServer(file)], env } } },
  });
  const page = () => wb().page;

  async function closeEditors(): Promise<void> {
    await wb().runCommand('View: Close All Editors', '');
    await page().locator('.part.editor .tabs-container .tab').first().waitFor({ state: 'detached', timeout: 10_000 }).catch(() => undefined);
  }

  /** Opens Call Tool... on `tool` of asker, fills `args` as JSON and calls it; returns once the call is under way. */
  async function callTool(tool: string, args: Record<string, unknown> = {}): Promise<void> {
    await closeEditors();
    await wb().runCommand('Call Tool...');
    await wb().pickQuickItem(/asker/);
    await page().locator('.quick-input-widget input.input[placeholder*="Which tool"]').waitFor({ timeout: 20_000 });
    await page().locator('.quick-input-widget input.input').fill(tool);
    await wb().pickQuickItem(new RegExp(tool));
    const form = wb().webview();
    await form.locator('button#toggle-json').click();
    await form.locator('textarea.raw-json').fill(JSON.stringify(args));
    await form.locator('button#call:not([disabled])').click();
  }

  /** The Call Tool panel's result text, once it is shown (the elicitation panel has closed by then). */
  async function toolResult(): Promise<string> {
    const result = wb().webview().locator('.result pre.text');
    await result.waitFor({ timeout: 30_000 });
    return result.innerText();
  }

  /** The elicitation form, once it is the visible webview. */
  async function elicitationForm() {
    const form = wb().webview();
    await form.locator('#message').waitFor({ timeout: 30_000 });
    return form;
  }

  it('starts the server; its tooltip names the revision it speaks', async () => {
    await wb().openMcpManager();
    await wb().waitForServer('asker', /stopped/);
    await wb().treeContextMenu('asker', 'Start Server');
    await wb().waitForServer('asker', /running/);
    assert.match(await wb().hoverTreeRow('asker', 'MCP revision:'), new RegExp(`MCP revision: ${era}`));
    await page().keyboard.press('Escape');
  });

  it('form mode: the panel shows the server and its message; the row waits for input; Submit answers the filled form', async () => {
    await callTool('askForm');
    const form = await elicitationForm();
    assert.equal(await form.locator('#message').innerText(), 'Please fill in your profile');
    assert.match(await form.locator('.server').innerText(), /asker/);
    await wb().waitForServer('asker', /running, waiting for input/);
    const row = await wb().treeRows();
    assert.match(row.find((r) => r.label === 'asker')?.description ?? '', /waiting for input/);
    // Validation: name is required and at least 2 characters.
    await form.locator('.field-error', { hasText: 'Required.' }).waitFor({ timeout: 10_000 });
    assert.equal(await form.locator('button#submit').isDisabled(), true);
    await form.locator('.field-string', { hasText: 'Your name' }).locator('input, textarea').fill('Ada');
    const password = form.locator('input[type="password"]');
    assert.equal(await password.count(), 1, 'the password field is a password box');
    await password.fill(SECRET);
    await form.locator('.field-multiselect label', { hasText: 'beta' }).click();
    await form.locator('.field-enum select').selectOption({ label: 'Green' });
    await wb().screenshot(`elicitation-${era}-01-form`);
    await form.locator('button#submit:not([disabled])').click();
    const hash = createHash('sha256').update(SECRET).digest('hex').slice(0, 12);
    const result = await toolResult();
    assert.equal(result, `accept ${JSON.stringify({ name: 'Ada', password: `sha256:${hash}`, color: 'g', tags: ['beta'], subscribe: false })}`);
    await wb().waitForServer('asker', /^(?!.*waiting for input).*running/);
    await wb().screenshot(`elicitation-${era}-02-accepted`);
  });

  it('Decline answers decline; clicking the waiting row brings the form back first', async () => {
    await callTool('askForm');
    await elicitationForm();
    await wb().waitForServer('asker', /waiting for input/);
    // Put the Call Tool panel in front, then click the row: the form comes back.
    await page().locator('.tabs-container .tab', { hasText: 'Call Tool' }).click();
    await page().locator('.tabs-container .tab.active', { hasText: 'Call Tool' }).waitFor({ timeout: 10_000 });
    await wb().treeRow('asker').click();
    const form = await elicitationForm();
    await form.locator('button#decline').click();
    assert.equal(await toolResult(), 'decline');
  });

  it('closing the panel answers cancel', async () => {
    await callTool('askForm');
    await elicitationForm();
    await wb().runCommand('Close Editor', 'View');
    assert.equal(await toolResult(), 'cancel');
    await wb().waitForServer('asker', /^(?!.*waiting for input).*running/);
  });

  it('URL mode: a modal names the host; Decline answers decline and opens nothing', async () => {
    await callTool('askUrl', { url: 'https://auth.example.com/authorize?client=e2e' });
    const dialog = page().locator('.monaco-dialog-box');
    await dialog.waitFor({ timeout: 30_000 });
    await wb().screenshot(`elicitation-${era}-03-url-modal`);
    assert.ok(await dialog.locator('.monaco-button', { hasText: 'Open auth.example.com' }).count() > 0, 'the button names the host');
    const text = await wb().answerDialog('Decline');
    assert.match(text, /'asker' asks you to open auth\.example\.com/);
    assert.match(text, /Authorize the fixture/);
    assert.match(text, /https:\/\/auth\.example\.com\/authorize\?client=e2e/);
    assert.equal(await toolResult(), 'decline');
  });

  it('the server log says what was asked and answered, and the password is nowhere in what VS Code wrote', async () => {
    await wb().treeContextMenu('asker', 'Show Server Log');
    await wb().waitForOutput(/elicitation: asker accepted \(name="Ada", password=••••/);
    const logs = wb().extensionLogFiles().map((f) => readFileSync(f, 'utf8')).join('\n');
    assert.match(logs, /elicitation: asker asked "Please fill in your profile" \(form, 7 fields\)/);
    assert.match(logs, /elicitation: asker declined/);
    assert.match(logs, /elicitation: asker cancelled/);
    assert.ok(!logs.includes(SECRET), 'the secret is in no log file');
  });
});
