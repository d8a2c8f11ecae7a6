import * as assert from 'node:assert/strict';
import { type Server, createServer } from 'node:http';
import { Client } from '@modelcontextprotocol/client';
import { RemoteTransport, TransportMemory, remoteTransportFactory } from '../../../src/remote/httpTransport';
import { Redactor } from '../../../src/common/redact';
import { makeServerId } from '../../../src/common/serverId';
import { ServerManager, launchesFrom } from '../../../src/servers/serverManager';
import { loadSdk } from '../../../src/sdkLoader';
import type { ServerDefinition } from '../../../src/common/config/types';
import { until } from '../../shared/wait';
import { MemorySink, startFixture, type FixtureServer } from './helpers';
import { TEST_CLIENT_INFO } from '../servers/helpers';

const FAST = { baseDelayMs: 100, maxDelayMs: 500, maxAttempts: 20 };

async function connect(transport: RemoteTransport): Promise<Client> {
  const client = new Client({ name: 'remote-test', version: '0' }, { capabilities: {} });
  await client.connect(transport);
  return client;
}

describe('remote transport against server-everything (127.0.0.1)', function () {
  this.timeout(60_000);
  const servers: FixtureServer[] = [];
  const clients: Client[] = [];
  afterEach(async () => {
    await Promise.allSettled(clients.splice(0).map((c) => c.close()));
    await Promise.allSettled(servers.splice(0).map((s) => s.stop()));
  });

  async function fixture(mode: 'http' | 'sse', port = 0): Promise<FixtureServer> {
    const s = await startFixture('everythingHttp.mjs', [mode, String(port)]);
    servers.push(s);
    return s;
  }

  it('Streamable HTTP: initialize, list and call; keeps the session id; DELETEs it on close', async () => {
    const s = await fixture('http');
    const t = new RemoteTransport({ type: 'http', url: `http://127.0.0.1:${s.port}/mcp`, headers: {} });
    const client = await connect(t);
    assert.equal(t.currentKind, 'http');
    const sid = t.sessionId;
    assert.ok(sid, 'session id kept');
    const tools = await client.listTools();
    assert.ok(tools.tools.some((x) => x.name === 'echo'));
    const r = await client.callTool({ name: 'echo', arguments: { message: 'hi' } });
    assert.match(JSON.stringify(r.content), /hi/);
    await client.close();
    await until('DELETE of the session', () => s.lines.includes(`DELETE ${sid}`), { timeoutMs: 5_000 });
    assert.equal(t.exit?.requested, true);
  });

  it('SSE: initialize, list and call', async () => {
    const s = await fixture('sse');
    const t = new RemoteTransport({ type: 'sse', url: `http://127.0.0.1:${s.port}/sse`, headers: {} });
    const client = await connect(t);
    clients.push(client);
    assert.equal(t.currentKind, 'sse');
    const prompts = await client.listPrompts();
    assert.ok(prompts.prompts.length > 0);
    const r = await client.callTool({ name: 'get-sum', arguments: { a: 2, b: 3 } });
    assert.match(JSON.stringify(r.content), /5/);
  });

  it('type http against an SSE-only server falls back to SSE and remembers it', async () => {
    const s = await fixture('sse');
    const memory = new TransportMemory();
    const launch = { type: 'http' as const, url: `http://127.0.0.1:${s.port}/sse`, headers: {} };
    const t = new RemoteTransport(launch, { memory, serverId: 'srv' });
    const client = await connect(t);
    clients.push(client);
    assert.equal(t.currentKind, 'sse');
    assert.ok((await client.listTools()).tools.length > 0);
    assert.equal(memory.get('srv', launch.url), 'sse');
    const again = new RemoteTransport(launch, { memory, serverId: 'srv' });
    assert.equal(again.currentKind, 'sse', 'the next connection goes straight to SSE');
  });

  it('a server restart mid-session re-initializes transparently; an in-flight request fails clearly', async () => {
    const s1 = await fixture('http');
    const port = s1.port;
    const t = new RemoteTransport({ type: 'http', url: `http://127.0.0.1:${port}/mcp`, headers: {} }, { recovery: FAST });
    const client = await connect(t);
    clients.push(client);
    const firstSession = t.sessionId;
    const inFlight = client.callTool({ name: 'trigger-long-running-operation', arguments: { duration: 20, steps: 20 } }, { timeout: 30_000 });
    const failed = inFlight.then(() => undefined, (e: unknown) => e);
    await new Promise((r) => setTimeout(r, 500));
    const t0 = Date.now();
    await s1.stop();
    const err = await failed;
    assert.ok((await loadSdk()).isConnectionClosed(err), `in-flight request failed with ConnectionClosed: ${String(err)}`);
    assert.match(String(err), /Connection to the server was lost \(.+\); the request did not complete/);
    assert.ok(Date.now() - t0 < 5_000, 'failed promptly, did not hang');
    await fixture('http', port);
    const r = await client.callTool({ name: 'echo', arguments: { message: 'back' } });
    assert.match(JSON.stringify(r.content), /back/);
    assert.notEqual(t.sessionId, firstSession, 'a new session');
  });

  it('404 session-not-found re-initializes and retries the request', async () => {
    const s1 = await fixture('http');
    const port = s1.port;
    const t = new RemoteTransport({ type: 'http', url: `http://127.0.0.1:${port}/mcp`, headers: {} }, { recovery: FAST });
    const client = await connect(t);
    clients.push(client);
    await s1.stop();
    await fixture('http', port); // fresh process: the old session is unknown → 404
    const r = await client.listTools();
    assert.ok(r.tools.length > 0);
  });

  it('gives up after its recovery budget and closes (the supervisor takes over)', async () => {
    const s1 = await fixture('http');
    const t = new RemoteTransport({ type: 'http', url: `http://127.0.0.1:${s1.port}/mcp`, headers: {} }, { recovery: { baseDelayMs: 20, maxDelayMs: 40, maxAttempts: 3 } });
    const client = await connect(t);
    clients.push(client);
    let closed = false;
    client.onclose = () => { closed = true; };
    await s1.stop();
    await assert.rejects(client.listTools());
    await until('close', () => closed, { timeoutMs: 5_000 });
    assert.equal(t.exit?.requested, false);
  });

  it('plugs into ServerManager as the http TransportFactory', async () => {
    const s = await fixture('http');
    const redactor = new Redactor();
    const id = makeServerId({ kind: 'userSettings' }, 'remote');
    const def: ServerDefinition = {
      id, name: 'remote', source: { kind: 'userSettings' },
      config: { type: 'http', url: `http://127.0.0.1:${s.port}/mcp`, headers: { 'X-Api-Key': 'sekret-value' } }, options: { ping: false },
    };
    const sink = new MemorySink();
    const manager = new ServerManager({
      clientInfo: TEST_CLIENT_INFO,
      prepareStart: launchesFrom(() => Promise.resolve({ type: 'http', url: `http://127.0.0.1:${s.port}/mcp`, headers: { 'X-Api-Key': 'sekret-value' } })),
      transports: { http: remoteTransportFactory(), sse: remoteTransportFactory() },
      sinkFor: () => sink, redactor,
    });
    try {
      await manager.setDefinitions([def]);
      await manager.start(id);
      assert.equal(manager.getState(id).kind, 'running');
      assert.ok(manager.getCatalog(id).tools.length > 0);
      const r = await manager.callTool(id, 'echo', { message: 'via manager' });
      assert.match(JSON.stringify(r.content), /via manager/);
      await manager.stop(id);
      assert.equal(manager.getState(id).kind, 'stopped');
      assert.ok(!sink.lines.join('\n').includes('sekret-value'), 'header value never logged');
    } finally {
      await manager.stopAll();
      manager.dispose();
    }
  });

  it('an error status mid-session is said with its status, and the session goes on (fault matrix: HTTP 500 on a call)', async () => {
    const s = await startFixture('../../../fixtures/servers/httpFaultServer.mjs', ['0']);
    const url = `http://127.0.0.1:${s.port}/mcp`;
    const id = makeServerId({ kind: 'userSettings' }, 'faulty');
    const manager = new ServerManager({
      clientInfo: TEST_CLIENT_INFO, prepareStart: launchesFrom(() => Promise.resolve({ type: 'http', url, headers: {} })),
      transports: { http: remoteTransportFactory(), sse: remoteTransportFactory() }, redactor: new Redactor(),
    });
    try {
      await manager.setDefinitions([{ id, name: 'faulty', source: { kind: 'userSettings' }, config: { type: 'http', url, headers: {} }, options: { ping: false, restart: false } }]);
      await manager.start(id);
      const err = await manager.callTool(id, 'boom', {}).then(() => undefined, (e: unknown) => e);
      assert.ok(err instanceof Error);
      assert.match(err.message, /The server answered HTTP 500 Internal Server Error: the server had an internal error/);
      assert.match(JSON.stringify((await manager.callTool(id, 'echo', { text: 'still here' })).content), /still here/);
      assert.equal(manager.getState(id).kind, 'running');
    } finally {
      await manager.stopAll();
      manager.dispose();
      await s.stop();
    }
  });

  describe('an HTTP server that answers with an error status at connect', () => {
    let http: Server;
    let port = 0;
    const status = { code: 500 };
    before(async () => {
      http = createServer((req, res) => {
        req.resume();
        res.writeHead(status.code, { 'content-type': 'text/html' }).end('<html><body><h1>Nope</h1>\n\n<p>go away</p></body></html>');
      });
      await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
      port = (http.address() as { port: number }).port;
    });
    after(async () => { http.closeAllConnections(); await new Promise<void>((r) => http.close(() => r())); });

    const expected: Record<number, RegExp> = {
      401: /^The server answered HTTP 401 Unauthorized: check its API key or token \(Set Secret\.\.\.\), or sign in if it uses OAuth\./,
      // 404 at initialize falls back to SSE, whose GET gets 404 too.
      404: /^The server answered HTTP 404 Not Found to Streamable HTTP and to SSE: check the URL\./,
      500: /^The server answered HTTP 500 Internal Server Error: the server had an internal error/,
    };
    it('a refused connection: the start fails with a reason that says so (not fetch\'s "fetch failed")', async () => {
      const closed = createServer();
      await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
      const deadPort = (closed.address() as { port: number }).port;
      await new Promise<void>((r) => closed.close(() => r()));
      const id = makeServerId({ kind: 'userSettings' }, 'refused');
      const url = `http://127.0.0.1:${deadPort}/mcp`;
      const manager = new ServerManager({
        clientInfo: TEST_CLIENT_INFO,
        prepareStart: launchesFrom(() => Promise.resolve({ type: 'http', url, headers: {} })),
        transports: { http: remoteTransportFactory(), sse: remoteTransportFactory() }, redactor: new Redactor(),
      });
      try {
        await manager.setDefinitions([{ id, name: 'refused', source: { kind: 'userSettings' }, config: { type: 'http', url, headers: {} }, options: { ping: false, restart: false } }]);
        const err = await manager.start(id).then(() => undefined, (e: unknown) => e);
        const state = manager.getState(id);
        assert.ok(err instanceof Error && state.kind === 'failed', JSON.stringify(state));
        assert.match(state.reason, new RegExp(`^Could not reach the server: nothing is listening there; is the server running\\? \\(connect ECONNREFUSED 127\\.0\\.0\\.1:${deadPort}\\)$`));
        assert.ok(err.message.includes(state.reason), err.message);
      } finally {
        await manager.stopAll();
        manager.dispose();
      }
    });

    for (const code of [401, 404, 500]) {
      it(`${code}: the start fails with a plain reason (status, what to check), and no header value anywhere`, async () => {
        status.code = code;
        const id = makeServerId({ kind: 'userSettings' }, `status-${code}`);
        const url = `http://127.0.0.1:${port}/mcp`;
        const headers = { Authorization: 'Bearer sekret-token-value' };
        const def: ServerDefinition = { id, name: `status-${code}`, source: { kind: 'userSettings' }, config: { type: 'http', url, headers }, options: { ping: false, restart: false } };
        const sink = new MemorySink();
        const redactor = new Redactor();
        const manager = new ServerManager({
          clientInfo: TEST_CLIENT_INFO,
          prepareStart: launchesFrom(() => Promise.resolve({ type: 'http', url, headers })),
          transports: { http: remoteTransportFactory(), sse: remoteTransportFactory() }, sinkFor: () => sink, redactor,
        });
        try {
          await manager.setDefinitions([def]);
          const err = await manager.start(id).then(() => undefined, (e: unknown) => e);
          assert.ok(err instanceof Error, 'the start is rejected');
          const state = manager.getState(id);
          assert.equal(state.kind, 'failed', JSON.stringify(state));
          const reason = state.kind === 'failed' ? state.reason : '';
          assert.match(reason, expected[code], 'the state says what happened and what to check');
          assert.ok(err.message.includes(reason), `the command's error says the same: ${err.message}`);
          assert.ok(!`${reason} ${err.message} ${sink.lines.join('\n')}`.includes('sekret-token-value'), 'the header value is nowhere');
        } finally {
          await manager.stopAll();
          manager.dispose();
        }
      });
    }
  });

  describe('failure texts are redacted where they are made (review M2, P9)', () => {
    const KEY = 'sk-live-ABCDEF0123456789';
    let http: Server;
    let port = 0;
    before(async () => {
      // Echoes the key in a long error body, so that it crosses the error's 200-character excerpt.
      http = createServer((req, res) => { req.resume(); res.writeHead(500).end(`${'x'.repeat(120)} upstream rejected key ${KEY} (request logged)`); });
      await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
      port = (http.address() as { port: number }).port;
    });
    after(async () => { http.closeAllConnections(); await new Promise<void>((r) => http.close(() => r())); });

    async function failedStart(url: string, redactor: Redactor): Promise<{ reason: string; error: string; log: string }> {
      const id = makeServerId({ kind: 'userSettings' }, 'p9');
      const sink = new MemorySink();
      const manager = new ServerManager({
        clientInfo: TEST_CLIENT_INFO,
        prepareStart: launchesFrom(() => Promise.resolve({ type: 'http', url, headers: {} })),
        transports: { http: remoteTransportFactory(), sse: remoteTransportFactory() }, sinkFor: () => sink, redactor,
      });
      try {
        await manager.setDefinitions([{ id, name: 'p9', source: { kind: 'userSettings' }, config: { type: 'http', url, headers: {} }, options: { ping: false, restart: false } }]);
        const err = await manager.start(id).then(() => undefined, (e: unknown) => e);
        const state = manager.getState(id);
        assert.ok(err instanceof Error && state.kind === 'failed', JSON.stringify(state));
        return { reason: state.reason, error: err.message, log: sink.lines.join('\n') };
      } finally {
        await manager.stopAll();
        manager.dispose();
      }
    }

    it('an error body that echoes a registered key: state.reason and the start error show no part of it', async () => {
      const redactor = new Redactor();
      redactor.add(KEY);
      const r = await failedStart(`http://127.0.0.1:${port}/mcp`, redactor);
      assert.match(r.reason, /HTTP 500 .*upstream rejected key ••••/);
      for (const text of [r.reason, r.error, r.log]) assert.ok(!text.includes(KEY.slice(0, 6)), text);
    });

    it('a URL with userinfo: state.reason does not show the password', async () => {
      const r = await failedStart(`http://me:s3cr3t-PASSWORD@127.0.0.1:${port}/mcp`, new Redactor());
      for (const text of [r.reason, r.error, r.log]) assert.ok(!text.includes('s3cr3t-PASSWORD'), text);
    });
  });
});
