/**
 * Both protocol eras through the real ServerManager (McpSession on the SDK's v2 client): modern-only, legacy-only and
 * dual-era servers on the v2 server SDK (test/fixtures/servers/modernServer.mjs over stdio, modernHttpServer.mjs over
 * Streamable HTTP on 127.0.0.1), the `protocol` server option, the era verdict kept for crash restarts, and a server
 * upgraded between two starts. Real processes; what each server received is read from its request log.
 */
import * as assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { ServerDefinition, ServerOptions } from '../../../src/common/config/types';
import type { ElicitationRequest, ElicitationUi } from '../../../src/common/elicitation';
import { UserCancelledError } from '../../../src/common/errors';
import { Redactor } from '../../../src/common/redact';
import { makeServerId } from '../../../src/common/serverId';
import { remoteTransportFactory } from '../../../src/remote/httpTransport';
import { ServerManager, launchesFrom, stdioTransportFactory } from '../../../src/servers/serverManager';
import { type ManagedTransport, interceptTransport } from '../../../src/servers/transport';
import { until } from '../../shared/wait';
import { startFixture, type FixtureServer } from '../remote/helpers';
import { MemorySink, TEST_CLIENT_INFO, nextState, readPids, stdioDefinition, testResolver } from './helpers';

const MODERN = '2026-07-28';
const LEGACY = '2025-11-25';
const texts = (r: { content: unknown }): string[] => (r.content as { text?: string }[]).map((c) => c.text ?? '');

describe('Both protocol eras through ServerManager (v2 client; v2 server SDK fixtures)', function () {
  this.timeout(40_000);
  let dir: string;
  let manager: ServerManager | undefined;
  let sink: MemorySink;
  let servers: FixtureServer[];
  const asked: ElicitationRequest[] = [];
  const ui: ElicitationUi = {
    ask: (request) => { asked.push(request); return Promise.resolve({ action: 'accept', content: { name: 'Ada' } }); },
    refused: () => undefined,
  };

  beforeEach(() => { dir = mkdtempSync(path.join(tmpdir(), 'mcp-eras-')); servers = []; asked.length = 0; });
  afterEach(async () => {
    if (manager) { await manager.stopAll(3_000); manager.dispose(); manager = undefined; }
    await Promise.all(servers.map((s) => s.stop()));
    rmSync(dir, { recursive: true, force: true });
  });

  const requestLog = (): string[] => (existsSync(path.join(dir, 'requests')) ? readFileSync(path.join(dir, 'requests'), 'utf8').split('\n').filter(Boolean) : []);

  function stdio(env: Record<string, string>, options: ServerOptions = {}): ServerDefinition {
    return stdioDefinition('era', { restart: false, ...options }, 'modernServer.mjs', {
      FIXTURE_REQUEST_LOG: path.join(dir, 'requests'), FIXTURE_PID_FILE: path.join(dir, 'pids'), ...env,
    });
  }

  async function startManager(d: ServerDefinition, url?: string, timing: { minFreshRefreshMs?: number } = {}): Promise<ServerManager> {
    sink = new MemorySink();
    manager = new ServerManager({
      prepareStart: launchesFrom(url ? () => Promise.resolve({ type: 'http', url, headers: {} }) : testResolver),
      clientInfo: TEST_CLIENT_INFO, redactor: new Redactor(), sinkFor: () => sink, elicitation: ui,
      transports: { stdio: stdioTransportFactory({ stdinGraceMs: 150, termGraceMs: 150 }), http: remoteTransportFactory() },
      timing,
    });
    await manager.setDefinitions([d]);
    return manager;
  }

  function revision(m: ServerManager, d: ServerDefinition): string | undefined {
    const s = m.getState(d.id);
    return s.kind === 'running' ? s.protocolVersion : undefined;
  }

  /**
   * Everything the tree and the commands use, on whichever era the server speaks. `cancelReachesServer`: false for a
   * stateless 2025 HTTP server (its notifications/cancelled reaches another instance).
   */
  async function exercise(m: ServerManager, d: ServerDefinition, cancelReachesServer = true): Promise<void> {
    await until('the catalog', () => m.getCatalog(d.id).tools.length > 0);
    const catalog = m.getCatalog(d.id);
    assert.deepEqual(catalog.tools.map((t) => t.name).sort(), ['addTool', 'askName', 'cancelled', 'count', 'echo', 'level', 'listRoots', 'wait']);
    assert.deepEqual(catalog.resources.map((r) => r.uri), ['fixture://readme']);
    assert.deepEqual(catalog.resourceTemplates.map((t) => t.uriTemplate), ['fixture://notes/{id}']);
    assert.deepEqual(catalog.prompts.map((p) => p.name), ['greet']);
    assert.deepEqual(texts(await m.callTool(d.id, 'echo', { text: 'hi' })), ['hi']);
    const read = await m.readResource(d.id, 'fixture://notes/7');
    assert.equal((read.contents[0] as { text: string }).text, 'note 7');
    const prompt = await m.getPrompt(d.id, 'greet', { name: 'Ada' });
    assert.ok(prompt.messages.length > 0);
    const completion = await m.complete(d.id, { ref: { type: 'ref/prompt', name: 'greet' }, argument: { name: 'name', value: 'A' } });
    assert.ok(completion.completion.values.length > 0, 'completions answer');
    // Progress.
    const progress: number[] = [];
    assert.deepEqual(texts(await m.callTool(d.id, 'count', { n: 5 }, { onProgress: (p) => progress.push(p.progress) })), ['counted 5']);
    assert.deepEqual(progress, [1, 2, 3, 4, 5]);
    // Cancellation: the caller gets UserCancelledError at once; the server sees its request cancelled.
    const abort = new AbortController();
    const waiting = m.callTool(d.id, 'wait', {}, { signal: abort.signal });
    setTimeout(() => abort.abort(), 200);
    await assert.rejects(waiting, (e: unknown) => e instanceof UserCancelledError);
    if (cancelReachesServer) await until('the server saw the cancel', async () => texts(await m.callTool(d.id, 'cancelled', {}))[0] === '1');
    // Log level: logging/setLevel on 2025-11-25, each request's _meta on 2026-07-28.
    assert.deepEqual(texts(await m.callTool(d.id, 'level', {})), ['none']);
    await m.setLogLevel(d.id, 'debug');
    assert.deepEqual(texts(await m.callTool(d.id, 'level', {})), ['debug']);
  }

  it('a modern-only stdio server (auto): 2026-07-28, the whole surface, elicitation through input_required, list changes on subscriptions/listen', async () => {
    const d = stdio({ FIXTURE_MODERN_ONLY: '1' });
    const m = await startManager(d);
    await m.start(d.id);
    assert.equal(revision(m, d), MODERN);
    assert.ok(sink.has(/running: .* \(pid \d+, MCP 2026-07-28\)/), sink.text());
    await exercise(m, d);
    // input_required: the SDK fulfils the elicitation through the same UI as elicitation/create, then retries.
    assert.deepEqual(texts(await m.callTool(d.id, 'askName', {})), ['Hello, Ada', 'requestState=ask-name-1']);
    assert.equal(asked.length, 1);
    assert.equal(asked[0].mode, 'form');
    assert.equal(asked[0].message, 'What is your name?');
    // A tool added at run time reaches the catalog through the subscriptions/listen stream.
    await m.callTool(d.id, 'addTool', { name: 'late' });
    await until('the added tool in the catalog', () => m.getCatalog(d.id).tools.some((t) => t.name === 'late'));
    const log = requestLog();
    assert.equal(log[0], 'server/discover', 'probed first');
    assert.ok(!log.includes('initialize'), `no initialize on a modern connection: ${log.join(', ')}`);
    assert.ok(log.includes('subscriptions/listen'), log.join(', '));
  });

  it('a list the server says is fresh for ttlMs is listed again when that runs out; one without a ttl is not', async () => {
    const d = stdio({ FIXTURE_MODERN_ONLY: '1', FIXTURE_LIST_TTL_MS: '300' });
    const m = await startManager(d, undefined, { minFreshRefreshMs: 200 });
    await m.start(d.id);
    await until('the catalog', () => m.getCatalog(d.id).tools.length > 0);
    // Nothing changes and nothing is announced: only the ttl (300 ms) makes the tools listed again, and again.
    await until('tools/list three times', () => requestLog().filter((r) => r === 'tools/list').length >= 3, { timeoutMs: 5_000 });
    assert.equal(requestLog().filter((r) => r === 'prompts/list').length, 1, 'prompts (no ttl) were listed once');
  });

  it('a legacy-only stdio server (auto): the probe is refused, initialize follows on the same process, 2025-11-25', async () => {
    const d = stdio({ FIXTURE_LEGACY_ONLY: '1' });
    const m = await startManager(d);
    await m.start(d.id);
    assert.equal(revision(m, d), LEGACY);
    await exercise(m, d);
    assert.deepEqual(requestLog().slice(0, 2), ['server/discover', 'initialize']);
    assert.equal(readPids(path.join(dir, 'pids')).length, 1, 'one process: the probe ran in place, no sibling was spawned');
  });

  it('a dual-era server: auto speaks 2026-07-28; protocol "2025-11-25" pins the initialize handshake, with no probe', async () => {
    const auto = stdio({});
    let m = await startManager(auto);
    await m.start(auto.id);
    assert.equal(revision(m, auto), MODERN);
    await m.stopAll(3_000); m.dispose(); manager = undefined;
    rmSync(path.join(dir, 'requests'), { force: true });

    const pinned = stdio({}, { protocol: '2025-11-25' });
    m = await startManager(pinned);
    await m.start(pinned.id);
    assert.equal(revision(m, pinned), LEGACY);
    await exercise(m, pinned);
    assert.equal(requestLog()[0], 'initialize');
    assert.ok(!requestLog().includes('server/discover'));
  });

  it('protocol "2026-07-28" against a legacy-only server fails clearly, and never falls back', async () => {
    const d = stdio({ FIXTURE_LEGACY_ONLY: '1' }, { protocol: '2026-07-28' });
    const m = await startManager(d);
    await assert.rejects(m.start(d.id));
    const s = m.getState(d.id);
    assert.equal(s.kind, 'failed');
    assert.ok(!requestLog().includes('initialize'), 'no initialize was sent');
  });

  it('a server that dies of the probe is restarted on the initialize handshake; crash restarts keep the verdict', async () => {
    const d = stdio({ FIXTURE_EXIT_ON_DISCOVER: '1', FIXTURE_LEGACY_ONLY: '1' }, { restart: { maxRestarts: 3, backoffBaseMs: 50 } });
    const m = await startManager(d);
    await m.start(d.id).catch(() => undefined);
    await nextState(m, d.id, 'running');
    assert.equal(revision(m, d), LEGACY);
    assert.deepEqual(requestLog().slice(0, 2), ['server/discover', 'initialize'], 'the second process was not probed');
    // A crash restart reuses the verdict (no probe); a start the user asks for probes again.
    const pids = readPids(path.join(dir, 'pids'));
    process.kill(pids[pids.length - 1], 'SIGKILL');
    await until('restarted', () => readPids(path.join(dir, 'pids')).length === pids.length + 1);
    await nextState(m, d.id, 'running');
    assert.equal(requestLog().filter((r) => r === 'server/discover').length, 1, 'the crash restart did not probe');
  });

  it('a server upgraded from legacy to modern between two starts is re-detected (same launch)', async () => {
    const flag = path.join(dir, 'legacy-only');
    writeFileSync(flag, '');
    const d = stdio({ FIXTURE_LEGACY_FLAG: flag });
    const m = await startManager(d);
    await m.start(d.id);
    assert.equal(revision(m, d), LEGACY);
    await m.stop(d.id);
    rmSync(flag);
    await m.start(d.id);
    assert.equal(revision(m, d), MODERN);
  });

  for (const [name, env, expected] of [
    ['modern-only', { FIXTURE_MODERN_ONLY: '1' }, MODERN],
    ['legacy-only', { FIXTURE_LEGACY_ONLY: '1' }, LEGACY],
    ['dual-era', {}, MODERN],
  ] as const) {
    it(`a ${name} Streamable HTTP server (auto): ${expected}, the whole surface`, async () => {
      const s = await startFixture('../../../fixtures/servers/modernHttpServer.mjs', ['0'], { ...env, FIXTURE_REQUEST_LOG: path.join(dir, 'requests') });
      servers.push(s);
      const url = `http://127.0.0.1:${s.port}/mcp`;
      const d: ServerDefinition = {
        id: makeServerId({ kind: 'userSettings' }, 'remote-era'), name: 'remote-era', source: { kind: 'userSettings' },
        config: { type: 'http', url, headers: {} }, options: { ping: false, restart: false },
      };
      const m = await startManager(d, url);
      await m.start(d.id);
      assert.equal(revision(m, d), expected);
      await exercise(m, d, name !== 'legacy-only');
      if (expected === MODERN) assert.deepEqual(texts(await m.callTool(d.id, 'askName', {})), ['Hello, Ada', 'requestState=ask-name-1']);
    });
  }
});

describe('interceptTransport on a 2026-07-28 connection', () => {
  it('hands the Client a result without resultType as complete (SEP-2322), and leaves 2025-11-25 results as they are', () => {
    const got: unknown[] = [];
    const inner = { pid: undefined, exit: undefined, stderrTail: () => [], terminate: () => Promise.resolve(), kill: () => Promise.resolve(), start: () => Promise.resolve(), close: () => Promise.resolve(), send: () => Promise.resolve() } as ManagedTransport;
    const outer = interceptTransport(inner, {});
    outer.onmessage = (m) => got.push(m);
    inner.onmessage?.({ jsonrpc: '2.0', id: 1, result: { content: [] } });
    outer.setProtocolVersion?.('2026-07-28');
    inner.onmessage?.({ jsonrpc: '2.0', id: 2, result: { content: [] } });
    inner.onmessage?.({ jsonrpc: '2.0', id: 3, result: { resultType: 'input_required', inputRequests: {} } });
    inner.onmessage?.({ jsonrpc: '2.0', method: 'notifications/progress', params: { progressToken: 1, progress: 1 } });
    assert.deepEqual(got, [
      { jsonrpc: '2.0', id: 1, result: { content: [] } },
      { jsonrpc: '2.0', id: 2, result: { content: [], resultType: 'complete' } },
      { jsonrpc: '2.0', id: 3, result: { resultType: 'input_required', inputRequests: {} } },
      { jsonrpc: '2.0', method: 'notifications/progress', params: { progressToken: 1, progress: 1 } },
    ]);
  });
});
