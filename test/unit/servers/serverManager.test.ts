import * as assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { ServerDefinition, ServerOptions } from '../../../src/common/config/types';
import { WorkspaceTrustRequiredError } from '../../../src/common/config/startConfirmation';
import type { ConfiguredServer } from '../../../src/common/config/merge';
import type { LaunchPreparation } from '../../../src/common/config/types';
import { ConfigResolutionError } from '../../../src/common/config/variables';
import { UserCancelledError } from '../../../src/common/errors';
import type { ServerId } from '../../../src/common/serverId';
import type { ServerState } from '../../../src/common/serverState';
import { Redactor } from '../../../src/common/redact';
import { RpcTimeoutError, ServerConnectionLostError, ServerNotRunningError, ServerStartError } from '../../../src/servers/errors';
import { DEFAULT_STDERR_OPTIONS } from '../../../src/servers/logSink';
import { ServerManager, launchesFrom, stdioTransportFactory } from '../../../src/servers/serverManager';
import type { ServerCatalog, ServerHealth } from '../../../src/common/model';
import { watchEventLoopLag } from '../../shared/eventLoopLag';
import { isAlive } from '../../shared/process';
import { until } from '../../shared/wait';
import { MemorySink, TEST_CLIENT_INFO, nextState, readPids, stdioDefinition, testResolver } from './helpers';

const GRACE_MS = 150;
const fastRestart = { maxRestarts: 2, backoffBaseMs: 30, backoffMaxMs: 100 };

describe('ServerManager with real child processes', function () {
  this.timeout(60_000);
  let manager: ServerManager | undefined;
  let sinks: Map<ServerId, MemorySink>;
  let tmp: string;
  const pids = new Set<number>();

  function setup(defs: ServerDefinition[], extra: Partial<ConstructorParameters<typeof ServerManager>[0]> = {}): ServerManager {
    sinks = new Map();
    manager = new ServerManager({
      prepareStart: launchesFrom(testResolver),
      clientInfo: TEST_CLIENT_INFO,
      transports: { stdio: stdioTransportFactory({ stdinGraceMs: GRACE_MS, termGraceMs: GRACE_MS }) },
      sinkFor: (d) => { const s = new MemorySink(); sinks.set(d.id, s); return s; },
      random: () => 0,
      ...extra,
    });
    void manager.setDefinitions(defs);
    manager.onDidChangeState(() => { for (const d of defs) { const pid = manager?.getPid(d.id); if (pid) pids.add(pid); } });
    return manager;
  }
  const sink = (def: ServerDefinition): MemorySink => sinks.get(def.id)!;
  const def = (name: string, options: ServerOptions = {}, env: Record<string, string> = {}, file = 'mcpServer.mjs'): ServerDefinition =>
    stdioDefinition(name, { restart: false, ...options }, file, env);

  beforeEach(() => { tmp = mkdtempSync(path.join(tmpdir(), 'mcp-sup-')); });
  afterEach(async () => {
    if (manager) { await manager.stopAll(3_000); manager.dispose(); manager = undefined; }
    for (const pid of [...pids, ...readPids(path.join(tmp, 'pids'))]) {
      if (isAlive(pid)) { try { process.kill(pid, 'SIGKILL'); } catch { /* gone */ } assert.fail(`process ${pid} outlived its test`); }
    }
    pids.clear();
    rmSync(tmp, { recursive: true, force: true });
  });

  it('starts a server, lists it, answers requests, and stops it (process gone)', async () => {
    const d = def('normal');
    const m = setup([d]);
    const states: ServerState['kind'][] = [];
    m.onDidChangeState((e) => states.push(e.state.kind));
    const catalogs: ServerCatalog[] = [];
    m.onDidChangeCatalog((e) => catalogs.push(e.catalog));
    await m.start(d.id);
    const state = m.getState(d.id);
    assert.equal(state.kind, 'running');
    assert.ok(state.kind === 'running' && state.pid && isAlive(state.pid));
    assert.deepEqual(state.kind === 'running' && state.serverInfo, { name: 'fixture-server', version: '1.2.3', title: 'Fixture' });
    assert.equal(state.kind === 'running' && state.instructions, 'fixture instructions');
    assert.deepEqual(states, ['starting', 'starting', 'running'], 'starting, starting{pid}, running');
    const cat = m.getCatalog(d.id);
    assert.ok(cat.tools.some((t) => t.name === 'echo'));
    assert.deepEqual(cat.resources.map((r) => r.uri), ['fixture://readme']);
    assert.deepEqual(cat.resourceTemplates.map((t) => t.uriTemplate), ['fixture://items/{id}']);
    assert.deepEqual(cat.prompts.map((p) => p.name), ['greet']);
    assert.ok(catalogs.length >= 1);
    assert.deepEqual((await m.callTool(d.id, 'echo', { text: 'hi' })).content, [{ type: 'text', text: 'hi' }]);
    const item = (await m.readResource(d.id, 'fixture://items/7')).contents[0];
    assert.ok(item && 'text' in item && item.text === 'item 7');
    const prompt = await m.getPrompt(d.id, 'greet', { who: 'Ada' });
    assert.deepEqual(prompt.messages[0]?.content, { type: 'text', text: 'Hello Ada' });
    const pid = m.getPid(d.id)!;
    await m.stop(d.id);
    assert.equal(m.getState(d.id).kind, 'stopped');
    await until('process exit', () => !isAlive(pid));
    assert.deepEqual(m.getCatalog(d.id).tools, [], 'catalog cleared when stopped');
    await assert.rejects(m.callTool(d.id, 'echo', { text: 'x' }), ServerNotRunningError);
    assert.ok(m.list().some((s) => s.id === d.id && s.transport === 'stdio' && s.state.kind === 'stopped'));
  });

  it('a crash at start restarts with backoff, then fails with reason, exit code and stderr tail', async () => {
    const d = def('crashAtStart', { restart: fastRestart }, { FIXTURE_CRASH_AT_START: '1' });
    const m = setup([d]);
    const seen: ServerState[] = [];
    m.onDidChangeState((e) => seen.push(e.state));
    await assert.rejects(m.start(d.id), ServerStartError);
    const state = m.getState(d.id);
    assert.equal(state.kind, 'failed');
    assert.ok(state.kind === 'failed' && state.exitCode === 2, JSON.stringify(state));
    assert.ok(state.kind === 'failed' && state.reason.includes('exited with code 2'));
    assert.ok(state.kind === 'failed' && state.reason.includes('3 crashes'));
    assert.ok(state.kind === 'failed' && state.stderrTail?.some((l) => l.includes('fatal: cannot start')), JSON.stringify(state));
    const restarts = seen.filter((s) => s.kind === 'restarting');
    assert.deepEqual(restarts.map((s) => s.kind === 'restarting' && s.attempt), [1, 2]);
  });

  it('exit(0) right away is unexpected: restarted, then failed with exit code 0', async () => {
    const d = def('exitZero', { restart: { ...fastRestart, maxRestarts: 1 } }, { FIXTURE_EXIT_ZERO: '1' });
    const m = setup([d]);
    await assert.rejects(m.start(d.id), ServerStartError);
    const s = m.getState(d.id);
    assert.ok(s.kind === 'failed' && s.exitCode === 0 && s.signal === null, JSON.stringify(s));
  });

  it('a crash after N calls rejects the in-flight request with a typed error and restarts the server', async () => {
    const d = def('crashAfter', { restart: fastRestart }, { FIXTURE_CRASH_AFTER_CALLS: '3' });
    const m = setup([d]);
    await m.start(d.id);
    const firstPid = m.getPid(d.id);
    await m.callTool(d.id, 'echo', { text: '1' });
    await m.callTool(d.id, 'echo', { text: '2' });
    const restarting = nextState(m, d.id, 'restarting');
    const err = await m.callTool(d.id, 'echo', { text: '3' }).then(() => undefined, (e: unknown) => e);
    assert.ok(err instanceof ServerConnectionLostError, String(err));
    assert.equal(err.exitCode, 3);
    const r = await restarting;
    assert.ok(r.kind === 'restarting' && r.attempt === 1 && r.reason.includes('exited with code 3'));
    await nextState(m, d.id, 'running');
    assert.notEqual(m.getPid(d.id), firstPid);
    assert.deepEqual((await m.callTool(d.id, 'echo', { text: 'again' })).content, [{ type: 'text', text: 'again' }]);
    assert.deepEqual([m.getHealth(d.id).restarts, m.getHealth(d.id).lastExit], [1, 'exited with code 3']);
    await m.stop(d.id);
    await m.start(d.id);
    assert.equal(m.getHealth(d.id).restarts, 0, 'a start by the user resets the restart count');
  });

  it('a request in flight when the server is stopped is rejected, never left hanging', async () => {
    const d = def('inflight');
    const m = setup([d]);
    await m.start(d.id);
    const call = m.callTool(d.id, 'slow', { ms: 10_000 });
    await new Promise((r) => setTimeout(r, 100));
    await m.stop(d.id);
    await assert.rejects(call, ServerConnectionLostError);
  });

  it('hang on initialize: the startup timeout fires and the process is killed', async () => {
    const d = def('hangInit', { startupTimeoutMs: 1_000 }, { FIXTURE_HANG_INIT: '1', FIXTURE_PID_FILE: path.join(tmp, 'pids') });
    const m = setup([d]);
    // The pid from the spawn event: on a loaded machine the fixture may be killed before it writes its pid file.
    let spawned: number | undefined;
    m.onDidChangeState((e) => { if (e.state.kind === 'starting' && e.state.pid) spawned = e.state.pid; });
    const t0 = Date.now();
    await assert.rejects(m.start(d.id), (e: unknown) => e instanceof ServerStartError && /did not finish starting within 1 s/.test(e.message));
    assert.ok(Date.now() - t0 >= 900);
    const pid = spawned ?? readPids(path.join(tmp, 'pids'))[0];
    assert.ok(pid);
    await until('hung process killed', () => !isAlive(pid));
  });

  it('a command that does not exist fails at once, naming the command and PATH, without restarting', async () => {
    const d: ServerDefinition = { ...def('enoent', { restart: fastRestart }), config: { type: 'stdio', command: 'definitely-not-a-command-4711', args: [], env: { PATH: '/nonexistent/bin' } } };
    const m = setup([d]);
    const kinds: string[] = [];
    m.onDidChangeState((e) => kinds.push(e.state.kind));
    await assert.rejects(m.start(d.id), /definitely-not-a-command-4711.*command not found/);
    assert.deepEqual(kinds, ['starting', 'failed']);
    assert.ok(sink(d).has(/PATH searched: \/nonexistent\/bin/), sink(d).text());
  });

  it('garbage on stdout is logged and skipped; the connection keeps working', async () => {
    const d = def('garbage', {}, { FIXTURE_GARBAGE: '1' });
    const m = setup([d]);
    await m.start(d.id);
    for (let i = 0; i < 5; i++) assert.deepEqual((await m.callTool(d.id, 'echo', { text: `g${i}` })).content, [{ type: 'text', text: `g${i}` }]);
    assert.ok(sink(d).has(/not JSON-RPC/, 'warn'), sink(d).text());
    assert.equal(m.getState(d.id).kind, 'running');
  });

  it('carries a 10 MB response', async () => {
    const d = def('big');
    const m = setup([d]);
    await m.start(d.id);
    const result = await m.callTool(d.id, 'big', { mib: 10 });
    const first = result.content[0];
    assert.ok(first?.type === 'text' && first.text.length === 10 * 1024 * 1024);
    assert.deepEqual((await m.callTool(d.id, 'echo', { text: 'after' })).content, [{ type: 'text', text: 'after' }]);
  });

  it('a stderr flood costs bounded memory and log lines; the server still answers', async () => {
    const d = def('flood', { startupTimeoutMs: 45_000 }, { FIXTURE_STDERR_FLOOD_MB: '64' });
    const m = setup([d]);
    global.gc?.();
    const before = process.memoryUsage();
    const lag = watchEventLoopLag();
    const t0 = performance.now();
    await m.start(d.id); // the fixture floods before it speaks MCP, so start() resolves after the flood
    const floodMs = performance.now() - t0;
    const { p99 } = lag.stop();
    await until('the last batch', () => sink(d).has(/more lines not shown/));
    const after = process.memoryUsage();
    assert.ok(p99 < 1_000, `event loop p99 lag ${p99.toFixed(0)} ms`);
    const s = sink(d);
    const stderrLines = s.lines.filter((l) => l.line.startsWith('[server stderr]'));
    // 64 MiB of 100-byte lines is ~670,000 lines; at most one flush's worth per flush interval reach the log.
    const { maxLinesPerFlush, flushIntervalMs, floodedBytesPerSecond } = DEFAULT_STDERR_OPTIONS;
    const maxLines = (Math.ceil(floodMs / flushIntervalMs) + 2) * maxLinesPerFlush;
    assert.ok(stderrLines.length <= maxLines, `${stderrLines.length} stderr lines logged in ${Math.round(floodMs)} ms (at most ${maxLines})`);
    // Once flooded, stderr is read no faster than floodedBytesPerSecond: the server waited on its pipe.
    const minMs = (64 * 1024 * 1024 / floodedBytesPerSecond) * 1000 * 0.8;
    assert.ok(floodMs >= minMs, `the 64 MiB flood was read in ${Math.round(floodMs)} ms (at 16 MiB/s: ≥ ${Math.round(minMs)} ms)`);
    assert.ok(s.has(/more lines not shown/), 'drops are reported');
    assert.ok(s.appendCalls < 2_000, `${s.appendCalls} sink calls (batched)`);
    const growthMb = (after.heapUsed + after.arrayBuffers - before.heapUsed - before.arrayBuffers) / 1024 / 1024;
    assert.ok(growthMb < 48, `memory grew ${growthMb.toFixed(1)} MB while 64 MB went through stderr`);
    assert.deepEqual((await m.callTool(d.id, 'echo', { text: 'alive' })).content, [{ type: 'text', text: 'alive' }]);
  });

  it('a server that ignores stdin EOF and SIGTERM is SIGKILLed by the ladder', async () => {
    const d = def('stubborn', {}, { FIXTURE_IGNORE_SIGTERM: '1', FIXTURE_IGNORE_STDIN_EOF: '1' });
    const m = setup([d]);
    await m.start(d.id);
    const pid = m.getPid(d.id)!;
    const t0 = Date.now();
    await m.stop(d.id);
    assert.ok(Date.now() - t0 >= 2 * GRACE_MS - 20, 'both graces were given');
    await until('stubborn process killed', () => !isAlive(pid));
    assert.ok(sink(d).has(/SIGKILL to process group/), sink(d).text());
    assert.equal(m.getState(d.id).kind, 'stopped');
  });

  it('a second stop() kills at once', async () => {
    const d = def('stubborn2', {}, { FIXTURE_IGNORE_SIGTERM: '1', FIXTURE_IGNORE_STDIN_EOF: '1' });
    const m = setup([d], { transports: { stdio: stdioTransportFactory({ stdinGraceMs: 20_000, termGraceMs: 20_000 }) } });
    await m.start(d.id);
    const pid = m.getPid(d.id)!;
    const first = m.stop(d.id);
    await new Promise((r) => setTimeout(r, 100));
    const t0 = Date.now();
    await m.stop(d.id);
    await first;
    assert.ok(Date.now() - t0 < 10_000);
    await until('killed', () => !isAlive(pid));
  });

  for (const stubborn of [false, true]) {
    it(`stops an npx-like wrapper and its grandchild${stubborn ? ' when both ignore stdin EOF and SIGTERM' : ''}`, async () => {
      const pidFile = path.join(tmp, 'pids');
      const env: Record<string, string> = { FIXTURE_PID_FILE: pidFile };
      if (stubborn) Object.assign(env, { FIXTURE_IGNORE_SIGTERM: '1', FIXTURE_IGNORE_STDIN_EOF: '1', FIXTURE_WRAPPER_IGNORE_SIGTERM: '1' });
      const d = def('npx', {}, env, 'npxLike.mjs');
      const m = setup([d]);
      await m.start(d.id);
      const all = readPids(pidFile);
      assert.equal(all.length, 2, 'wrapper and server');
      assert.ok(all.every(isAlive));
      await m.stop(d.id);
      await until('wrapper and grandchild gone', () => all.every((p) => !isAlive(p)), { timeoutMs: 10_000 });
    });
  }

  it('when the wrapper dies unexpectedly, its grandchild is not left behind', async () => {
    const pidFile = path.join(tmp, 'pids');
    const d = def('npxCrash', {}, { FIXTURE_PID_FILE: pidFile, FIXTURE_IGNORE_STDIN_EOF: '1' }, 'npxLike.mjs');
    const m = setup([d]);
    await m.start(d.id);
    const [wrapper, server] = readPids(pidFile);
    process.kill(wrapper, 'SIGKILL');
    const failed = await nextState(m, d.id, 'failed');
    assert.ok(failed.kind === 'failed' && failed.signal === 'SIGKILL', JSON.stringify(failed));
    await until('grandchild reaped', () => !isAlive(server), { timeoutMs: 10_000 });
  });

  it('a server that stops answering pings is killed and restarted under the restart policy', async () => {
    const d = def('hangPing', { ping: { intervalMs: 200, timeoutMs: 400 }, restart: fastRestart });
    const m = setup([d]);
    const pinged = new Promise<ServerHealth>((resolve) => { const sub = m.onDidChangeHealth((e) => { if (e.id === d.id) { sub.dispose(); resolve(e.health); } }); });
    await m.start(d.id);
    const health = await pinged;
    assert.ok(health.lastPingLatencyMs! >= 0 && health.lastPingAt, 'the health event carries the latency');
    const oldPid = m.getPid(d.id)!;
    const restarting = nextState(m, d.id, 'restarting');
    await m.callTool(d.id, 'hangPings');
    const r = await restarting;
    assert.ok(r.kind === 'restarting' && /did not answer a ping/.test(r.reason), JSON.stringify(r));
    await nextState(m, d.id, 'running');
    assert.ok(!isAlive(oldPid) || (await until('old pid dead', () => !isAlive(oldPid)).then(() => true)));
  });

  it('refreshes the catalog on list_changed', async () => {
    const d = def('listChanged');
    const m = setup([d]);
    await m.start(d.id);
    const changed = new Promise<ServerCatalog>((resolve) => m.onDidChangeCatalog((e) => { if (e.catalog.tools.some((t) => t.name === 'added1')) resolve(e.catalog); }));
    await m.callTool(d.id, 'addTool', { name: 'added1' });
    const cat = await changed;
    assert.ok(cat.tools.some((t) => t.name === 'echo'));
  });

  it('debounces list_changed: a burst of notifications is one tools/list', async () => {
    const requests = path.join(tmp, 'requests');
    const toolsLists = (): number => (existsSync(requests) ? readFileSync(requests, 'utf8').split('\n').filter((l) => l === 'tools/list').length : 0);
    const d = def('listChangedBurst', {}, { FIXTURE_REQUEST_LOG: requests });
    const m = setup([d], { timing: { listChangedDebounceMs: 300 } });
    await m.start(d.id);
    await until('the first listing', () => m.getCatalog(d.id).tools.some((t) => t.name === 'echo'));
    const before = toolsLists();
    const refreshes: ServerCatalog[] = [];
    m.onDidChangeCatalog((e) => { if (e.id === d.id) refreshes.push(e.catalog); });
    // One call registers three tools: the server sends three notifications/tools/list_changed back to back.
    await m.callTool(d.id, 'addTools', { names: ['added1', 'added2', 'added3'] });
    await until('the refresh', () => refreshes.length > 0);
    await new Promise((r) => setTimeout(r, 600)); // time for the two more refreshes an undebounced client would make
    assert.equal(toolsLists() - before, 1, 'one tools/list for the burst');
    assert.equal(refreshes.length, 1);
    assert.deepEqual(['added1', 'added2', 'added3'].filter((n) => refreshes[0].tools.some((t) => t.name === n)), ['added1', 'added2', 'added3']);
  });

  it('routes notifications/message to the log sink at its level and sets the server log level', async () => {
    const d = def('logging');
    const m = setup([d]);
    await m.start(d.id);
    await m.setLogLevel(d.id, 'debug');
    await m.callTool(d.id, 'log', { level: 'warning', text: 'disk almost full' });
    await m.callTool(d.id, 'log', { level: 'error', text: 'Authorization: Bearer abcdef123456' });
    await until('log lines', () => sink(d).has(/disk almost full/) && sink(d).has(/Authorization/));
    assert.ok(sink(d).has(/\[server log fixture\] disk almost full/, 'warn'));
    assert.ok(sink(d).has(/Authorization: Bearer ••••/, 'error'), sink(d).text());
    assert.ok(!sink(d).has(/abcdef123456/));
  });

  it('redacts a server log message before cutting it, so a secret at the cut shows no prefix (review L1)', async () => {
    const d = def('logcut');
    const redactor = new Redactor();
    redactor.add('sk-at-the-cut-0123456789');
    const m = setup([d], { redactor });
    await m.start(d.id);
    await m.callTool(d.id, 'log', { level: 'error', text: `${'x'.repeat(9_978)}sk-at-the-cut-0123456789 end` });
    await until('log line', () => sink(d).has(/x{100}/));
    assert.ok(!sink(d).has(/sk-at|x{9978}s/), sink(d).text().slice(-200));
  });

  it('redacts secret env values in stderr', async () => {
    const d = def('redact', {}, { API_TOKEN: 'sk-very-secret-value', FIXTURE_SECRET: 'sk-very-secret-value' });
    const m = setup([d], { redactor: new Redactor() });
    await m.start(d.id);
    await until('stderr line', () => sink(d).has(/token is/));
    assert.ok(!sink(d).has(/sk-very-secret-value/), sink(d).text());
  });

  it('logs the "starting:" command line with secret-looking args masked (review L2, P2)', async () => {
    const d = stdioDefinition('argsecret', { restart: false });
    const cfg = d.config.type === 'stdio' ? d.config : undefined;
    const withArgs: ServerDefinition = { ...d, config: { ...cfg!, args: [...cfg!.args, '--api-key', 'sk-literal-0123456789abcdefXYZ', 'ghp_0123456789abcdefABCD', '--verbose'] } };
    const m = setup([withArgs], { redactor: new Redactor() });
    await m.start(d.id);
    assert.ok(sink(d).has(/starting: .* --api-key •••• •••• --verbose/), sink(d).text());
    assert.ok(!sink(d).has(/sk-literal|ghp_0123/), sink(d).text());
  });

  it('a request error that echoes a registered secret is redacted at the source (review M2: commands, Call Tool panel)', async () => {
    const d = def('echoerr');
    const redactor = new Redactor();
    redactor.add('sk-echoed-0123456789');
    const m = setup([d], { redactor });
    await m.start(d.id);
    // The server's "Resource … not found" error quotes the URI it was sent.
    const err = await m.readResource(d.id, 'fixture://sk-echoed-0123456789').then(() => undefined, (e: unknown) => e);
    assert.ok(err instanceof Error, 'the call is rejected');
    assert.match(err.message, /••••/);
    assert.ok(!err.message.includes('sk-echoed'), err.message);
  });

  it('times out requests (reset by progress), reports progress, and cancels via AbortSignal', async () => {
    const d = def('timeouts');
    const m = setup([d]);
    await m.start(d.id);
    await assert.rejects(m.callTool(d.id, 'slow', { ms: 3_000 }, { timeoutMs: 300 }), RpcTimeoutError);
    const progress: number[] = [];
    const r = await m.callTool(d.id, 'slow', { ms: 1_500, steps: 6 }, { timeoutMs: 1_000, onProgress: (p) => progress.push(p.progress) });
    assert.deepEqual(r.content, [{ type: 'text', text: 'done' }]);
    // The SDK dispatches notifications a microtask later than responses, so the last progress may land after the result.
    assert.deepEqual(progress.slice(0, 5), [1, 2, 3, 4, 5]);
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 100);
    await assert.rejects(m.callTool(d.id, 'slow', { ms: 5_000 }, { signal: ac.signal }), UserCancelledError);
    assert.equal(m.getState(d.id).kind, 'running', 'a timeout or cancellation does not kill the server');
  });

  it('follows pagination for every list', async () => {
    const d = def('paginated', {}, {}, 'paginatedServer.mjs');
    const m = setup([d]);
    await m.start(d.id);
    const c = m.getCatalog(d.id);
    assert.equal(c.tools.length, 10);
    assert.equal(c.resources.length, 7);
    assert.equal(c.resourceTemplates.length, 4);
    assert.equal(c.prompts.length, 5);
  });

  it('stopAll stops everything in parallel within the deadline', async () => {
    const defs = [def('a'), def('b'), def('c', {}, { FIXTURE_IGNORE_SIGTERM: '1', FIXTURE_IGNORE_STDIN_EOF: '1' })];
    const m = setup(defs, { transports: { stdio: stdioTransportFactory({ stdinGraceMs: 5_000, termGraceMs: 5_000 }) } });
    await Promise.all(defs.map((d) => m.start(d.id)));
    const all = defs.map((d) => m.getPid(d.id)!);
    const t0 = Date.now();
    await m.stopAll(1_500);
    const took = Date.now() - t0;
    assert.ok(took < 2_500, `stopAll took ${took} ms`);
    await until('all gone', () => all.every((p) => !isAlive(p)));
    assert.ok(defs.every((d) => m.getState(d.id).kind === 'stopped'));
  });

  it('removing a definition stops its server', async () => {
    const d = def('removed');
    const m = setup([d]);
    await m.start(d.id);
    const pid = m.getPid(d.id)!;
    await m.setDefinitions([]);
    assert.equal(m.list().length, 0);
    await until('removed server gone', () => !isAlive(pid));
  });

  it('stop during a pending restart cancels it', async () => {
    const d = def('cancelRestart', { restart: { maxRestarts: 5, backoffBaseMs: 5_000 } }, { FIXTURE_CRASH_AT_START: '1' });
    const m = setup([d]);
    const started = m.start(d.id);
    await nextState(m, d.id, 'restarting');
    await m.stop(d.id);
    await assert.rejects(started, UserCancelledError);
    assert.equal(m.getState(d.id).kind, 'stopped');
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(m.getState(d.id).kind, 'stopped');
  });

  it('commits a plan: a changed definition restarts a running server only when requiresRestart says so; one that can no longer run goes', async () => {
    const d = def('planned');
    const m = setup([d]);
    await m.start(d.id);
    const pid = m.getPid(d.id)!;
    assert.deepEqual(await m.setDefinitions([{ ...d, options: { ...d.options, autoStart: true, restart: { maxRestarts: 1 } } }]), [], 'autoStart and the restart policy apply without a restart');
    assert.deepEqual(await m.setDefinitions([{ ...d, config: { ...d.config, env: { CHANGED: '1' } } as ServerDefinition['config'] }]), [d.id], 'a launch change needs one');
    assert.equal(m.getPid(d.id), pid, 'the manager leaves the restart to its caller');
    const before: ConfiguredServer = { id: d.id, name: d.name, source: d.source, transport: 'stdio', definition: d, warnings: [] };
    const after: ConfiguredServer = { ...before, problem: { kind: 'configError', reason: 'broken' } };
    assert.deepEqual(await m.commit({ added: [], removed: [], unchanged: [], changed: [{ before, after }] }), []);
    assert.equal(m.list().length, 0, 'an entry that can no longer run is forgotten');
    await until('its process gone', () => !isAlive(pid));
  });

  it('the start gate answers with values: needsTrust and cancelled stay stopped, configError shows on the definition until the next start', async () => {
    const d = def('gated');
    let answer: LaunchPreparation = { kind: 'needsTrust' };
    const m = setup([d], { prepareStart: async (x) => (answer.kind === 'ready' ? { kind: 'ready', launch: await testResolver(x) } : answer) });
    const kinds: string[] = [];
    m.onDidChangeState((e) => kinds.push(e.state.kind));
    await assert.rejects(m.start(d.id), WorkspaceTrustRequiredError);
    assert.equal(m.getState(d.id).kind, 'stopped');
    answer = { kind: 'cancelled' };
    await assert.rejects(m.start(d.id), UserCancelledError);
    const reason = 'Server "gated": cannot read envFile "/nope".';
    answer = { kind: 'configError', reason };
    await assert.rejects(m.start(d.id), (e: unknown) => e instanceof ConfigResolutionError && e.message === reason);
    const blocked = m.get(d.id)!;
    assert.deepEqual(blocked.status, { definition: { kind: 'configError', reason, atStart: true }, runtime: { kind: 'stopped' } });
    assert.equal(blocked.state.kind, 'configError');
    assert.deepEqual(kinds, ['starting', 'stopped', 'starting', 'stopped', 'starting', 'stopped'], 'never failed');
    answer = { kind: 'ready', launch: await testResolver(d) };
    await m.start(d.id);
    assert.deepEqual(m.get(d.id)?.status.definition, { kind: 'ok' }, 'a start that resolves clears it');
    assert.equal(m.get(d.id)?.state.kind, 'running');
  });
});
