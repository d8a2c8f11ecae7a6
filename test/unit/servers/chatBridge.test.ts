import * as assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import type { ServerDefinition } from '../../../src/common/config/types';
import { ChatBridge } from '../../../src/servers/chatBridge';
import { ServerManager, launchesFrom, stdioTransportFactory } from '../../../src/servers/serverManager';
import { loadBridgeSdk } from '../../../src/sdkLoader';
import { readFileSync, existsSync } from 'node:fs';
import { isAlive } from '../../shared/process';
import { MemorySink, TEST_CLIENT_INFO, readPids, stdioDefinition, testResolver } from './helpers';

const text = (r: unknown) => ((r as { content: { text?: string }[] }).content[0]?.text);

/** Issue 16: a shared server reaches VS Code's chat through the loopback bridge, answered by the supervised process. */
describe('ChatBridge: the supervised server over a loopback Streamable HTTP endpoint', function () {
  this.timeout(60_000);
  let dir: string;
  let manager: ServerManager;
  let bridge: ChatBridge;
  let sink: MemorySink;
  const clients: Client[] = [];
  let def: ServerDefinition;
  const requests = () => (existsSync(path.join(dir, 'requests')) ? readFileSync(path.join(dir, 'requests'), 'utf8').split('\n').filter(Boolean) : []);

  beforeEach(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'mcpm-chat-'));
    sink = new MemorySink();
    def = stdioDefinition('shared', { restart: false }, 'mcpServer.mjs', {
      FIXTURE_MUTATE_TOOLS: '1', FIXTURE_PID_FILE: path.join(dir, 'pids'), FIXTURE_REQUEST_LOG: path.join(dir, 'requests'),
    });
    manager = new ServerManager({
      prepareStart: launchesFrom(testResolver), clientInfo: TEST_CLIENT_INFO, sinkFor: () => sink,
      transports: { stdio: stdioTransportFactory({ stdinGraceMs: 150, termGraceMs: 150 }) },
    });
    await manager.setDefinitions([def]);
    await manager.start(def.id);
    bridge = new ChatBridge({ manager, loadSdk: loadBridgeSdk, log: () => undefined });
  });

  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close().catch(() => undefined)));
    bridge.dispose();
    await manager.stopAll(3_000);
    manager.dispose();
    for (const pid of readPids(path.join(dir, 'pids'))) assert.equal(isAlive(pid), false, `pid ${pid} outlived its test`);
    rmSync(dir, { recursive: true, force: true });
  });

  async function connect(url: string, headers: Record<string, string> = bridge.headers): Promise<Client> {
    const client = new Client({ name: 'chat', version: '0' });
    clients.push(client);
    await client.connect(new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers } }));
    return client;
  }

  /** A raw POST (an initialize) with the given headers; resolves with the status. */
  function post(url: string, headers: Record<string, string>): Promise<number> {
    return new Promise((resolve, reject) => {
      const body = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 'x', version: '0' } } });
      const req = httpRequest(url, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream', ...headers } }, (res) => { res.resume(); resolve(res.statusCode ?? 0); });
      req.on('error', reject);
      req.end(body);
    });
  }

  it('lists and calls through the supervised session: one process, the call in its log', async () => {
    const url = await bridge.endpoint(def.id);
    assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\/mcp\/[A-Za-z0-9_-]{16}$/);
    assert.equal(await bridge.endpoint(def.id), url, 'one endpoint per server');
    const chat = await connect(url);
    assert.equal(chat.getServerVersion()?.name, 'fixture-server', 'the supervised server\'s identity');
    const { tools } = await chat.listTools();
    assert.ok(tools.some((t) => t.name === 'echo'));
    assert.equal(text(await chat.callTool({ name: 'echo', arguments: { text: 'from chat' } })), 'from chat');
    assert.deepEqual(readPids(path.join(dir, 'pids')).length, 1, 'no second process');
    assert.equal(requests().filter((r) => r === 'tools/call echo').length, 1, 'the call reached the supervised process once');
    assert.ok(sink.has(/\[chat\] tools\/call echo \(from VS Code chat\)/), sink.text());
    assert.ok(!sink.text().includes(bridge.token), 'the bearer is never logged');
  });

  it('refuses a request without the bearer, with another bearer, from a web page, for another host, or for no shared server', async () => {
    const url = await bridge.endpoint(def.id);
    assert.equal(await post(url, {}), 401);
    assert.equal(await post(url, { authorization: `Bearer ${'x'.repeat(bridge.token.length)}` }), 401);
    assert.equal(await post(url, { ...bridge.headers, origin: 'https://evil.example' }), 403);
    assert.equal(await post(url, { ...bridge.headers, host: 'evil.example' }), 403, 'DNS rebinding');
    assert.equal(await post(url.replace(/[^/]+$/, 'nope'), bridge.headers), 404);
    assert.equal(await post(url, bridge.headers), 200);
    bridge.unshare(def.id);
    assert.equal(await post(url, bridge.headers), 404, 'unshared: gone');
  });

  it('a stopped server answers 503; the pinning policy still gates chat\'s calls, as a tool error the model reads', async () => {
    const url = await bridge.endpoint(def.id);
    const chat = await connect(url);
    await chat.callTool({ name: 'mutate', arguments: {} });
    await manager.setDefinitions([{ ...def, options: { ...def.options, pinTools: 'block' } }]);
    for (let i = 0; i < 100 && !manager.getDefinitions(def.id)?.diff.changed.length; i++) await new Promise((r) => setTimeout(r, 20));
    const refused = await chat.callTool({ name: 'echo', arguments: { text: 'x' } });
    assert.equal(refused.isError, true);
    assert.match(text(refused) ?? '', /The tool 'echo' changed since you approved/);
    assert.ok(!requests().includes('tools/call echo'), 'nothing reached the server');
    await manager.stop(def.id);
    assert.equal(await post(url, bridge.headers), 503);
  });
});
