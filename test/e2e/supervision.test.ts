import * as assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Workbench, fixtureServer, makeWorkspace, useWorkbench } from './workbench';
import { isAlive } from '../shared/process';
import { until } from '../shared/wait';

const parentOf = (pid: number): number => Number(readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /s, '').split(' ')[1]);
const readPid = (file: string): number => Number(readFileSync(file, 'utf8').trim().split('\n').pop());

/** The workbench takes its time: e2e waits poll every 250 ms for up to a minute. */
const E2E_WAIT = { timeoutMs: 60_000, intervalMs: 250 };

describe('Supervision: the ledger reaps what a killed extension host left behind', () => {
  const dir = makeWorkspace({});
  const pidFiles = { alpha: join(dir, 'alpha.pid'), beta: join(dir, 'beta.pid') };
  // The servers ignore stdin EOF, as a stuck or badly written server does: only the ledger can clean them up.
  const server = (pidFile: string) => ({
    type: 'stdio', command: 'node', args: [fixtureServer('mcpServer.mjs')], env: { FIXTURE_PID_FILE: pidFile, FIXTURE_IGNORE_STDIN_EOF: '1' },
  });
  const wb = useWorkbench({
    workspace: makeWorkspace({ 'README.md': 'supervision e2e\n' }),
    settings: {
      'mcpManager.servers': {
        alpha: server(pidFiles.alpha), beta: server(pidFiles.beta),
        crasher: { type: 'stdio', command: 'node', args: [fixtureServer('mcpServer.mjs')], env: { FIXTURE_CRASH_AT_START: '1' } },
      },
      'mcpManager.serverOptions': { crasher: { restart: { maxRestarts: 2, backoffBaseMs: 200 } } },
    },
    label: 'supervision',
  });
  const started: number[] = [];
  after(() => { for (const pid of started) if (isAlive(pid)) process.kill(pid, 'SIGKILL'); });

  async function startIn(window: Workbench, name: string): Promise<void> {
    await window.runCommand('Start Server');
    await window.pickQuickItem(name);
  }

  it('shows a crashing server as failed with its reason, once, with Open Log leading to its stderr', async () => {
    await wb().openMcpManager();
    await wb().treeContextMenu('crasher', 'Start Server');
    await wb().waitForServer('crasher', /failed/);
    const message = await wb().waitForNotification(/MCP server 'crasher' failed/);
    assert.match(message, /exited with code 2/);
    const tooltip = await wb().hoverTreeRow('crasher', 'Reason:');
    assert.match(tooltip, /Reason: .*exited with code 2/);
    assert.match(tooltip, /fatal: cannot start \(fixture\)/, 'the tooltip carries the stderr tail');
    await wb().screenshot('22-crasher-failed');
    assert.equal((await wb().notifications()).filter((n) => n.includes('crasher')).length, 1, 'one notification, not one per attempt');
    await wb().clickNotificationButton(/MCP server 'crasher' failed/, 'Open Log');
    const log = await wb().waitForOutput(/fatal: cannot start \(fixture\)/);
    assert.match(log, /giving up/);
    await wb().screenshot('23-crasher-log');
    await wb().page.keyboard.press('Escape');
  });

  it('summarises the servers in the status bar, in warning colours while one failed, and acts on them from there', async () => {
    const item = wb().page.locator('.statusbar-item', { hasText: /MCP \d+\/\d+/ }).first();
    await item.waitFor({ timeout: 10_000 });
    assert.match(await item.innerText(), /MCP 0\/3/, 'none of the three servers runs');
    assert.match((await item.getAttribute('class')) ?? '', /warning-kind/, 'warning colours: crasher failed');
    await wb().runCommand('View: Hide Panel', ''); // the crasher's log was open: it must come back through the status menu
    await wb().page.locator('.part.panel .view-lines').first().waitFor({ state: 'hidden', timeout: 10_000 });
    await item.click();
    await wb().pickQuickItem(/crasher.*failed/);
    await wb().pickQuickItem('Show Server Log');
    await wb().waitForOutput(/fatal: cannot start \(fixture\)/);
    await wb().page.keyboard.press('Escape');
  });

  it('kills the orphan of a dead window and leaves a live window\'s server alone', async () => {
    // Window A runs alpha; window B (another tab, its own extension host) runs beta.
    await wb().openMcpManager();
    await startIn(wb(), 'alpha');
    await wb().waitForServer('alpha', /running/);
    // Its tooltip names the MCP revision the connection negotiated.
    assert.match(await wb().hoverTreeRow('alpha', 'MCP revision:'), /MCP revision: 2025-11-25/);
    await wb().page.mouse.move(0, 0);
    const windowB = await wb().openWindow();
    await windowB.openMcpManager();
    await startIn(windowB, 'beta');
    await until('beta to start', () => existsSync(pidFiles.beta), E2E_WAIT);
    const alpha = readPid(pidFiles.alpha);
    const beta = readPid(pidFiles.beta);
    started.push(alpha, beta);
    const hostA = parentOf(alpha);
    const hostB = parentOf(beta);
    assert.notEqual(hostA, hostB, 'each window has its own extension host');

    // SIGKILL window A's extension host: no deactivate runs, so alpha is orphaned (its own process group survives).
    // The host's death itself does not end alpha. (The workbench restarts a crashed extension host on its own, and
    // that host's activation may reap alpha before window C's does, within a second on a fast machine: either way a
    // new activation reaps the dead owner's orphan, so this is checked at once, not after a pause.)
    process.kill(hostA, 'SIGKILL');
    await until('extension host A to die', () => !isAlive(hostA), E2E_WAIT);
    assert.ok(isAlive(alpha), 'alpha outlived its extension host');
    await wb().screenshot('20-orphan-before-reap');

    // A new window activates the extension, which reaps the orphan of the dead owner only.
    const windowC = await wb().openWindow();
    await windowC.openMcpManager();
    await until('the orphan to be reaped', () => !isAlive(alpha), E2E_WAIT);
    assert.ok(isAlive(beta), 'the live window B keeps its server');
    assert.ok(isAlive(hostB), 'window B is untouched');
    await windowC.screenshot('21-orphan-reaped-new-window');
  });
});
