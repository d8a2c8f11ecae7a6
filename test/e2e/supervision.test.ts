import * as assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { fixtureServer, makeWorkspace, useWorkbench } from './workbench';

const alive = (pid: number): boolean => { try { process.kill(pid, 0); return true; } catch { return false; } };
const parentOf = (pid: number): number => Number(readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /s, '').split(' ')[1]);
const readPid = (file: string): number => Number(readFileSync(file, 'utf8').trim().split('\n').pop());

async function until(what: string, predicate: () => boolean, timeoutMs = 60_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

describe('Supervision: the ledger reaps what a killed extension host left behind', () => {
  const dir = makeWorkspace({});
  const pidFiles = { alpha: join(dir, 'alpha.pid'), beta: join(dir, 'beta.pid') };
  const server = (pidFile: string) => ({ type: 'stdio', command: 'node', args: [fixtureServer('mcpServer.mjs')], env: { FIXTURE_PID_FILE: pidFile } });
  const wb = useWorkbench({
    workspace: makeWorkspace({ 'README.md': 'supervision e2e\n' }),
    settings: { 'mcpManager.servers': { alpha: server(pidFiles.alpha), beta: server(pidFiles.beta) } },
    label: 'supervision',
  });
  const started: number[] = [];
  after(() => { for (const pid of started) if (alive(pid)) process.kill(pid, 'SIGKILL'); });

  async function startIn(page: Page, name: string): Promise<void> {
    const f1 = async () => {
      await page.keyboard.press('Escape');
      await page.keyboard.press('F1');
      await page.locator('.quick-input-widget input.input').fill('>MCP Manager: Start Server');
      await page.locator('.quick-input-widget .monaco-list-row', { hasText: 'MCP Manager: Start Server' }).first().waitFor({ timeout: 5_000 });
      await page.keyboard.press('Enter');
    };
    for (let i = 0; ; i++) { try { await f1(); break; } catch (err) { if (i > 5) throw err; } }
    await page.locator('.quick-input-widget .monaco-list-row', { hasText: name }).first().click();
  }

  it('kills the orphan of a dead window and leaves a live window\'s server alone', async () => {
    // Window A runs alpha; window B (another tab, its own extension host) runs beta.
    await wb().openMcpManager();
    await startIn(wb().page, 'alpha');
    await wb().waitForServer('alpha', /running/);
    const pageB = await wb().context.newPage();
    await pageB.goto(wb().server.workbenchUrl());
    await pageB.locator('.activitybar a.action-label[aria-label^="MCP Manager"]').click();
    await startIn(pageB, 'beta');
    await until('beta to start', () => existsSync(pidFiles.beta));
    const alpha = readPid(pidFiles.alpha);
    const beta = readPid(pidFiles.beta);
    started.push(alpha, beta);
    const hostA = parentOf(alpha);
    const hostB = parentOf(beta);
    assert.notEqual(hostA, hostB, 'each window has its own extension host');

    // SIGKILL window A's extension host: no deactivate runs, so alpha is orphaned (its own process group survives).
    process.kill(hostA, 'SIGKILL');
    await until('extension host A to die', () => !alive(hostA));
    await new Promise((r) => setTimeout(r, 1000));
    assert.ok(alive(alpha), 'alpha outlived its extension host');
    await wb().screenshot('20-orphan-before-reap');

    // A new window activates the extension, which reaps the orphan of the dead owner only.
    const pageC = await wb().context.newPage();
    await pageC.goto(wb().server.workbenchUrl());
    await pageC.locator('.activitybar a.action-label[aria-label^="MCP Manager"]').click();
    await until('the orphan to be reaped', () => !alive(alpha));
    assert.ok(alive(beta), 'the live window B keeps its server');
    assert.ok(alive(hostB), 'window B is untouched');
    await pageC.screenshot({ path: join(dir, 'c.png') });
  });
});
