/**
 * Page object for the real VS Code in the browser: the e2e tier drives it like a person (activity bar, palette,
 * tree, notifications, output). One Workbench = one contained code-server + one fresh Chromium profile.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { BrowserContext, FrameLocator, Locator, Page } from 'playwright-core';
import { CodeServer, type CodeServerOptions, REPO_ROOT, launchBrowser } from '../harness/codeServer';

/** A pattern matching exactly `text` (for labels that are prefixes of other labels). */
export const exactly = (text: string): RegExp => new RegExp(`^${text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`);

export const RESULTS_DIR = join(REPO_ROOT, 'test-results', 'e2e');

/** The VSIX `npm run package` produced for the current package.json version. */
export function builtVsix(): string {
  const { name, version } = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { name: string; version: string };
  const vsix = join(REPO_ROOT, `${name}-${version}.vsix`);
  if (!existsSync(vsix)) throw new Error(`${vsix} not found: run \`npm run package\` first (npm run test:e2e does)`);
  return vsix;
}

export class Workbench {
  private constructor(readonly server: CodeServer, readonly context: BrowserContext, readonly page: Page) {}

  /** The same VS Code and browser, driven through another tab (another window with its own extension host). */
  onPage(page: Page): Workbench { return new Workbench(this.server, this.context, page); }

  /** Opens another window (tab) on the same workspace and waits for its workbench. */
  async openWindow(): Promise<Workbench> {
    const page = await this.context.newPage();
    await page.goto(this.server.workbenchUrl());
    await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
    return this.onPage(page);
  }

  static async open(options: Omit<CodeServerOptions, 'vsix'> & { vsix?: string } = {}): Promise<Workbench> {
    const server = await CodeServer.start({ vsix: builtVsix(), label: 'e2e', ...options });
    try {
      const { context, page } = await launchBrowser(join(server.runDir, 'browser'));
      const wb = new Workbench(server, context, page);
      await page.goto(server.workbenchUrl());
      await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
      return wb;
    } catch (err) {
      await server.stop();
      throw err;
    }
  }

  async close(): Promise<void> {
    await this.context.close().catch(() => undefined);
    await this.server.stop();
  }

  async screenshot(name: string): Promise<string> {
    mkdirSync(RESULTS_DIR, { recursive: true });
    const file = join(RESULTS_DIR, `${name.replace(/[^\w.-]+/g, '-')}.png`);
    await this.page.screenshot({ path: file });
    return file;
  }

  get sidebar(): Locator { return this.page.locator('.part.sidebar'); }

  /** Opens the MCP Manager container from the activity bar (a click on an already open container would close it). */
  async openMcpManager(): Promise<void> {
    const entry = this.page.locator('.activitybar a.action-label[aria-label^="MCP Manager"]');
    // With one view in the container VS Code hides the pane header and titles the sidebar "MCP Manager: Servers".
    const title = this.sidebar.locator('.composite.title', { hasText: 'MCP Manager' });
    await entry.waitFor({ timeout: 60_000 });
    // Right after a (re)load the workbench may still be restoring the sidebar: check again after each click.
    for (let attempt = 0; attempt < 5; attempt++) {
      if (await title.isVisible()) return;
      const selected = await entry.evaluate((el) => el.closest('.action-item')?.classList.contains('checked') ?? false);
      if (!selected) await entry.click();
      try { await title.waitFor({ timeout: 3_000 }); return; } catch { /* not open yet: look again */ }
    }
    await title.waitFor({ timeout: 30_000 });
  }

  /** Runs `MCP Manager: <title>` from the command palette (retrying while the command is not yet contributed). */
  async runCommand(title: string, category = 'MCP Manager'): Promise<void> {
    const label = category ? `${category}: ${title}` : title;
    const input = this.page.locator('.quick-input-widget input.input');
    for (let attempt = 0; ; attempt++) {
      await this.page.keyboard.press('Escape');
      await this.page.keyboard.press('F1');
      await input.waitFor({ timeout: 10_000 });
      await input.fill(`>${label}`);
      // The row whose label is exactly the command (not "Read Resource Template..." for "Read Resource...").
      const row = this.page.locator('.quick-input-widget .monaco-list-row', { has: this.page.locator('.label-name', { hasText: exactly(label) }) }).first();
      try {
        await row.waitFor({ timeout: 5_000 });
        await row.click();
        return;
      } catch (err) {
        if (attempt >= 5) throw err;
      }
    }
  }

  /** Waits until a tree row whose label is `label` has an accessibility label matching `aria`. */
  async waitForServer(label: string, aria: RegExp, timeout = 60_000): Promise<void> {
    await this.page.waitForFunction(({ label, source, flags }) => [...document.querySelectorAll('.part.sidebar .pane-body .monaco-list-row')].some((el) =>
      el.querySelector('.label-name')?.textContent === label && new RegExp(source, flags).test(el.getAttribute('aria-label') ?? '')),
    { label, source: aria.source, flags: aria.flags }, { timeout });
  }

  /** Picks an item by its visible label in an open QuickPick. */
  async pickQuickItem(text: string | RegExp): Promise<void> {
    const row = this.page.locator('.quick-input-widget .monaco-list-row', { hasText: text }).first();
    await row.waitFor({ timeout: 20_000 });
    await row.click();
  }

  /** Answers the input box titled `title` (a step of a multi-step flow) with `value`. */
  async answerInput(title: string | RegExp, value: string, options: { password?: boolean } = {}): Promise<void> {
    const widget = this.page.locator('.quick-input-widget');
    await widget.locator('.quick-input-title', { hasText: title }).waitFor({ timeout: 20_000 });
    const input = widget.locator(options.password ? 'input[type="password"]' : 'input.input');
    await input.fill(value);
    await input.press('Enter');
  }

  /** Clicks `button` on the notification whose message matches `message`. */
  async clickNotificationButton(message: string | RegExp, button: string, timeout = 30_000): Promise<void> {
    const toast = this.page.locator('.notification-list-item', { has: this.page.locator('.notification-list-item-message', { hasText: message }) }).first();
    await toast.waitFor({ timeout });
    await toast.locator('.monaco-button', { hasText: button }).first().click();
  }

  /** Clicks a button of the modal dialog (e.g. a first-start confirmation). Returns the dialog's text. */
  async answerDialog(button: string, timeout = 20_000): Promise<string> {
    const dialog = this.page.locator('.monaco-dialog-box');
    await dialog.waitFor({ timeout });
    const text = await dialog.innerText();
    await dialog.locator('.monaco-button', { hasText: button }).first().click();
    return text;
  }

  /** The rows of the Servers tree: label, description and accessibility label. */
  async treeRows(): Promise<{ label: string; description: string; aria: string }[]> {
    const rows = this.sidebar.locator('.pane-body .monaco-list-row');
    return rows.evaluateAll((els) => els.map((el) => ({
      label: el.querySelector('.label-name')?.textContent ?? '',
      description: el.querySelector('.label-description')?.textContent ?? '',
      aria: el.getAttribute('aria-label') ?? '',
    })));
  }

  /** The Servers tree row whose label is exactly `label` (of rows with one name: the one whose accessibility label contains `ariaPart`, e.g. a state's word). */
  treeRow(label: string, ariaPart?: string): Locator {
    const rows = this.sidebar.locator('.pane-body .monaco-list-row', { has: this.page.locator('.label-name', { hasText: exactly(label) }) });
    return (ariaPart ? rows.and(this.page.locator(`[aria-label*=${JSON.stringify(ariaPart)}]`)) : rows).first();
  }

  /**
   * Hovers a tree row and returns the text of its tooltip once one containing `text` shows. A hover that does not
   * come (the pointer already rested there, or the row re-rendered under it) is tried again from elsewhere, 3 times.
   */
  async hoverTreeRow(label: string, text: string, ariaPart?: string): Promise<string> {
    const hover = this.page.locator('.monaco-hover, .workbench-hover', { hasText: text }).first();
    for (let attempt = 1; ; attempt++) {
      await this.page.mouse.move(0, 0);
      await this.treeRow(label, ariaPart).hover();
      try {
        await hover.waitFor({ timeout: 5_000 });
        return await hover.innerText();
      } catch (err) {
        if (attempt === 3) throw err;
      }
    }
  }

  /** Expands a tree row (by its label) unless it is expanded already. */
  async expandTreeRow(label: string): Promise<void> {
    const row = this.treeRow(label);
    await row.waitFor({ timeout: 30_000 });
    if (await row.getAttribute('aria-expanded') === 'false') await row.locator('.monaco-tl-twistie').click();
  }

  /** Right-clicks the tree row `label` and runs `item` from its context menu. */
  async treeContextMenu(label: string, item: string): Promise<void> {
    const menu = this.page.locator('.context-view .monaco-menu');
    const entry = menu.locator('.action-item .action-label', { hasText: exactly(item) }).first();
    // A right-click while the view is still settling (restored sidebar, a row re-rendered by a refresh) can open a
    // menu without the row's items, or none: close it and try again.
    for (let attempt = 0; ; attempt++) {
      await this.treeRow(label).click({ button: 'right' });
      try { await entry.waitFor({ timeout: 5_000 }); break; } catch (err) {
        if (attempt >= 2) throw err;
        await this.page.keyboard.press('Escape');
      }
    }
    await this.page.waitForTimeout(150); // the menu ignores clicks while it opens
    await entry.click();
    // A click that lands while the menu re-renders is lost: click once more if the menu is still open.
    if (!await menu.waitFor({ state: 'hidden', timeout: 2_000 }).then(() => true, () => false)) await entry.click({ timeout: 2_000 }).catch(() => undefined);
  }

  /** The content frame of the active webview (VS Code nests the extension's page in an inner iframe). */
  webview(): FrameLocator {
    return this.page.frameLocator('iframe.webview.ready:visible').frameLocator('iframe#active-frame');
  }

  /** Text of the Servers view's welcome content (empty when the tree has rows). */
  async welcomeText(): Promise<string> {
    const welcome = this.sidebar.locator('.welcome-view-content');
    await welcome.first().waitFor({ timeout: 30_000 });
    return (await welcome.first().innerText()).replace(/\u00a0/g, ' ');
  }

  async notifications(): Promise<string[]> {
    return this.page.locator('.notification-list-item-message').allInnerTexts();
  }

  async waitForNotification(text: string | RegExp, timeout = 30_000): Promise<string> {
    const item = this.page.locator('.notification-list-item-message', { hasText: text }).first();
    await item.waitFor({ timeout });
    return item.innerText();
  }

  /** Waits until the Output panel shows text matching `pattern` (spaces normalized). */
  async waitForOutput(pattern: RegExp, timeout = 30_000): Promise<string> {
    await this.page.waitForFunction(({ source, flags }) => {
      const el = document.querySelector('.part.panel .view-lines');
      return !!el && new RegExp(source, flags).test((el.textContent ?? '').replace(/\u00a0/g, ' '));
    }, { source: pattern.source, flags: pattern.flags }, { timeout });
    return this.outputText();
  }

  /** Types `text` into the Output view's filter box (only matching lines show); '' clears it. */
  async filterOutput(text: string): Promise<void> {
    const filter = this.page.locator('.part.panel input[placeholder^="Filter"]').first();
    await filter.waitFor({ timeout: 10_000 });
    // Right after the channel switches, the view may re-render and drop what was typed: type until it holds.
    for (let attempt = 0; attempt < 5; attempt++) {
      await filter.fill(text);
      await this.page.waitForTimeout(500);
      if (await filter.inputValue() === text) return;
    }
    throw new Error(`the Output filter did not take "${text}"`);
  }

  /** Visible text of the Output panel (spaces render as U+00A0). */
  async outputText(): Promise<string> {
    const lines = this.page.locator('.part.panel .view-lines');
    await lines.first().waitFor({ timeout: 30_000 });
    return (await lines.first().innerText()).replace(/\u00a0/g, ' ');
  }

  /**
   * Sets an enum setting through the Settings editor, as a user does (settings.json edited from outside is not picked
   * up by code-server): searches for `id`, opens its drop-down and picks `option`, then closes the editor.
   */
  async setEnumSetting(id: string, option: string): Promise<void> {
    await this.runCommand('Open User Settings', 'Preferences');
    await this.page.locator('.settings-editor .suggest-input-container .monaco-editor').first().waitFor({ timeout: 20_000 });
    await this.page.waitForTimeout(500); // the search box takes focus once the editor is ready
    await this.page.keyboard.type(id);
    const select = this.page.locator(`.settings-editor .setting-item select[aria-label="${id}"]`).first();
    await select.waitFor({ timeout: 20_000 });
    await select.click();
    await this.page.locator('.monaco-select-box-dropdown-container .monaco-list-row .option-text', { hasText: exactly(option) }).first().click();
    await this.page.waitForTimeout(500);
    await this.page.keyboard.press('Escape');
    await this.runCommand('Close Editor', 'View');
  }

  /** Text of the active editor. */
  async activeEditorText(): Promise<string> {
    const lines = this.page.locator('.part.editor .editor-instance .view-lines').first();
    await lines.waitFor({ timeout: 30_000 });
    return (await lines.innerText()).replace(/\u00a0/g, ' ');
  }

  /** The extension's log files as VS Code writes them: <user-data>/logs/<date>/exthostN/mcpkit.mcp-manager/*.log. */
  extensionLogFiles(): string[] {
    const logs = join(this.server.userDataDir, 'logs');
    const found: string[] = [];
    const walk = (dir: string): void => {
      if (!existsSync(dir)) return;
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        const p = join(dir, entry.name);
        if (entry.isDirectory()) walk(p);
        else if (p.includes('mcpkit.mcp-manager') && p.endsWith('.log')) found.push(p);
      }
    };
    walk(logs);
    return found;
  }
}

/**
 * Registers before/after hooks on the calling suite: one Workbench for the suite, a screenshot of every failed test.
 * Usage: `const wb = useWorkbench({ workspace }); it('...', async () => { await wb().openMcpManager(); })`.
 * Options may be a function, evaluated in the `before` hook (e.g. after a fixture server is listening).
 */
type WorkbenchOptions = Parameters<typeof Workbench.open>[0];

export function useWorkbench(options: WorkbenchOptions | (() => WorkbenchOptions | Promise<WorkbenchOptions>) = {}): () => Workbench {
  let workbench: Workbench | undefined;
  before(async function () {
    this.timeout(180_000);
    workbench = await Workbench.open(typeof options === 'function' ? await options() : options);
  });
  afterEach(async function () {
    if (this.currentTest?.state === 'failed' && workbench) {
      const file = await workbench.screenshot(`FAILED ${this.currentTest.fullTitle()}`).catch(() => undefined);
      if (file) console.log(`      screenshot: ${file}`);
    }
  });
  after(async function () {
    this.timeout(60_000);
    await workbench?.close();
  });
  return () => {
    if (!workbench) throw new Error('workbench not started');
    return workbench;
  };
}

/** A throw-away workspace folder with the given files (paths relative to it); returns its path. */
export function makeWorkspace(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'mcpm-ws-'));
  process.once('exit', () => rmSync(dir, { recursive: true, force: true })); // code-server works on a copy
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, rel)), { recursive: true });
    writeFileSync(join(dir, rel), text);
  }
  return dir;
}

/** Absolute path of a fixture MCP server (test/fixtures/servers/NAME). */
export const fixtureServer = (name: string): string => join(REPO_ROOT, 'test', 'fixtures', 'servers', name);

/** Every file under `dir` whose contents include `needle` (binary-safe). */
export function filesContaining(dir: string, needle: string): string[] {
  const hits: string[] = [];
  const walk = (d: string): void => {
    if (!existsSync(d)) return;
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, entry.name);
      if (entry.isDirectory()) walk(p);
      else if (entry.isFile()) {
        try { if (readFileSync(p).includes(needle)) hits.push(p); } catch { /* unreadable socket etc. */ }
      }
    }
  };
  walk(dir);
  return hits;
}
