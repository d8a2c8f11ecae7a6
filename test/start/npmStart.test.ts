/**
 * The README's first command, `npm start`, as a new user runs it: it must build the VSIX, install everything it
 * needs and serve the extension in a real VS Code on the demo workspace, then stop cleanly on Ctrl+C.
 * With MCP_FRESH_INSTALL=1 (CI) it runs in a fresh clone of HEAD (no node_modules) with an empty test cache, so
 * every CI run proves the whole install from nothing: npm packages, apt packages, Node 24, code-server.
 */
import * as assert from 'node:assert/strict';
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT, freePort, launchBrowser } from '../harness/codeServer';
import { isAlive } from '../shared/process';


describe('npm start (README: builds the VSIX and opens the extension in a real VS Code with the demo workspace)', () => {
  const fresh = process.env['MCP_FRESH_INSTALL'] === '1';
  const scratch = mkdtempSync(join(tmpdir(), 'mcpm-start-'));
  let proc: ChildProcess | undefined;
  const output: string[] = [];
  after(() => {
    if (proc?.pid && proc.exitCode === null) { try { process.kill(-proc.pid, 'SIGKILL'); } catch { /* gone */ } }
    if (!process.env['MCP_TEST_KEEP_DIRS']) rmSync(scratch, { recursive: true, force: true });
  });

  it(`serves the workbench with MCP Manager and the demo server, and stops on Ctrl+C${fresh ? ' (fresh clone, empty cache)' : ''}`, async function () {
    let cwd = REPO_ROOT;
    const env: NodeJS.ProcessEnv = { ...process.env, PORT: String(await freePort()), MCP_FORCE_CODE_SERVER: '1' };
    if (fresh) {
      cwd = join(scratch, 'clone');
      execFileSync('git', ['clone', '--quiet', '--no-hardlinks', REPO_ROOT, cwd]);
      env['MCP_MANAGER_TEST_CACHE'] = join(scratch, 'cache');
    }
    const started = Date.now();
    proc = spawn('npm', ['start'], { cwd, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    const url = await new Promise<string>((resolve, reject) => {
      const onData = (d: Buffer): void => {
        output.push(d.toString());
        const m = /Open (http:\/\/127\.0\.0\.1:\d+\/\S*) in a browser/.exec(output.join(''));
        if (m) resolve(m[1]);
      };
      proc!.stdout!.on('data', onData);
      proc!.stderr!.on('data', onData);
      proc!.once('exit', (code) => reject(new Error(`npm start exited (${code}) before serving:\n${output.join('').slice(-4000)}`)));
    });
    console.log(`      npm start served ${url} after ${Math.round((Date.now() - started) / 1000)} s`);
    const codeServerPid = Number(/code-server pid (\d+)/.exec(output.join(''))?.[1]);
    assert.ok(codeServerPid > 0, 'npm start names the code-server process');

    const res = await fetch(url);
    assert.equal(res.status, 200);
    assert.match(await res.text(), /workbench/i, 'the URL serves the VS Code workbench');

    const { context, page } = await launchBrowser(join(scratch, 'browser'));
    try {
      await page.goto(url);
      await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
      const entry = page.locator('.activitybar a.action-label[aria-label^="MCP Manager"]');
      await entry.waitFor({ timeout: 60_000 });
      await entry.click();
      const row = page.locator('.part.sidebar .pane-body .monaco-list-row .label-name', { hasText: /^everything$/ });
      await row.waitFor({ timeout: 60_000 });
    } finally {
      await context.close();
    }

    const exited = new Promise<number | null>((r) => proc!.once('exit', (code) => r(code)));
    process.kill(-proc.pid!, 'SIGINT');
    const code = await Promise.race([exited, new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), 20_000))]);
    assert.notEqual(code, 'timeout', 'npm start stops within 20 s of Ctrl+C');
    assert.equal(isAlive(codeServerPid), false, 'code-server is gone');
    await assert.rejects(fetch(url), 'nothing answers on the port any more');
  });
});
