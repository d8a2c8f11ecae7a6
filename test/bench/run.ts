/* Report-only benchmark: MCP Manager's supervision core side by side with the raw v2 SDK Client
 * (@modelcontextprotocol/client) + its StdioClientTransport on the same servers. `npm run bench`. Prints medians of RUNS
 * runs and ours/raw ratios, then a markdown table (with the machine and the date) for the README; asserts nothing.
 * BENCH_ONLY=a,e,… runs some scenarios only.
 * Eras: (a)–(h) run against 2025-era servers (server-everything, the v1-SDK fixtures) with ours pinned to `protocol:
 * '2025-11-25'` and the raw Client without versionNegotiation (both: the plain initialize handshake, like for like); (a)
 * also measures both with `auto`. (i) and (j) run against a 2026-07-28-only server (modernServer.mjs, FIXTURE_MODERN_ONLY=1):
 * ours with `auto` and pinned, the raw Client pinned. Ours probes server/discover in place on its own transport; so does
 * the raw Client on InPlaceStdioClientTransport (below), the like-for-like baseline. The raw Client on the base
 * StdioClientTransport probes (auto and pinned alike) on a sibling process: reported too. */
import './vscodeStub'; // before the Servers tree, which imports `vscode`
import { existsSync, readFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Client, type CallToolResult, type VersionNegotiationMode } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import type { LaunchResolver, ServerDefinition } from '../../src/common/config/types';
import type { ProtocolSetting } from '../../src/common/protocolRevision';
import { makeServerId, type ServerId } from '../../src/common/serverId';
import type { LogLevel, ServerLogSink } from '../../src/servers/logSink';
import { ServerManager, launchesFrom, stdioTransportFactory } from '../../src/servers/serverManager';
import { ServersTree, type ServersTreeNode } from '../../src/views/serversTree';
import { watchEventLoopLag } from '../shared/eventLoopLag';
import { stats as vscodeStats } from './vscodeStub';

const RUNS = Number(process.env['BENCH_RUNS'] ?? 5);
const CALLS = Number(process.env['BENCH_CALLS'] ?? 10_000);
const SERVERS = 20;
const FLOOD_MB = Number(process.env['BENCH_FLOOD_MB'] ?? 200);
/** Runs of the heavier load scenarios (e, f, h); the storm (g) runs BENCH_STORM_RUNS times. */
const LOAD_RUNS = Number(process.env['BENCH_LOAD_RUNS'] ?? 3);
const CONCURRENT_CALLS = Number(process.env['BENCH_CONCURRENT_CALLS'] ?? 1_000);
/** A call not settled this long after it was sent counts as hung. */
const HUNG_MS = Number(process.env['BENCH_HUNG_MS'] ?? 120_000);
const MANY_TOOLS = Number(process.env['BENCH_TOOLS'] ?? 2_000);
const STORM_PER_S = Number(process.env['BENCH_STORM_PER_S'] ?? 100);
const STORM_S = Number(process.env['BENCH_STORM_S'] ?? 10);
const STORM_RUNS = Number(process.env['BENCH_STORM_RUNS'] ?? 1);
/** The storm's server answers tools/list this late (ms): a slow listing. */
const STORM_LIST_DELAY_MS = Number(process.env['BENCH_STORM_LIST_DELAY_MS'] ?? 0);
const LOG_FLOOD_MB = Number(process.env['BENCH_LOG_FLOOD_MB'] ?? 20);
const ONLY = process.env['BENCH_ONLY']?.split(',').map((x) => x.trim());

function repoRoot(): string {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    const pkg = path.join(dir, 'package.json');
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'mcp-manager') return dir;
    if (path.dirname(dir) === dir) throw new Error('repository root not found');
  }
}
const root = repoRoot();
const FIXTURE = path.join(root, 'test', 'fixtures', 'servers', 'mcpServer.mjs');
const LOAD_FIXTURE = path.join(root, 'test', 'fixtures', 'servers', 'loadServer.mjs');
const EVERYTHING = path.join(root, 'node_modules', '@modelcontextprotocol', 'server-everything', 'dist', 'index.js');
/** A 2026-07-28-only stdio server on the v2 server SDK (an initialize is refused). */
const MODERN_FIXTURE = path.join(root, 'test', 'fixtures', 'servers', 'modernServer.mjs');
const MODERN_ONLY = { FIXTURE_MODERN_ONLY: '1' };
const MODERN = '2026-07-28';
/** Ours in the legacy scenarios: the initialize handshake with no probe, as the raw Client without versionNegotiation. */
const LEGACY: ProtocolSetting = '2025-11-25';

const inheritedEnv = (): Record<string, string> => {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined) env[k] = v;
  return env;
};
const resolver: LaunchResolver = (d) => {
  if (d.config.type !== 'stdio') throw new Error('stdio only');
  return Promise.resolve({ type: 'stdio', command: d.config.command, args: d.config.args, env: { ...inheritedEnv(), ...(d.config.env as Record<string, string>) }, cwd: root });
};
const definition = (name: string, args: string[], env: Record<string, string> = {}, protocol: ProtocolSetting = LEGACY): ServerDefinition => ({
  id: makeServerId({ kind: 'userSettings' }, name), name, source: { kind: 'userSettings' },
  config: { type: 'stdio', command: process.execPath, args, env }, options: { ping: false, restart: false, startupTimeoutMs: 120_000, protocol },
});
const newManager = (): ServerManager => new ServerManager({ prepareStart: launchesFrom(resolver), clientInfo: { name: 'mcp-manager-bench', version: '0' }, transports: { stdio: stdioTransportFactory({ stdinGraceMs: 500, termGraceMs: 500 }) } });

/**
 * The SDK's StdioClientTransport, subclassed and nothing else: the Client probes `server/discover` in place on a
 * subclass, as ours does on its own transport. On the base class exactly, a negotiating Client (`auto` or pinned) spawns
 * a short-lived sibling process from the same parameters for the probe, then the session's process.
 */
class InPlaceStdioClientTransport extends StdioClientTransport {}
/** How the raw Client negotiates: no versionNegotiation (the plain 2025 initialize), or `mode` with the probe in place or on a sibling. */
type RawNegotiation = { readonly mode: VersionNegotiationMode; readonly probe: 'inPlace' | 'sibling' } | undefined;
const negotiationLabel = (n: RawNegotiation): string => (n ? `${JSON.stringify(n.mode)}, probe ${n.probe}` : 'no versionNegotiation');

/** The raw v2 Client connected over the SDK's stdio transport. */
async function rawConnect(args: string[], env: Record<string, string> = {}, onStderr?: (chunk: Buffer) => void, negotiation?: RawNegotiation): Promise<{ client: Client; transport: StdioClientTransport }> {
  const client = new Client({ name: 'raw', version: '0' }, negotiation ? { versionNegotiation: { mode: negotiation.mode } } : {});
  const Transport = negotiation?.probe === 'inPlace' ? InPlaceStdioClientTransport : StdioClientTransport;
  const transport = new Transport({ command: process.execPath, args, env: { ...inheritedEnv(), ...env }, stderr: onStderr ? 'pipe' : 'ignore', cwd: root });
  if (onStderr) transport.stderr?.on('data', onStderr); // before connect, or a flooding child blocks on a full pipe
  await client.connect(transport);
  return { client, transport };
}
/** Every list the server offers, every page: v2's list methods called without a cursor walk all the pages themselves. */
async function rawListAll(client: Client): Promise<number> {
  let n = 0;
  const caps = client.getServerCapabilities() ?? {};
  if (caps.tools) n += (await client.listTools()).tools.length;
  if (caps.resources) {
    n += (await client.listResources()).resources.length;
    n += (await client.listResourceTemplates()).resourceTemplates.length;
  }
  if (caps.prompts) n += (await client.listPrompts()).prompts.length;
  return n;
}

const median = (xs: number[]): number => { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };
const fmt = (x: number, unit: string): string => `${x.toFixed(x < 10 ? 2 : 0)} ${unit}`;
const rows: string[][] = [['scenario', 'MCP Manager', 'raw v2 SDK', 'ours/raw', 'target']];
function report(name: string, ours: number[], raw: number[] | undefined, unit: string, target = ''): void {
  const o = median(ours); const r = raw?.length ? median(raw) : undefined;
  rows.push([name, fmt(o, unit), r === undefined ? '—' : fmt(r, unit), r ? (o / r).toFixed(2) : '—', target]);
  const runs = (xs: number[]): string => xs.map((x) => x.toFixed(1)).join(', ');
  console.log(`  ${name}: ours ${fmt(o, unit)}${r === undefined ? '' : `  raw ${fmt(r, unit)}`}  (runs ours ${runs(ours)}${raw?.length ? `; raw ${runs(raw)}` : ''})`);
}
const pct = (xs: readonly number[], p: number): number => {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
};
/** Event-loop lag of this process (the host) while `fn` runs: p99 and max in ms. */
async function lagDuring<T>(fn: () => Promise<T>): Promise<{ value: T; lagP99: number; lagMax: number }> {
  const lag = watchEventLoopLag();
  const value = await fn().catch((err: unknown) => { lag.stop(); throw err; });
  const { p99, max } = lag.stop();
  return { value, lagP99: p99, lagMax: max };
}
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
/** What `fn` costs this process: event-loop lag p99 and the peak growth of JS heap + Buffers (MB) while it runs. */
async function floodCost<T>(fn: () => Promise<T>): Promise<{ value: T; lagP99: number; peakMb: number }> {
  global.gc?.(); // npm run bench passes --expose-gc, so the baseline is not the previous run's garbage
  // JS heap + Buffers (external), which a GC returns, unlike RSS pages the allocator keeps from an earlier run.
  const used = (): number => { const m = process.memoryUsage(); return m.heapUsed + m.external; };
  const before = used();
  let peak = before;
  const sampler = setInterval(() => { peak = Math.max(peak, used()); }, 5);
  const { value, lagP99 } = await lagDuring(fn).finally(() => clearInterval(sampler));
  peak = Math.max(peak, used());
  return { value, lagP99, peakMb: (peak - before) / 1024 / 1024 };
}
const resultText = (r: unknown): string => {
  const c = (r as Partial<CallToolResult>).content?.[0];
  return c?.type === 'text' ? c.text : '';
};
async function time(fn: () => Promise<void>): Promise<number> { const t0 = performance.now(); await fn(); return performance.now() - t0; }

/**
 * Runs `sides` one after the other, forwards on even runs and backwards on odd ones, so that neither side of a pair
 * (ours and raw at the same position from either end) always pays for a cold start.
 */
async function alternate(run: number, sides: readonly (() => Promise<void>)[]): Promise<void> {
  for (const side of run % 2 ? [...sides].reverse() : sides) await side();
}

/** The revision a started server negotiated, as ours reports it (its tooltip's `MCP revision`). */
function negotiatedByOurs(m: ServerManager, id: ServerId): string | undefined {
  const runtime = m.get(id)?.status.runtime;
  return runtime?.kind === 'running' ? runtime.protocolVersion : undefined;
}
/** The figures would compare different eras: stop. */
function expectEra(who: string, got: string | undefined, want: 'legacy' | 'modern'): void {
  const modern = got === MODERN;
  if (!got || modern !== (want === 'modern')) throw new Error(`${who} negotiated ${got ?? 'nothing'}; the scenario needs the ${want} era`);
}

/** Ours: start → running with its catalog listed (ms). */
async function oursStart(name: string, args: string[], env: Record<string, string>, protocol: ProtocolSetting, era: 'legacy' | 'modern'): Promise<number> {
  const m = newManager(); const d = definition(name, args, env, protocol);
  await m.setDefinitions([d]);
  const ms = await time(() => m.start(d.id));
  expectEra(`ours (protocol ${protocol})`, negotiatedByOurs(m, d.id), era);
  await m.stopAll(); m.dispose();
  return ms;
}
/** Raw: spawn + connect + every list, every page (ms). */
async function rawStart(args: string[], env: Record<string, string>, negotiation: RawNegotiation, era: 'legacy' | 'modern'): Promise<number> {
  let c: { client: Client } | undefined;
  const ms = await time(async () => { c = await rawConnect(args, env, undefined, negotiation); await rawListAll(c.client); });
  expectEra(`raw (${negotiationLabel(negotiation)})`, c?.client.getNegotiatedProtocolVersion(), era);
  await c?.client.close();
  return ms;
}

async function benchConnect(): Promise<void> {
  const args = [EVERYTHING, 'stdio'];
  const ours: number[] = []; const raw: number[] = []; const oursAuto: number[] = []; const rawAuto: number[] = []; const rawSibling: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    await alternate(i, [
      async () => { ours.push(await oursStart('everything', args, {}, LEGACY, 'legacy')); },
      async () => { raw.push(await rawStart(args, {}, undefined, 'legacy')); },
      async () => { oursAuto.push(await oursStart('everything', args, {}, 'auto', 'legacy')); },
      async () => { rawAuto.push(await rawStart(args, {}, { mode: 'auto', probe: 'inPlace' }, 'legacy')); },
      async () => { rawSibling.push(await rawStart(args, {}, { mode: 'auto', probe: 'sibling' }, 'legacy')); },
    ]);
  }
  const name = '(a) connect + initialize + list everything (server-everything)';
  report(`${name}: ours 2025-11-25, raw without negotiation`, ours, raw, 'ms', '≤ 1.05');
  report(`${name}: both \`auto\`, server/discover probed in place first`, oursAuto, rawAuto, 'ms');
  report(`${name}: ours \`auto\`, raw \`auto\` on the base transport (probe on a sibling process)`, oursAuto, rawSibling, 'ms');
  console.log(`    the probe's cost (auto − no probe): ours ${(median(oursAuto) - median(ours)).toFixed(0)} ms, raw in place ${(median(rawAuto) - median(raw)).toFixed(0)} ms, raw on a sibling ${(median(rawSibling) - median(raw)).toFixed(0)} ms`);
}

/** `CALLS` sequential tools/call `echo` on one started server (ms), ours and raw. */
async function oursCalls(name: string, args: string[], env: Record<string, string>, protocol: ProtocolSetting, era: 'legacy' | 'modern'): Promise<number> {
  const m = newManager(); const d = definition(name, args, env, protocol);
  await m.setDefinitions([d]); await m.start(d.id);
  expectEra(`ours (protocol ${protocol})`, negotiatedByOurs(m, d.id), era);
  const ms = await time(async () => { for (let k = 0; k < CALLS; k++) await m.callTool(d.id, 'echo', { text: 'x' }); });
  await m.stopAll(); m.dispose();
  return ms;
}
async function rawCalls(args: string[], env: Record<string, string>, negotiation: RawNegotiation, era: 'legacy' | 'modern'): Promise<number> {
  const c = await rawConnect(args, env, undefined, negotiation);
  expectEra(`raw (${negotiationLabel(negotiation)})`, c.client.getNegotiatedProtocolVersion(), era);
  await c.client.listTools(); // as ours has its catalog: the Client validates results against the listed tool
  const ms = await time(async () => { for (let k = 0; k < CALLS; k++) await c.client.callTool({ name: 'echo', arguments: { text: 'x' } }); });
  await c.client.close();
  return ms;
}

async function benchCalls(): Promise<void> {
  const ours: number[] = []; const raw: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    await alternate(i, [
      async () => { ours.push(await oursCalls('calls', [FIXTURE], {}, LEGACY, 'legacy')); },
      async () => { raw.push(await rawCalls([FIXTURE], {}, undefined, 'legacy')); },
    ]);
  }
  report(`(b) ${CALLS} sequential tools/call (2025-11-25)`, ours, raw, 'ms', '≤ 1.03');
}

async function benchConcurrent(): Promise<void> {
  const ours: number[] = []; const raw: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const runOurs = async (): Promise<void> => {
      const m = newManager(); const defs = Array.from({ length: SERVERS }, (_, k) => definition(`s${k}`, [FIXTURE]));
      await m.setDefinitions(defs);
      ours.push(await time(async () => { await Promise.all(defs.map((d) => m.start(d.id))); }));
      await m.stopAll(); m.dispose();
    };
    const runRaw = async (): Promise<void> => {
      const clients: Client[] = [];
      raw.push(await time(async () => {
        await Promise.all(Array.from({ length: SERVERS }, async () => { const c = await rawConnect([FIXTURE]); clients.push(c.client); await rawListAll(c.client); }));
      }));
      await Promise.all(clients.map((c) => c.close()));
    };
    if (i % 2) { await runRaw(); await runOurs(); } else { await runOurs(); await runRaw(); }
  }
  report(`(c) ${SERVERS} servers started concurrently until all listed`, ours, raw, 'ms');
}

async function benchFlood(): Promise<void> {
  const lagOurs: number[] = []; const lagRaw: number[] = []; const memOurs: number[] = []; const memRaw: number[] = [];
  const env = { FIXTURE_STDERR_FLOOD_MB: String(FLOOD_MB) };
  const measure = async (fn: () => Promise<() => Promise<void>>, lags: number[], mems: number[]): Promise<void> => {
    const { value: cleanup, lagP99, peakMb } = await floodCost(fn);
    lags.push(lagP99); mems.push(peakMb);
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
  report(`(d) ${FLOOD_MB} MB stderr flood: event-loop lag p99`, lagOurs, lagRaw, 'ms', '≤ 20 ms');
  report(`(d) ${FLOOD_MB} MB stderr flood: peak heap + buffer growth`, memOurs, memRaw, 'MB', '≤ 50 MB');
}

/** A sink like a log channel that is not shown: counts what reaches it (lines and bytes). */
class CountingSink implements ServerLogSink {
  lines = 0; bytes = 0;
  append(_level: LogLevel, lines: readonly string[]): void { this.lines += lines.length; for (const l of lines) this.bytes += l.length; }
}

/** (e) SERVERS servers, CONCURRENT_CALLS tools/call in flight on each at once; every call's latency, lost and hung. */
async function benchConcurrentCalls(): Promise<void> {
  const total = SERVERS * CONCURRENT_CALLS;
  const side = { ours: { p50: [] as number[], p99: [] as number[], lag: [] as number[], wall: [] as number[], bad: [] as number[] }, raw: { p50: [] as number[], p99: [] as number[], lag: [] as number[], wall: [] as number[], bad: [] as number[] } };
  const lostHung = { ours: { lost: 0, hung: 0 }, raw: { lost: 0, hung: 0 } };
  const fire = async (call: (server: number) => Promise<unknown>, into: typeof side.ours, counts: { lost: number; hung: number }): Promise<void> => {
    const latencies: number[] = [];
    let lost = 0; let hung = 0;
    const one = (server: number): Promise<void> => {
      const t0 = performance.now();
      let timer: NodeJS.Timeout | undefined;
      const deadline = new Promise<'hung'>((r) => { timer = setTimeout(() => r('hung'), HUNG_MS); });
      return Promise.race([call(server).then((r) => (resultText(r) === 'x' ? 'ok' : 'lost'), () => 'lost' as const), deadline]).then((outcome) => {
        clearTimeout(timer);
        if (outcome === 'ok') latencies.push(performance.now() - t0); else if (outcome === 'lost') lost++; else hung++;
      });
    };
    const t0 = performance.now();
    const { lagP99 } = await lagDuring(() => Promise.all(Array.from({ length: total }, (_, k) => one(k % SERVERS))));
    into.wall.push(performance.now() - t0);
    into.p50.push(pct(latencies, 50)); into.p99.push(pct(latencies, 99)); into.lag.push(lagP99); into.bad.push(lost + hung);
    counts.lost += lost; counts.hung += hung;
  };
  for (let i = 0; i < LOAD_RUNS; i++) {
    const runOurs = async (): Promise<void> => {
      const m = newManager(); const defs = Array.from({ length: SERVERS }, (_, k) => definition(`c${k}`, [LOAD_FIXTURE]));
      await m.setDefinitions(defs); await Promise.all(defs.map((d) => m.start(d.id)));
      await fire((k) => m.callTool(defs[k].id, 'echo', { text: 'x' }), side.ours, lostHung.ours);
      await m.stopAll(); m.dispose();
    };
    const runRaw = async (): Promise<void> => {
      const clients = await Promise.all(Array.from({ length: SERVERS }, () => rawConnect([LOAD_FIXTURE]).then((c) => c.client)));
      await Promise.all(clients.map((c) => c.listTools()));
      await fire((k) => clients[k].callTool({ name: 'echo', arguments: { text: 'x' } }), side.raw, lostHung.raw);
      await Promise.all(clients.map((c) => c.close()));
    };
    if (i % 2) { await runRaw(); await runOurs(); } else { await runOurs(); await runRaw(); }
  }
  const name = `(e) ${SERVERS} servers × ${CONCURRENT_CALLS} concurrent tools/call`;
  report(`${name}: lost + hung calls (of ${total} per run)`, side.ours.bad, side.raw.bad, 'calls', '0');
  report(`${name}: latency p50`, side.ours.p50, side.raw.p50, 'ms');
  report(`${name}: latency p99`, side.ours.p99, side.raw.p99, 'ms');
  report(`${name}: all answered (wall)`, side.ours.wall, side.raw.wall, 'ms');
  report(`${name}: event-loop lag p99`, side.ours.lag, side.raw.lag, 'ms');
  console.log(`    lost/hung over all runs: ours ${lostHung.ours.lost}/${lostHung.ours.hung}, raw ${lostHung.raw.lost}/${lostHung.raw.hung}`);
}

/** The Servers tree over a manager, and its Tools group node for `id` (the tree is the real ServersTree on a vscode stub). */
function toolsGroupOf(tree: ServersTree, id: string): ServersTreeNode {
  const server = tree.getChildren().find((n) => n.kind === 'server' && n.server.id === id);
  const group = server && tree.getChildren(server).find((n) => n.kind === 'group' && n.group === 'tools');
  if (!group) throw new Error('no Tools group in the tree');
  return group;
}

/** (f) A server with MANY_TOOLS tools: the first full listing, a re-listing, and the tree's Tools group. */
async function benchManyTools(): Promise<void> {
  const env = { LOAD_TOOLS: String(MANY_TOOLS) };
  const firstOurs: number[] = []; const firstRaw: number[] = []; const againOurs: number[] = []; const againRaw: number[] = [];
  const children: number[] = []; const items: number[] = []; const coldChildren: number[] = [];
  for (let i = 0; i < LOAD_RUNS; i++) {
    const runOurs = async (): Promise<void> => {
      const m = newManager(); const d = definition('many', [LOAD_FIXTURE], env);
      await m.setDefinitions([d]);
      firstOurs.push(await time(() => m.start(d.id)));
      againOurs.push(await time(() => m.refreshCatalog(d.id, ['tools'])));
      const tree = new ServersTree(m, m);
      const group = toolsGroupOf(tree, d.id);
      for (let k = 0; k < 20; k++) {
        const t0 = performance.now();
        const nodes = tree.getChildren(group);
        const t1 = performance.now();
        for (const n of nodes) tree.getTreeItem(n);
        items.push(performance.now() - t1);
        if (k === 0) coldChildren.push(t1 - t0); else children.push(t1 - t0);
        if (nodes.length < MANY_TOOLS) throw new Error(`the Tools group has ${nodes.length} children`);
      }
      tree.dispose(); await m.stopAll(); m.dispose();
    };
    const runRaw = async (): Promise<void> => {
      let c: { client: Client } | undefined;
      firstRaw.push(await time(async () => { c = await rawConnect([LOAD_FIXTURE], env); await rawListAll(c.client); }));
      againRaw.push(await time(async () => { await c!.client.listTools(); }));
      await c?.client.close();
    };
    if (i % 2) { await runRaw(); await runOurs(); } else { await runOurs(); await runRaw(); }
  }
  report(`(f) ${MANY_TOOLS} tools: start → fully listed (spawn + initialize + tools/list)`, firstOurs, firstRaw, 'ms');
  report(`(f) ${MANY_TOOLS} tools: a re-listing (tools/list)`, againOurs, againRaw, 'ms');
  report(`(f) ${MANY_TOOLS} tools: tree getChildren(Tools), first call`, coldChildren, undefined, 'ms', '≤ 20 ms');
  report(`(f) ${MANY_TOOLS} tools: tree getChildren(Tools), later calls`, children, undefined, 'ms', '≤ 20 ms');
  report(`(f) ${MANY_TOOLS} tools: getTreeItem of every tool row`, items, undefined, 'ms');
}

/** Refresh times (ms since the storm began) → events/s during the storm, the longest stale stretch, and the tail after it. */
function stormFigures(times: readonly number[], stormMs: number): { perSecond: number; longestStale: number; after: number; lastAfter: number } {
  const during = times.filter((t) => t <= stormMs);
  const edges = [0, ...during, stormMs];
  let longestStale = 0;
  for (let k = 1; k < edges.length; k++) longestStale = Math.max(longestStale, edges[k] - edges[k - 1]);
  const after = times.filter((t) => t > stormMs);
  return { perSecond: during.length / (stormMs / 1000), longestStale, after: after.length, lastAfter: after.length ? Math.max(...after) - stormMs : 0 };
}

/** Waits until `count()` has not changed for `quietMs` (at most `maxMs`). */
async function settle(count: () => number, quietMs = 1_500, maxMs = 60_000): Promise<void> {
  const end = performance.now() + maxMs;
  let last = count(); let since = performance.now();
  while (performance.now() < end) {
    await sleep(100);
    const now = count();
    if (now !== last) { last = now; since = performance.now(); } else if (performance.now() - since >= quietMs) return;
  }
}

/** (g) A storm of STORM_PER_S tools/list_changed per second for STORM_S s on a server with MANY_TOOLS tools. */
async function benchListChangedStorm(): Promise<void> {
  const env = { LOAD_TOOLS: String(MANY_TOOLS), LOAD_LIST_DELAY_MS: String(STORM_LIST_DELAY_MS) };
  const stormMs = STORM_S * 1000;
  const o = { reloads: [] as number[], tree: [] as number[], lists: [] as number[], stale: [] as number[], tail: [] as number[], lag: [] as number[] };
  const r = { reloads: [] as number[], lists: [] as number[], stale: [] as number[], tail: [] as number[], lag: [] as number[] };
  const serverLists = async (call: () => Promise<unknown>): Promise<number> => (JSON.parse(resultText(await call())) as { toolsLists: number }).toolsLists;
  const storm = { perSecond: STORM_PER_S, seconds: STORM_S };
  for (let i = 0; i < STORM_RUNS; i++) {
    const runOurs = async (): Promise<void> => {
      const m = newManager(); const d = definition('storm', [LOAD_FIXTURE], env);
      await m.setDefinitions([d]); await m.start(d.id);
      const tree = new ServersTree(m, m);
      toolsGroupOf(tree, d.id); // expanded, as a user would have it
      const listsBefore = await serverLists(() => m.callTool(d.id, 'stats'));
      const reloads: number[] = []; const treeEvents: number[] = [];
      let t0 = 0;
      const treeBefore = vscodeStats.treeDataChanges;
      const sub = m.onDidChangeCatalog(() => reloads.push(performance.now() - t0));
      const treeSub = tree.onDidChangeTreeData(() => treeEvents.push(performance.now() - t0));
      t0 = performance.now();
      const { lagP99 } = await lagDuring(() => m.callTool(d.id, 'storm', storm));
      await settle(() => reloads.length + treeEvents.length);
      sub.dispose(); treeSub.dispose();
      const f = stormFigures(reloads, stormMs);
      o.reloads.push(f.perSecond); o.stale.push(f.longestStale); o.tail.push(f.lastAfter); o.lag.push(lagP99);
      o.tree.push(stormFigures(treeEvents, stormMs).perSecond);
      o.lists.push(((await serverLists(() => m.callTool(d.id, 'stats'))) - listsBefore) / STORM_S);
      console.log(`    ours: ${reloads.length} catalog reloads, ${vscodeStats.treeDataChanges - treeBefore} tree refresh events, ${f.after} reloads after the storm (the last ${f.lastAfter.toFixed(0)} ms after it)`);
      tree.dispose(); await m.stopAll(); m.dispose();
    };
    const runRaw = async (): Promise<void> => {
      // The SDK's own list_changed support (Client option listChanged: its default debounce, auto-refresh).
      const reloads: number[] = []; let t0 = 0;
      const client = new Client({ name: 'raw', version: '0' }, { listChanged: { tools: { onChanged: () => { reloads.push(performance.now() - t0); } } } });
      const transport = new StdioClientTransport({ command: process.execPath, args: [LOAD_FIXTURE], env: { ...inheritedEnv(), ...env }, stderr: 'ignore', cwd: root });
      await client.connect(transport); await client.listTools();
      const listsBefore = await serverLists(() => client.callTool({ name: 'stats', arguments: {} }));
      t0 = performance.now();
      const { lagP99 } = await lagDuring(() => client.callTool({ name: 'storm', arguments: storm }));
      await settle(() => reloads.length);
      const f = stormFigures(reloads, stormMs);
      r.reloads.push(f.perSecond); r.stale.push(f.longestStale); r.tail.push(f.lastAfter); r.lag.push(lagP99);
      r.lists.push(((await serverLists(() => client.callTool({ name: 'stats', arguments: {} }))) - listsBefore) / STORM_S);
      console.log(`    raw: ${reloads.length} reloads, ${f.after} after the storm (the last ${f.lastAfter.toFixed(0)} ms after it)`);
      await client.close();
    };
    if (i % 2) { await runRaw(); await runOurs(); } else { await runOurs(); await runRaw(); }
  }
  const name = `(g) ${STORM_PER_S} tools/list_changed/s for ${STORM_S} s (${MANY_TOOLS} tools${STORM_LIST_DELAY_MS ? `, tools/list ${STORM_LIST_DELAY_MS} ms late` : ''})`;
  report(`${name}: catalog reloads per second`, o.reloads, r.reloads, '/s', '≤ 10/s');
  report(`${name}: tree refresh events per second`, o.tree, undefined, '/s', '≤ 10/s');
  report(`${name}: tools/list answered by the server per second`, o.lists, r.lists, '/s');
  report(`${name}: longest time without a fresh catalog during the storm`, o.stale, r.stale, 'ms');
  report(`${name}: last reload after the storm ended`, o.tail, r.tail, 'ms');
  report(`${name}: event-loop lag p99`, o.lag, r.lag, 'ms', 'reported');
}

/** (h) A flood of LOG_FLOOD_MB MiB of notifications/message (256 B each): lag and memory; the raw side keeps them all. */
async function benchLogFlood(): Promise<void> {
  const lagOurs: number[] = []; const lagRaw: number[] = []; const memOurs: number[] = []; const memRaw: number[] = [];
  const flood = { mib: LOG_FLOOD_MB, bytes: 256 };
  const measure = async (fn: () => Promise<void>, lags: number[], mems: number[]): Promise<void> => {
    const { lagP99, peakMb } = await floodCost(fn);
    lags.push(lagP99); mems.push(peakMb);
  };
  for (let i = 0; i < LOAD_RUNS; i++) {
    const runOurs = async (): Promise<void> => {
      const sink = new CountingSink();
      const m = new ServerManager({ prepareStart: launchesFrom(resolver), clientInfo: { name: 'mcp-manager-bench', version: '0' }, sinkFor: () => sink, transports: { stdio: stdioTransportFactory({ stdinGraceMs: 500, termGraceMs: 500 }) } });
      const d = definition('logflood', [LOAD_FIXTURE]);
      await m.setDefinitions([d]); await m.start(d.id);
      let sent = '';
      await measure(async () => { sent = resultText(await m.callTool(d.id, 'logFlood', flood, { timeoutMs: 600_000 })); await sleep(250); }, lagOurs, memOurs);
      if (i === 0) console.log(`    ours: ${sent}; ${sink.lines} lines reached the log (${(sink.bytes / 1024 / 1024).toFixed(1)} MB)`);
      await m.stopAll(); m.dispose();
    };
    const runRaw = async (): Promise<void> => {
      // A typical naive consumer keeps every log message (as in (d)).
      const log: unknown[] = [];
      const c = await rawConnect([LOAD_FIXTURE]);
      c.client.setNotificationHandler('notifications/message', (n) => { log.push(n.params); });
      await c.client.listTools();
      await measure(async () => { await c.client.callTool({ name: 'logFlood', arguments: flood }, { timeout: 600_000 }); await sleep(250); }, lagRaw, memRaw);
      log.length = 0; await c.client.close();
    };
    if (i % 2) { await runRaw(); await runOurs(); } else { await runOurs(); await runRaw(); }
  }
  report(`(h) ${LOG_FLOOD_MB} MB notifications/message flood: event-loop lag p99`, lagOurs, lagRaw, 'ms', '≤ 20 ms');
  report(`(h) ${LOG_FLOOD_MB} MB notifications/message flood: peak heap + buffer growth`, memOurs, memRaw, 'MB', '≤ 50 MB');
}

/** (i) Connect + list everything on a 2026-07-28-only server: ours auto and pinned; raw pinned, and auto (sibling probe). */
async function benchModernConnect(): Promise<void> {
  const args = [MODERN_FIXTURE];
  const pin = { pin: MODERN };
  const oursAuto: number[] = []; const oursPin: number[] = []; const rawPin: number[] = []; const rawPinSibling: number[] = []; const rawAutoSibling: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    await alternate(i, [
      async () => { oursAuto.push(await oursStart('modern', args, MODERN_ONLY, 'auto', 'modern')); },
      async () => { rawPin.push(await rawStart(args, MODERN_ONLY, { mode: pin, probe: 'inPlace' }, 'modern')); },
      async () => { oursPin.push(await oursStart('modern', args, MODERN_ONLY, MODERN, 'modern')); },
      async () => { rawPinSibling.push(await rawStart(args, MODERN_ONLY, { mode: pin, probe: 'sibling' }, 'modern')); },
      async () => { rawAutoSibling.push(await rawStart(args, MODERN_ONLY, { mode: 'auto', probe: 'sibling' }, 'modern')); },
    ]);
  }
  const name = '(i) connect + server/discover + list everything (2026-07-28-only server)';
  report(`${name}: ours \`auto\`, raw pinned (probe in place)`, oursAuto, rawPin, 'ms', '≤ 1.05');
  report(`${name}: both pinned (probe in place)`, oursPin, rawPin, 'ms', '≤ 1.05');
  report(`${name}: ours pinned, raw pinned on the base transport (probe on a sibling process)`, oursPin, rawPinSibling, 'ms');
  report(`${name}: ours \`auto\`, raw \`auto\` on the base transport (probe on a sibling process)`, oursAuto, rawAutoSibling, 'ms');
}

/** (j) CALLS sequential tools/call on a 2026-07-28-only server: ours auto and pinned, raw pinned. */
async function benchModernCalls(): Promise<void> {
  const args = [MODERN_FIXTURE];
  const oursAuto: number[] = []; const oursPin: number[] = []; const rawPin: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    await alternate(i, [
      async () => { oursAuto.push(await oursCalls('modernCalls', args, MODERN_ONLY, 'auto', 'modern')); },
      async () => { rawPin.push(await rawCalls(args, MODERN_ONLY, { mode: { pin: MODERN }, probe: 'inPlace' }, 'modern')); },
      async () => { oursPin.push(await oursCalls('modernCalls', args, MODERN_ONLY, MODERN, 'modern')); },
    ]);
  }
  report(`(j) ${CALLS} sequential tools/call (2026-07-28): ours \`auto\`, raw pinned (probe in place)`, oursAuto, rawPin, 'ms', '≤ 1.03');
  report(`(j) ${CALLS} sequential tools/call (2026-07-28): both pinned`, oursPin, rawPin, 'ms', '≤ 1.03');
}

function machine(): string {
  const cpus = os.cpus();
  const load = os.loadavg().map((x) => x.toFixed(1)).join(' ');
  return `${cpus.length} × ${cpus[0]?.model.trim() ?? 'unknown CPU'}, ${(os.totalmem() / 1024 ** 3).toFixed(0)} GB, ${os.type()} ${os.release()} ${os.arch()}, node ${process.version}; load average before the run ${load}; ${new Date().toISOString().slice(0, 10)}`;
}

async function main(): Promise<void> {
  const host = machine();
  console.log(`MCP Manager bench: ${RUNS} runs of (a)–(d), (i), (j), ${LOAD_RUNS} of (e), (f), (h), ${STORM_RUNS} of (g); ${host}`);
  const scenarios: [string, () => Promise<void>][] = [
    ['a', benchConnect], ['b', benchCalls], ['c', benchConcurrent], ['d', benchFlood],
    ['e', benchConcurrentCalls], ['f', benchManyTools], ['g', benchListChangedStorm], ['h', benchLogFlood],
    ['i', benchModernConnect], ['j', benchModernCalls],
  ];
  // What the machine alone does to the lag figures (other processes on the same cores).
  const idle = await lagDuring(() => sleep(2_000));
  report('(0) baseline: event-loop lag p99 of this process, idle, 2 s', [idle.lagP99], undefined, 'ms');
  for (const [key, run] of scenarios) if (!ONLY || ONLY.includes(key)) await run();
  console.log(`\nSummary: medians; ratio < 1 means ours is faster / smaller. Targets are reported, not asserted.\nMachine: ${host}\n`);
  console.log(`| ${rows[0].join(' | ')} |`);
  console.log(`|${rows[0].map((_, i) => (i === 0 ? '---' : '---:')).join('|')}|`);
  for (const r of rows.slice(1)) console.log(`| ${r.join(' | ')} |`);
}

main().then(() => process.exit(0), (err: unknown) => { console.error(err); process.exit(1); });
