/**
 * Bounds against hostile or broken servers (issue 13), replayed against a real SDK `Server` over InMemoryTransport:
 * the supervision path is the real one (ServerManager → McpSession → SDK Client), only the pipe is in memory.
 */
import * as assert from 'node:assert/strict';
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import {
  CallToolRequestSchema, ListResourceTemplatesRequestSchema, ListResourcesRequestSchema, ListToolsRequestSchema,
} from '@modelcontextprotocol/sdk/types.js';
import { setImmediate } from 'node:timers/promises';
import { catalogGroups, catalogSummary } from '../../../src/common/catalogTree';
import type { ServerDefinition, ServerOptions } from '../../../src/common/config/types';
import { RequestCeilingError } from '../../../src/servers/errors';
import { LogBudget } from '../../../src/servers/logBudget';
import { ServerManager, launchesFrom } from '../../../src/servers/serverManager';
import { loadSdk } from '../../../src/sdkLoader';
import { until } from '../../shared/wait';
import { inMemoryServer } from './inMemoryServer';
import { MemorySink, TEST_CLIENT_INFO, stdioDefinition, testResolver } from './helpers';

type Capabilities = ConstructorParameters<typeof Server>[1];

describe('Bounds against a hostile in-memory server', function () {
  this.timeout(30_000);
  let manager: ServerManager | undefined;
  afterEach(async () => { if (manager) { await manager.stopAll(2_000); manager.dispose(); manager = undefined; } });

  /** A manager whose one server is `makeServer()` in memory; `start()` is left to the test. */
  async function setup(makeServer: () => Server, options: ServerOptions = {}): Promise<{ m: ServerManager; d: ServerDefinition; sink: MemorySink }> {
    const sink = new MemorySink();
    const d = stdioDefinition('hostile', { restart: false, ...options });
    manager = new ServerManager({
      prepareStart: launchesFrom(testResolver), clientInfo: TEST_CLIENT_INFO,
      transports: { stdio: inMemoryServer(makeServer) }, sinkFor: () => sink,
    });
    await manager.setDefinitions([d]);
    return { m: manager, d, sink };
  }

  /** A server with one tool, `run`, answered by `call`. */
  function toolServer(capabilities: Capabilities, call: (server: Server, extra: Parameters<Parameters<Server['setRequestHandler']>[1]>[1]) => Promise<void>): () => Server {
    return () => {
      const server = new Server({ name: 'hostile', version: '1.0.0' }, { ...capabilities, capabilities: { tools: {}, ...capabilities?.capabilities } });
      server.setRequestHandler(ListToolsRequestSchema, () => ({ tools: [{ name: 'run', inputSchema: { type: 'object' } }] }));
      server.setRequestHandler(CallToolRequestSchema, async (_req, extra) => { await call(server, extra); return { content: [{ type: 'text', text: 'done' }] }; });
      return server;
    };
  }

  it('M6/P13: endless pagination stops at 5,000 items or 100 pages; start completes, the catalog and the tree say truncated, the log once', async () => {
    const capabilities = { tools: {}, resources: {} };
    let toolPages = 0;
    const { m, d, sink } = await setup(() => {
      const server = new Server({ name: 'endless', version: '1.0.0' }, { capabilities });
      server.setRequestHandler(ListToolsRequestSchema, async (req) => {
        await setImmediate();
        const n = Number(req.params?.cursor ?? 0);
        toolPages++;
        return { tools: Array.from({ length: 200 }, (_, i) => ({ name: `t${n}_${i}`, inputSchema: { type: 'object' as const } })), nextCursor: String(n + 1) };
      });
      server.setRequestHandler(ListResourcesRequestSchema, (req) => {
        const n = Number(req.params?.cursor ?? 0);
        return { resources: [{ uri: `endless://r/${n}`, name: `r${n}` }], nextCursor: String(n + 1) };
      });
      server.setRequestHandler(ListResourceTemplatesRequestSchema, () => ({ resourceTemplates: [] }));
      return server;
    });
    const started = m.start(d.id);
    await Promise.race([started, new Promise((_, reject) => setTimeout(() => reject(new Error('start() did not complete within 10 s')), 10_000))]);
    const catalog = m.getCatalog(d.id);
    assert.equal(catalog.tools.length, 5_000);
    assert.equal(toolPages, 25, 'no page asked for after the item cap');
    assert.equal(catalog.resources.length, 100, 'one item per page: the page cap');
    assert.deepEqual(catalog.truncated, { tools: true, resources: true });
    const truncations = (): string[] => sink.lines.map((l) => l.line).filter((l) => l.includes('truncated after'));
    assert.deepEqual(truncations(), [
      '[supervisor] tools/list truncated after 25 pages / 5000 items (the most one list may have)',
      '[supervisor] resources/list truncated after 100 pages / 100 items (the most one list may have)',
    ]);
    await m.refreshCatalog(d.id);
    assert.equal(truncations().length, 2, 'logged once, not on every refresh');
    assert.deepEqual(m.getCatalog(d.id).truncated, { tools: true, resources: true });
    const rows = catalogGroups(capabilities, catalog).map((g) => g.row.description);
    assert.deepEqual(rows, ['5000+ (truncated)', '100+ (truncated)', '0']);
    assert.equal(catalogSummary(capabilities, catalog), '5000+ tools, 100+ resources');
  });

  it('M8/P14: 50,000 notifications/message go through the stderr budget: a few sink writes, bounded bytes, "N messages not shown"; past the budget the SDK Client never parses them', async () => {
    const text = 'x'.repeat(9_000);
    const { m, d, sink } = await setup(toolServer({ capabilities: { logging: {} } }, async (server) => {
      for (let i = 0; i < 50_000; i++) await server.sendLoggingMessage({ level: 'info', data: text });
    }));
    // Counts the log messages the SDK Client parses and hands to the session's notifications/message handler (most of
    // a flood's cost). The handler is registered through src/sdk.ts `onServerNotification`, by method.
    const sdk = await loadSdk();
    const proto = sdk.Client.prototype as unknown as { setNotificationHandler: (method: string, handler: (n: unknown) => unknown) => void };
    const { setNotificationHandler } = proto; // called with its `this`
    let parsedByClient = 0;
    let registered = 0;
    proto.setNotificationHandler = function (method, handler) {
      if (method !== 'notifications/message') return setNotificationHandler.call(this, method, handler);
      registered++;
      return setNotificationHandler.call(this, method, (n: unknown) => { parsedByClient++; return handler(n); });
    };
    try {
      await m.start(d.id);
    } finally { proto.setNotificationHandler = setNotificationHandler; }
    const callsBefore = sink.appendCalls;
    await m.callTool(d.id, 'run', {});
    await until('the not-shown count', () => sink.has(/messages not shown/));
    const logLines = sink.lines.filter((l) => l.line.startsWith('[server log'));
    const shown = logLines.filter((l) => l.line.includes(text.slice(0, 100))).length;
    const notShown = logLines.map((l) => /… (\d+) messages not shown/.exec(l.line)).reduce((n, r) => n + (r ? Number(r[1]) : 0), 0);
    assert.equal(shown + notShown, 50_000, 'every message is either shown or counted');
    assert.equal(registered, 1, 'the session registered one notifications/message handler');
    assert.ok(parsedByClient >= shown && parsedByClient < 5_000, `${parsedByClient} messages reached the SDK Client (${shown} shown)`);
    assert.ok(sink.appendCalls - callsBefore < 50, `${sink.appendCalls - callsBefore} sink writes`);
    const bytes = logLines.reduce((n, l) => n + l.line.length, 0);
    assert.ok(bytes < 1024 * 1024, `${bytes} bytes of log text`);
  });

  it('L5: progress forever cannot keep a request alive: it fails at 10 × its timeout, and the server sees the cancellation', async () => {
    let cancelled: string | undefined;
    const { m, d } = await setup(toolServer({}, async (_server, extra) => {
      for (let progress = 1; !extra.signal.aborted; progress++) {
        await extra.sendNotification({ method: 'notifications/progress', params: { progressToken: extra._meta!.progressToken!, progress } });
        await new Promise((r) => setTimeout(r, 20));
      }
      cancelled = String(extra.signal.reason);
    }));
    await m.start(d.id);
    let progressSeen = 0;
    const t0 = Date.now();
    const call = m.callTool(d.id, 'run', {}, { timeoutMs: 100, onProgress: () => { progressSeen++; } });
    const never = new Promise((_, reject) => setTimeout(() => reject(new Error('still running after 5 s: no ceiling')), 5_000));
    await assert.rejects(Promise.race([call, never]), (err: unknown) => {
      assert.ok(err instanceof RequestCeilingError, String(err));
      assert.match(err.message, /still working on 'tools\/call run' after 1 s.*cancelled/);
      return true;
    });
    const elapsed = Date.now() - t0;
    assert.ok(elapsed >= 1_000 && elapsed < 3_000, `failed after ${elapsed} ms`);
    assert.ok(progressSeen > 20, `${progressSeen} progress notifications`);
    await until('the server saw notifications/cancelled', () => cancelled !== undefined);
    assert.equal(m.getState(d.id).kind, 'running', 'the server keeps running');
  });
});

describe('LogBudget', () => {
  it('writes one sink call per level run per flush, within the line and byte budget, and counts the rest', () => {
    const sink = new MemorySink();
    const budget = new LogBudget(sink, { flushIntervalMs: 10_000, maxLinesPerFlush: 4, maxBytesPerFlush: 20 }, (n) => `${n} not shown`);
    budget.add('info', 'a'.repeat(8));
    budget.add('info', 'b'.repeat(8));
    budget.add('error', 'c'.repeat(8)); // 24 bytes now: full
    assert.equal(budget.full, true);
    budget.add('info', 'dropped');
    budget.drop(2);
    budget.flush();
    assert.deepEqual(sink.lines.map((l) => `${l.level} ${l.line}`), ['info aaaaaaaa', 'info bbbbbbbb', 'error cccccccc', 'warn 3 not shown']);
    assert.equal(sink.appendCalls, 3);
    budget.add('warn', 'next flush');
    budget.dispose();
    budget.add('warn', 'after dispose');
    assert.equal(sink.lines.at(-1)?.line, 'next flush');
  });

  it('keeps a sustained budget over a window besides the burst of a flush: a server that writes without end is cut to it', async () => {
    const sink = new MemorySink();
    const budget = new LogBudget(sink, { flushIntervalMs: 10_000, maxLinesPerFlush: 4, maxBytesPerFlush: 1_000, window: { ms: 200, maxLines: 6, maxBytes: 1_000 } }, (n) => `${n} not shown`);
    for (let flush = 0; flush < 3; flush++) {
      for (let i = 0; i < 4; i++) budget.add('info', `line ${flush}.${i}`);
      budget.flush();
    }
    assert.deepEqual(sink.lines.map((l) => l.line), ['line 0.0', 'line 0.1', 'line 0.2', 'line 0.3', 'line 1.0', 'line 1.1', '2 not shown', '4 not shown']);
    await new Promise((r) => setTimeout(r, 250)); // a new window
    budget.add('info', 'a new window');
    budget.flush();
    assert.equal(sink.lines.at(-1)?.line, 'a new window');
    budget.dispose();
  });
});
