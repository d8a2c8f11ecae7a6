/* Report-only benchmark: MCP Manager's supervision core side by side with the raw SDK Client + StdioClientTransport on the
 * same servers. `npm run bench`. Prints medians of RUNS runs and ours/raw ratios; asserts nothing. */
import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { LaunchResolver, ServerDefinition } from '../../src/common/config/types';
import { makeServerId } from '../../src/common/serverId';
import { ServerManager, launchesFrom, stdioTransportFactory } from '../../src/servers/serverManager';

const RUNS = Number(process.env['BENCH_RUNS'] ?? 5);
const CALLS = Number(process.env['BENCH_CALLS'] ?? 10_000);
const SERVERS = 20;
const FLOOD_MB = Number(process.env['BENCH_FLOOD_MB'] ?? 200);

function repoRoot(): string {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    const pkg = path.join(dir, 'package.json');
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'mcp-manager') return dir;
    if (path.dirname(dir) === dir) throw new Error('repository root not found');
  }
}
const root = repoRoot();
const FIXTURE = path.join(root, 'test', 'fixtures', 'servers', 'mcpServer.mjs');
const EVERYTHING = path.join(root, 'node_modules', '@modelcontextprotocol', 'server-everything', 'dist', 'index.js');

const inheritedEnv = (): Record<string, string> => {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined) env[k] = v;
  return env;
};
const resolver: LaunchResolver = (d) => {
  if (d.config.type !== 'stdio') throw new Error('stdio only');
  return Promise.resolve({ type: 'stdio', command: d.config.command, args: d.config.args, env: { ...inheritedEnv(), ...(d.config.env as Record<string, string>) }, cwd: root });
};
const definition = (name: string, args: string[], env: Record<string, string> = {}): ServerDefinition => ({
  id: makeServerId({ kind: 'userSettings' }, name), name, source: { kind: 'userSettings' },
  config: { type: 'stdio', command: process.execPath, args, env }, options: { ping: false, restart: false, startupTimeoutMs: 120_000 },
});
const newManager = (): ServerManager => new ServerManager({ prepareStart: launchesFrom(resolver), clientInfo: { name: 'mcp-manager-bench', version: '0' }, transports: { stdio: stdioTransportFactory({ stdinGraceMs: 500, termGraceMs: 500 }) } });

async function rawConnect(args: string[], env: Record<string, string> = {}, onStderr?: (chunk: Buffer) => void): Promise<{ client: Client; transport: StdioClientTransport }> {
  const client = new Client({ name: 'raw', version: '0' });
  const transport = new StdioClientTransport({ command: process.execPath, args, env: { ...inheritedEnv(), ...env }, stderr: onStderr ? 'pipe' : 'ignore', cwd: root });
  if (onStderr) transport.stderr?.on('data', onStderr); // before connect, or a flooding child blocks on a full pipe
  await client.connect(transport);
  return { client, transport };
}
async function rawListAll(client: Client): Promise<number> {
  let n = 0;
  const caps = client.getServerCapabilities() ?? {};
  const pages = async (list: (cursor?: string) => Promise<{ nextCursor?: string }>, count: (p: never) => number): Promise<void> => {
    let cursor: string | undefined;
    do { const p = await list(cursor); n += count(p as never); cursor = p.nextCursor; } while (cursor);
  };
  if (caps.tools) await pages((cursor) => client.listTools({ cursor }), (p: { tools: unknown[] }) => p.tools.length);
  if (caps.resources) {
    await pages((cursor) => client.listResources({ cursor }), (p: { resources: unknown[] }) => p.resources.length);
    await pages((cursor) => client.listResourceTemplates({ cursor }), (p: { resourceTemplates: unknown[] }) => p.resourceTemplates.length);
  }
  if (caps.prompts) await pages((cursor) => client.listPrompts({ cursor }), (p: { prompts: unknown[] }) => p.prompts.length);
  return n;
}

const median = (xs: number[]): number => { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };
const fmt = (x: number, unit: string): string => `${x.toFixed(x < 10 ? 2 : 0)} ${unit}`;
const rows: string[][] = [['scenario', 'ours (median)', 'raw SDK (median)', 'ours/raw']];
function report(name: string, ours: number[], raw: number[], unit: string): void {
  const o = median(ours); const r = median(raw);
  rows.push([name, fmt(o, unit), fmt(r, unit), r ? (o / r).toFixed(2) : '-']);
  console.log(`  ${name}: ours ${fmt(o, unit)}  raw ${fmt(r, unit)}  (runs ours ${ours.map((x) => x.toFixed(1)).join(', ')}; raw ${raw.map((x) => x.toFixed(1)).join(', ')})`);
}
async function time(fn: () => Promise<void>): Promise<number> { const t0 = performance.now(); await fn(); return performance.now() - t0; }

async function benchConnect(): Promise<void> {
  const ours: number[] = []; const raw: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const runOurs = async (): Promise<void> => {
      const m = newManager(); const d = definition('everything', [EVERYTHING, 'stdio']);
      await m.setDefinitions([d]);
      ours.push(await time(() => m.start(d.id)));
      await m.stopAll(); m.dispose();
    };
    const runRaw = async (): Promise<void> => {
      let c: { client: Client } | undefined;
      raw.push(await time(async () => { c = await rawConnect([EVERYTHING, 'stdio']); await rawListAll(c.client); }));
      await c?.client.close();
    };
    // Alternate which side goes first, so neither always pays for a cold start.
    if (i % 2) { await runRaw(); await runOurs(); } else { await runOurs(); await runRaw(); }
  }
  report('(a) connect + initialize + list everything (server-everything)', ours, raw, 'ms');
}

async function benchCalls(): Promise<void> {
  const ours: number[] = []; const raw: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const m = newManager(); const d = definition('calls', [FIXTURE]);
    await m.setDefinitions([d]); await m.start(d.id);
    ours.push(await time(async () => { for (let k = 0; k < CALLS; k++) await m.callTool(d.id, 'echo', { text: 'x' }); }));
    await m.stopAll(); m.dispose();
    const c = await rawConnect([FIXTURE]);
    await c.client.listTools();
    raw.push(await time(async () => { for (let k = 0; k < CALLS; k++) await c.client.callTool({ name: 'echo', arguments: { text: 'x' } }); }));
    await c.client.close();
  }
  report(`(b) ${CALLS} sequential tools/call`, ours, raw, 'ms');
}

async function benchConcurrent(): Promise<void> {
  const ours: number[] = []; const raw: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const m = newManager(); const defs = Array.from({ length: SERVERS }, (_, k) => definition(`s${k}`, [FIXTURE]));
    await m.setDefinitions(defs);
    ours.push(await time(async () => { await Promise.all(defs.map((d) => m.start(d.id))); }));
    await m.stopAll(); m.dispose();
    const clients: Client[] = [];
    raw.push(await time(async () => {
      await Promise.all(Array.from({ length: SERVERS }, async () => { const c = await rawConnect([FIXTURE]); clients.push(c.client); await rawListAll(c.client); }));
    }));
    await Promise.all(clients.map((c) => c.close()));
  }
  report(`(c) ${SERVERS} servers started concurrently until all listed`, ours, raw, 'ms');
}

async function benchFlood(): Promise<void> {
  const lagOurs: number[] = []; const lagRaw: number[] = []; const memOurs: number[] = []; const memRaw: number[] = [];
  const env = { FIXTURE_STDERR_FLOOD_MB: String(FLOOD_MB) };
  const measure = async (fn: () => Promise<() => Promise<void>>, lags: number[], mems: number[]): Promise<void> => {
    global.gc?.(); // npm run bench passes --expose-gc, so the baseline is not the previous run's garbage
    // JS heap + Buffers (external), which a GC returns, unlike RSS pages the allocator keeps from an earlier run.
    const used = (): number => { const m = process.memoryUsage(); return m.heapUsed + m.external; };
    const before = used();
    let peak = before;
    const sampler = setInterval(() => { peak = Math.max(peak, used()); }, 5);
    const h = monitorEventLoopDelay({ resolution: 10 }); h.enable();
    const cleanup = await fn();
    h.disable(); clearInterval(sampler);
    peak = Math.max(peak, used());
    lags.push(h.percentile(99) / 1e6);
    mems.push((peak - before) / 1024 / 1024);
    await cleanup();
  };
  for (let i = 0; i < RUNS; i++) {
    await measure(async () => {
      const m = newManager(); const d = definition('flood', [FIXTURE], env);
      await m.setDefinitions([d]); await m.start(d.id); // the fixture floods stderr before it speaks MCP
      return async () => { await m.stopAll(); m.dispose(); };
    }, lagOurs, memOurs);
    await measure(async () => {
      // The raw SDK leaves stderr to the caller: a typical naive consumer keeps every line for its log.
      const log: string[] = [];
      const c = await rawConnect([FIXTURE], env, (chunk) => { log.push(...chunk.toString('utf8').split('\n')); });
      await c.client.listTools();
      return async () => { await c.client.close(); log.length = 0; };
    }, lagRaw, memRaw);
  }
  report(`(d) ${FLOOD_MB} MB stderr flood: event-loop lag p99`, lagOurs, lagRaw, 'ms');
  report(`(d) ${FLOOD_MB} MB stderr flood: peak heap + buffer growth`, memOurs, memRaw, 'MB');
}

async function main(): Promise<void> {
  console.log(`MCP Manager bench: ${RUNS} runs each, node ${process.version}, ${process.platform}`);
  await benchConnect();
  await benchCalls();
  await benchConcurrent();
  await benchFlood();
  console.log('\nSummary (medians; ratio < 1 means ours is faster / smaller):');
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  for (const r of rows) console.log(`  ${r.map((c, i) => c.padEnd(widths[i])).join('  ')}`);
}

main().then(() => process.exit(0), (err: unknown) => { console.error(err); process.exit(1); });
