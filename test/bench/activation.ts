/* Report-only activation benchmark: `npm run bench:activation [-- --baseline <git-rev | packaged checkout dir>]...`.
 * Asserts nothing.
 *
 * For this checkout (and, with --baseline, for another commit, exported with `git archive` and packaged with its own
 * build, or a folder where `npm run package` already ran) it measures:
 *  (a) the minified activation bundle (dist/extension.js after `npm run package`), and dist/sdk.js where the SDK is
 *      bundled apart (loaded at first use);
 *  (b) the time to `require` that bundle on Node with a stub `vscode` module: median of REQUIRE_RUNS fresh processes;
 *  (c) in the real VS Code (code-server, the built VSIX, a workspace whose .vscode/mcp.json has one stdio server,
 *      opened in Chromium): the time from the extension host's activation line for mcpkit.mcp-manager to our
 *      "[activate] activated" line (log timestamps, ms), VS Code's own activation time for the extension (code loading
 *      + activate() call, from Developer: Show Running Extensions), and whether any process was spawned for the
 *      configured server (autoStart is never, so none should be). Then it starts that server (expanding its row) and
 *      times expand → running, which proves the lazily loaded SDK works in the bundle and shows what its first load
 *      costs. Median of VSCODE_RUNS runs, targets alternating.
 *
 * Note on (c): the extension host writes a new log channel's first lines only once its log file is open (they are
 * buffered and stamped when written), so our "activated" timestamp is when that happened, at or after the real moment.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, realpathSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from '../harness/codeServer';
import { Workbench } from '../e2e/workbench';

const args = process.argv.slice(2);
const option = (name: string): string | undefined => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : undefined; };
const REQUIRE_RUNS = Number(option('--require-runs') ?? process.env['BENCH_REQUIRE_RUNS'] ?? 15);
const VSCODE_RUNS = Number(option('--vscode-runs') ?? process.env['BENCH_VSCODE_RUNS'] ?? 5);
/** Each `--baseline` (repeatable) is a git revision or a folder where `npm run package` ran. */
const BASELINES = args.flatMap((a, i) => (a === '--baseline' && args[i + 1] ? [args[i + 1]] : []));
/** After the workbench's eager extensions activated, let the extension host settle before opening our view. */
const SETTLE_MS = 2_000;
/** How long after activation a spawned server process is still looked for. */
const SPAWN_WATCH_MS = 3_000;
const FIXTURE = join(REPO_ROOT, 'test', 'fixtures', 'servers', 'mcpServer.mjs');
const ACTIVATION_LINE = /ExtensionService#_doActivateExtension mcpkit\.mcp-manager\b.*activationEvent: '([^']*)'/;
const ACTIVATED_LINE = /\[activate\] activated\b/;

interface Target { readonly label: string; readonly root: string; readonly bundle: string; readonly vsix: string }
interface VsCodeSample {
  readonly logDeltaMs: number;
  readonly vscodeActivationMs: number | undefined;
  readonly spawned: number;
  readonly event: string;
  /** Undefined when the start failed (`startError`). */
  readonly firstStartMs: number | undefined;
  readonly startError?: string;
}

interface Result { readonly kib: number; readonly sdkKib: number | undefined; readonly require: number[]; readonly vscode: VsCodeSample[] }

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const median = (xs: readonly number[]): number => { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };
const git = (...a: string[]): string => execFileSync('git', a, { cwd: REPO_ROOT, encoding: 'utf8' }).trim();

function target(label: string, root: string): Target {
  const { name, version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { name: string; version: string };
  const t = { label, root, bundle: join(root, 'dist', 'extension.js'), vsix: join(root, `${name}-${version}.vsix`) };
  for (const f of [t.bundle, t.vsix]) if (!existsSync(f)) throw new Error(`${f} not found: run \`npm run package\` in ${root}`);
  return t;
}

/** `rev` exported into a temporary folder (sharing this checkout's node_modules) and packaged with its own build. */
function prepareBaseline(rev: string): Target {
  const sha = git('rev-parse', '--short', '--verify', `${rev}^{commit}`);
  const dir = mkdtempSync(join(tmpdir(), `mcpm-bench-${sha}-`));
  const archive = spawnSync('git', ['archive', '--format=tar', sha], { cwd: REPO_ROOT, maxBuffer: 512 * 1024 * 1024 });
  if (archive.status !== 0) throw new Error(`git archive ${sha} failed: ${archive.stderr.toString()}`);
  execFileSync('tar', ['-x', '-C', dir], { input: archive.stdout });
  symlinkSync(realpathSync(join(REPO_ROOT, 'node_modules')), join(dir, 'node_modules'));
  console.log(`[bench] packaging ${sha} in ${dir}`);
  execFileSync('npm', ['run', '-s', 'package'], { cwd: dir, stdio: ['ignore', 'ignore', 'inherit'] });
  return target(`${sha} (baseline)`, dir);
}

function requireTimes(t: Target): number[] {
  const child = join(__dirname, 'requireBundle.js');
  return Array.from({ length: REQUIRE_RUNS }, () => {
    const r = spawnSync(process.execPath, [child, t.bundle], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`${t.label}: requiring ${t.bundle} failed: ${/^\w*Error\b.*$/m.exec(r.stderr)?.[0] ?? r.stderr.slice(0, 500)}`);
    return (JSON.parse(r.stdout) as { ms: number }).ms;
  });
}

function files(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((n) => { const p = join(dir, n); return statSync(p).isDirectory() ? files(p) : [p]; });
}

/** "2026-12-01 20:58:59.520 [info] …" → epoch ms (local time, as both logs write it). */
function timestampOf(line: string): number {
  const m = /^(\d{4})-(\d\d)-(\d\d) (\d\d):(\d\d):(\d\d)\.(\d{3}) /.exec(line);
  if (!m) throw new Error(`no timestamp in: ${line}`);
  const [y, mo, d, h, mi, s, ms] = m.slice(1).map(Number);
  return new Date(y, mo - 1, d, h, mi, s, ms).getTime();
}

/** The first line matching `re` in a log file under `logsDir` whose path matches `file`. */
function findLine(logsDir: string, file: RegExp, re: RegExp): string | undefined {
  for (const f of files(logsDir).filter((p) => file.test(p))) {
    const line = readFileSync(f, 'utf8').split('\n').find((l) => re.test(l));
    if (line) return line;
  }
  return undefined;
}

async function waitForLine(logsDir: string, file: RegExp, re: RegExp, what: string, timeoutMs = 60_000): Promise<string> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const line = findLine(logsDir, file, re);
    if (line) return line;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

/** Polls the process table for command lines containing `marker` (our configured server's argument). */
function watchProcesses(marker: string): { readonly pids: ReadonlySet<number>; stop(): void } {
  const pids = new Set<number>();
  const scan = (): void => {
    for (const name of readdirSync('/proc')) {
      if (!/^\d+$/.test(name)) continue;
      try { if (readFileSync(`/proc/${name}/cmdline`, 'utf8').includes(marker)) pids.add(Number(name)); } catch { /* gone */ }
    }
  };
  const timer = setInterval(scan, 200);
  return { pids, stop: () => { clearInterval(timer); scan(); } };
}

/** VS Code's own figure (code loading + activate() call), from Developer: Show Running Extensions (two tries). */
async function runningExtensionsActivationMs(wb: Workbench): Promise<number | undefined> {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      await wb.runCommand('Show Running Extensions', 'Developer');
      const cell = wb.page.locator('.runtime-extensions-editor .monaco-list-row', { hasText: 'MCP Manager' }).locator('.activation-time');
      await cell.waitFor({ timeout: 15_000 });
      for (let i = 0; i < 50; i++) {
        const m = /Activation: (\d+)\s*ms/.exec(await cell.innerText());
        if (m) return Number(m[1]);
        await sleep(200);
      }
    } catch { /* try again; the figure is optional */ } finally {
      // The editor opens as a modal over the workbench: close it.
      await wb.page.keyboard.press('Escape');
      await wb.page.locator('.monaco-modal-editor-block').waitFor({ state: 'hidden', timeout: 5_000 }).catch(() => undefined);
    }
  }
  return undefined;
}

async function vscodeRun(t: Target): Promise<VsCodeSample> {
  const marker = `mcpm-bench-${randomBytes(6).toString('hex')}`;
  const ws = mkdtempSync(join(tmpdir(), 'mcpm-bench-ws-'));
  mkdirSync(join(ws, '.vscode'));
  writeFileSync(join(ws, '.vscode', 'mcp.json'), `${JSON.stringify({ servers: { bench: { type: 'stdio', command: process.execPath, args: [FIXTURE, marker] } } }, null, 2)}\n`);
  const watch = watchProcesses(marker);
  const wb = await Workbench.open({ vsix: t.vsix, workspace: ws, label: 'bench', settings: { 'mcpManager.autoStart': 'never', 'mcpManager.confirmFirstStart': false } });
  try {
    const logs = join(wb.server.userDataDir, 'logs');
    const hostLog = /exthost\d*[\\/][^\\/]*exthost\.log$/i;
    const ourLog = /mcpkit\.mcp-manager[\\/]MCP Manager\.log$/;
    await waitForLine(logs, hostLog, /Eager extensions activated/, 'the eager extensions');
    await sleep(SETTLE_MS);
    // Opening the view activates the extension (onView), unless an activation event did already.
    if (!findLine(logs, hostLog, ACTIVATION_LINE)) await wb.openMcpManager();
    const activation = await waitForLine(logs, hostLog, ACTIVATION_LINE, 'the activation line');
    const activated = await waitForLine(logs, ourLog, ACTIVATED_LINE, 'our "activated" line');
    await sleep(SPAWN_WATCH_MS);
    watch.stop();
    const spawned = watch.pids.size;
    const vscodeActivationMs = await runningExtensionsActivationMs(wb);
    const sample = { logDeltaMs: timestampOf(activated) - timestampOf(activation), vscodeActivationMs, spawned, event: ACTIVATION_LINE.exec(activation)?.[1] ?? '?' };
    try {
      await wb.openMcpManager();
      const t0 = Date.now();
      await wb.expandTreeRow('bench'); // mcpManager.startOnExpand: starts it
      await wb.waitForServer('bench', /running/);
      return { ...sample, firstStartMs: Date.now() - t0 };
    } catch (err) {
      return { ...sample, firstStartMs: undefined, startError: (err instanceof Error ? err.message : String(err)).split('\n')[0] };
    }
  } finally {
    watch.stop();
    await wb.close();
    rmSync(ws, { recursive: true, force: true });
  }
}

function table(rows: string[][]): void {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  for (const r of rows) console.log(`  ${r.map((c, i) => c.padEnd(widths[i])).join('   ')}`);
}

async function main(): Promise<void> {
  const head = git('rev-parse', '--short', 'HEAD');
  const dirty = git('status', '--porcelain', '--untracked-files=no') ? '+changes' : '';
  console.log(`MCP Manager activation bench: node ${process.version}, ${process.platform}, ${cpus().length} cores, load ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
  const exported: Target[] = [];
  const baselines = BASELINES.map((b) => {
    if (existsSync(b) && statSync(b).isDirectory()) return target(b, b);
    const t = prepareBaseline(b);
    exported.push(t);
    return t;
  });
  const targets = [...baselines, target(`${head}${dirty} (this checkout)`, REPO_ROOT)];
  try {
    const results = new Map<Target, Result>();
    for (const t of targets) {
      const sdk = join(t.root, 'dist', 'sdk.js');
      const kib = statSync(t.bundle).size / 1024;
      const sdkKib = existsSync(sdk) ? statSync(sdk).size / 1024 : undefined;
      const require = requireTimes(t);
      console.log(`[bench] ${t.label}: ${kib.toFixed(1)} KiB; require ${require.map((x) => x.toFixed(0)).join(', ')} ms`);
      results.set(t, { kib, sdkKib, require, vscode: [] });
    }
    for (let i = 0; i < VSCODE_RUNS; i++) {
      // Alternate the order, so neither target always runs first.
      for (const t of i % 2 ? [...targets].reverse() : targets) {
        const s = await vscodeRun(t);
        results.get(t)!.vscode.push(s);
        console.log(`[bench] ${t.label} VS Code run ${i + 1}: activation line → activated ${s.logDeltaMs} ms; VS Code's activation time ${s.vscodeActivationMs ?? '?'} ms; spawned ${s.spawned}; activated by ${s.event}; first start ${s.firstStartMs === undefined ? `FAILED (${s.startError})` : `${s.firstStartMs} ms`}`);
      }
    }
    console.log(`\nSummary (medians; load ${loadavg().map((l) => l.toFixed(1)).join(' ')} at the end):`);
    const rows: string[][] = [['', ...targets.map((t) => t.label)]];
    const col = (f: (r: Result) => string): string[] => targets.map((t) => f(results.get(t)!));
    const vs = (r: { vscode: VsCodeSample[] }, f: (s: VsCodeSample) => number | undefined): string => {
      const xs = r.vscode.map(f).filter((x): x is number => x !== undefined);
      return xs.length ? `${median(xs).toFixed(0)} ms (${xs.join(', ')})` : 'n/a';
    };
    rows.push(['(a) activation bundle, minified', ...col((r) => `${r.kib.toFixed(1)} KiB`)]);
    rows.push(['(a) dist/sdk.js (loaded at first use)', ...col((r) => (r.sdkKib === undefined ? '-' : `${r.sdkKib.toFixed(1)} KiB`))]);
    rows.push([`(b) require on Node, ${REQUIRE_RUNS} processes`, ...col((r) => `${median(r.require).toFixed(0)} ms (min ${Math.min(...r.require).toFixed(0)})`)]);
    rows.push([`(c) activation line → "activated", ${VSCODE_RUNS} runs`, ...col((r) => vs(r, (s) => s.logDeltaMs))]);
    rows.push(["(c) VS Code's activation time (load + activate())", ...col((r) => vs(r, (s) => s.vscodeActivationMs))]);
    rows.push(['(c) server processes spawned at activation', ...col((r) => String(r.vscode.reduce((n, s) => n + s.spawned, 0)))]);
    rows.push(['(c) then the first start: expand → running', ...col((r) => {
      const failed = r.vscode.filter((s) => s.firstStartMs === undefined).length;
      return `${vs(r, (s) => s.firstStartMs)}${failed ? `; ${failed} FAILED` : ''}`;
    })]);
    table(rows);
  } finally {
    if (!process.env['MCP_TEST_KEEP_DIRS']) for (const t of exported) rmSync(t.root, { recursive: true, force: true });
  }
}

main().then(() => process.exit(0), (err: unknown) => { console.error(err); process.exit(1); });
