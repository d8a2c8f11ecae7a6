import * as assert from 'node:assert/strict';
import type { TraceLevel } from '../../../src/common/contracts';
import { Redactor } from '../../../src/common/redact';
import { makeServerId } from '../../../src/common/serverId';
import type { ServerDefinition } from '../../../src/common/config/types';
import type { LogLevel } from '../../../src/servers/logSink';
import { remoteTransportFactory } from '../../../src/remote/httpTransport';
import { ServerManager, launchesFrom, stdioTransportFactory } from '../../../src/servers/serverManager';
import { JsonRpcTrace, MAX_TRACE_BODY_CHARS } from '../../../src/servers/trace';
import { startFixture, type FixtureServer } from '../remote/helpers';
import { MemorySink, TEST_CLIENT_INFO, stdioDefinition, testResolver } from './helpers';

const SECRET = 'trace-secret-4f2a9c';

/** A sink with a log level, as a LogOutputChannel has. */
class LeveledSink extends MemorySink {
  constructor(public shown: LogLevel = 'trace') { super(); }
  enabled(level: LogLevel): boolean {
    const order: LogLevel[] = ['trace', 'debug', 'info', 'warn', 'error'];
    return order.indexOf(level) >= order.indexOf(this.shown);
  }
  trace(): string[] { return this.lines.filter((l) => l.line.startsWith('[trace] ')).map((l) => `${l.level} ${l.line}`); }
}

describe('JSON-RPC trace (mcpManager.trace) with real servers', function () {
  this.timeout(60_000);
  let manager: ServerManager | undefined;
  let fixture: FixtureServer | undefined;
  let level: TraceLevel = 'off';
  let sink: LeveledSink;
  afterEach(async () => {
    if (manager) { await manager.stopAll(3_000); manager.dispose(); manager = undefined; }
    await fixture?.stop(); fixture = undefined;
  });

  async function run(def: ServerDefinition, resolve = testResolver, shown: LogLevel = 'trace'): Promise<ServerManager> {
    sink = new LeveledSink(shown);
    const redactor = new Redactor();
    manager = new ServerManager({
      prepareStart: launchesFrom(resolve), clientInfo: TEST_CLIENT_INFO, redactor, sinkFor: () => sink, traceLevel: () => level,
      transports: { stdio: stdioTransportFactory({ stdinGraceMs: 150, termGraceMs: 150 }), http: remoteTransportFactory(), sse: remoteTransportFactory() },
    });
    await manager.setDefinitions([def]);
    await manager.start(def.id);
    return manager;
  }

  it('stdio, verbose: one Debug line per message with id, size and elapsed time, and the redacted body at Trace', async () => {
    level = 'verbose';
    const def = stdioDefinition('traced', {}, 'mcpServer.mjs', { FIXTURE_SECRET: SECRET, FIXTURE_SECRET_IN_TOOLS: '1' });
    const m = await run(def);
    await m.callTool(def.id, 'echo', { text: 'hello trace' });
    const lines = sink.trace();
    assert.ok(lines.some((l) => /^debug \[trace\] → request initialize #0 \(\d+ B\)$/.test(l)), lines.join('\n'));
    assert.ok(lines.some((l) => /^debug \[trace\] ← response #0 initialize \(\d+(\.\d)? K?B, \d+ ms\)$/.test(l)));
    assert.ok(lines.some((l) => /^debug \[trace\] → notification notifications\/initialized \(\d+ B\)$/.test(l)));
    assert.ok(lines.some((l) => /^debug \[trace\] ← response #\d+ tools\/list \(.+, \d+ ms\)$/.test(l)));
    const list = lines.find((l) => l.startsWith('trace [trace] ← ') && l.includes('"whoami"'));
    assert.ok(list, 'the tools/list response body is traced');
    assert.ok(list.includes('Signed in with ••••'), 'the secret in the body is masked');
    assert.ok(lines.some((l) => l.startsWith('trace [trace] → ') && l.includes('"hello trace"')), 'the tools/call request body is traced');
    assert.ok(!sink.text().includes(SECRET), 'the secret appears nowhere in the log');
  });

  it('messages: summaries only; off: nothing; a change applies to the running server at once', async () => {
    level = 'off';
    const def = stdioDefinition('live');
    const m = await run(def);
    assert.deepEqual(sink.trace(), [], 'off: no trace');
    level = 'messages';
    await m.callTool(def.id, 'echo', { text: 'now traced' });
    const traced = sink.trace();
    assert.ok(traced.some((l) => /^debug \[trace\] → request tools\/call #\d+ \(\d+ B\)$/.test(l)), traced.join('\n'));
    assert.ok(traced.some((l) => /^debug \[trace\] ← response #\d+ tools\/call \(\d+ B, \d+ ms\)$/.test(l)));
    assert.ok(traced.every((l) => l.startsWith('debug ')), 'no bodies at messages');
    level = 'off';
    const before = sink.trace().length;
    await m.callTool(def.id, 'echo', { text: 'untraced' });
    assert.equal(sink.trace().length, before, 'off again: nothing more');
  });

  it('caps a long body and reports how much was cut; errors name code and message', async () => {
    level = 'verbose';
    const def = stdioDefinition('big');
    const m = await run(def);
    await m.callTool(def.id, 'big', { mib: 0.1 });
    const body = sink.trace().find((l) => l.startsWith('trace [trace] ← ') && l.includes('yyyy'));
    assert.ok(body);
    assert.match(body, /… \(\d+ more characters\)$/);
    assert.ok(body.length < MAX_TRACE_BODY_CHARS + 100);
    await assert.rejects(m.readResource(def.id, 'fixture://missing'));
    assert.ok(sink.trace().some((l) => /^debug \[trace\] ← error #\d+ resources\/read: -?\d+ .*missing.* \(\d+ B, \d+ ms\)$/.test(l)), sink.trace().join('\n'));
  });

  it('a log that hides Debug gets one hint, not trace lines', async () => {
    level = 'messages';
    const def = stdioDefinition('hidden');
    const m = await run(def, testResolver, 'info');
    await m.callTool(def.id, 'echo', { text: 'x' });
    const hints = sink.lines.filter((l) => l.line.includes('mcpManager.trace is "messages"'));
    assert.equal(hints.length, 1);
    assert.equal(hints[0].level, 'info');
    assert.match(hints[0].line, /set its level to Debug/);
    assert.equal(sink.trace().length, 1, 'only the hint');
  });

  for (const mode of ['http', 'sse'] as const) {
    it(`${mode === 'http' ? 'Streamable HTTP' : 'legacy SSE'}: the same trace over the remote transport`, async () => {
      level = 'messages';
      fixture = await startFixture('everythingHttp.mjs', [mode, '0']);
      const url = `http://127.0.0.1:${fixture.port}/${mode === 'http' ? 'mcp' : 'sse'}`;
      const def: ServerDefinition = { id: makeServerId({ kind: 'userSettings' }, mode), name: mode, source: { kind: 'userSettings' }, config: { type: mode, url, headers: {} }, options: { ping: false } };
      const m = await run(def, () => Promise.resolve({ type: mode, url, headers: {} }));
      await m.callTool(def.id, 'echo', { message: 'over the wire' });
      const lines = sink.trace();
      assert.ok(lines.some((l) => /→ request initialize #0/.test(l)), lines.join('\n'));
      assert.ok(lines.some((l) => /← response #0 initialize \(.+, \d+ ms\)/.test(l)));
      assert.ok(lines.some((l) => /← response #\d+ tools\/call \(.+, \d+ ms\)/.test(l)));
    });
  }
});

describe('JsonRpcTrace', () => {
  it('times the server\'s requests to us too, and forgets open requests when the connection ends', () => {
    const sink = new LeveledSink();
    let t = 0;
    const trace = new JsonRpcTrace(sink, new Redactor(), () => 'messages', () => t);
    trace.message('receive', { jsonrpc: '2.0', id: 7, method: 'roots/list' });
    t = 12;
    trace.message('send', { jsonrpc: '2.0', id: 7, result: { roots: [] } });
    assert.deepEqual(sink.trace().map((l) => l.replace(/\(\d+ B/, '(N B')), [
      'debug [trace] ← request roots/list #7 (N B)',
      'debug [trace] → response #7 roots/list (N B, 12 ms)',
    ]);
    trace.message('send', { jsonrpc: '2.0', id: 8, method: 'ping' });
    trace.reset();
    trace.message('receive', { jsonrpc: '2.0', id: 8, result: {} });
    assert.equal(sink.trace().at(-1)?.replace(/\d+ B/, 'N B'), 'debug [trace] ← response #8 (N B)');
  });
});
