/**
 * The 2026-07-28 fixtures (test/fixtures/servers/modernServer.mjs over stdio, modernHttpServer.mjs over Streamable
 * HTTP, both on the v2 server SDK) proven with the raw v2 client: `versionNegotiation: { mode: 'auto' }` negotiates
 * 2026-07-28, the surface answers, input_required is fulfilled through the client's registered handlers, list_changed
 * arrives on a subscriptions/listen stream; FIXTURE_LEGACY_ONLY negotiates 2025-11-25, FIXTURE_EXIT_ON_DISCOVER dies on
 * the probe. Real processes, loopback only; every process is gone after each test.
 */
import * as assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio';
import { startFixture, type FixtureServer } from '../remote/helpers';
import { fixture, repoRoot } from './helpers';

const MODERN = '2026-07-28';
const LEGACY = '2025-11-25';

function alive(pid: number): boolean {
  try { process.kill(pid, 0); return true; } catch { return false; }
}

async function waitGone(pids: readonly number[], ms = 5_000): Promise<void> {
  const end = Date.now() + ms;
  while (pids.some(alive) && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
  assert.deepEqual(pids.filter(alive), [], 'fixture processes still alive');
}

const texts = (r: { content?: unknown }): string[] => (r.content as { type: string; text?: string }[]).map((c) => c.text ?? '');

describe('modern fixtures (v2 server SDK, 2026-07-28) with the raw v2 client', function () {
  this.timeout(30_000);
  let dir: string;
  let pidFile: string;
  let clients: Client[];
  let servers: FixtureServer[];
  let elicitations: unknown[];

  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'mcp-modern-'));
    pidFile = path.join(dir, 'pids');
    clients = [];
    servers = [];
    elicitations = [];
  });
  afterEach(async () => {
    await Promise.all(clients.map((c) => c.close().catch(() => undefined)));
    await Promise.all(servers.map((s) => s.stop()));
    const pids = existsSync(pidFile) ? readFileSync(pidFile, 'utf8').split('\n').filter(Boolean).map(Number) : [];
    try { await waitGone(pids); } finally { rmSync(dir, { recursive: true, force: true }); }
  });

  function client(): Client {
    const c = new Client(
      { name: 'modern-fixtures-test', version: '0' },
      { capabilities: { elicitation: { form: {} }, roots: {} }, versionNegotiation: { mode: 'auto', probe: { timeoutMs: 5_000 } } },
    );
    c.setRequestHandler('elicitation/create', (request) => {
      elicitations.push(request.params);
      return Promise.resolve({ action: 'accept', content: { name: 'Ada' } });
    });
    c.setRequestHandler('roots/list', () => Promise.resolve({ roots: [{ uri: 'file:///work', name: 'work' }] }));
    clients.push(c);
    return c;
  }

  function stdio(env: Record<string, string> = {}): StdioClientTransport {
    return new StdioClientTransport({
      command: process.execPath,
      args: [fixture('modernServer.mjs')],
      cwd: repoRoot(),
      env: { ...process.env, FIXTURE_PID_FILE: pidFile, ...env },
      stderr: 'pipe',
    });
  }

  async function http(env: Record<string, string> = {}): Promise<StreamableHTTPClientTransport> {
    const server = await startFixture('../../../fixtures/servers/modernHttpServer.mjs', ['0'], { FIXTURE_PID_FILE: pidFile, ...env });
    servers.push(server);
    return new StreamableHTTPClientTransport(new URL(`http://127.0.0.1:${server.port}/mcp`));
  }

  async function exerciseSurface(c: Client): Promise<void> {
    assert.deepEqual((await c.listTools()).tools.map((t) => t.name).sort(), ['addTool', 'askName', 'cancelled', 'count', 'echo', 'level', 'listRoots', 'wait']);
    assert.deepEqual(texts(await c.callTool({ name: 'echo', arguments: { text: 'hi' } })), ['hi']);
    const prompt = await c.getPrompt({ name: 'greet', arguments: { name: 'Ada' } });
    assert.deepEqual(prompt.messages, [{ role: 'user', content: { type: 'text', text: 'Please greet Ada.' } }]);
    const readme = await c.readResource({ uri: 'fixture://readme' });
    assert.deepEqual(readme.contents, [{ uri: 'fixture://readme', mimeType: 'text/plain', text: 'modern fixture readme' }]);
    const templates = await c.listResourceTemplates();
    assert.deepEqual(templates.resourceTemplates.map((t) => t.uriTemplate), ['fixture://notes/{id}']);
    assert.deepEqual((await c.readResource({ uri: 'fixture://notes/beta' })).contents, [{ uri: 'fixture://notes/beta', mimeType: 'text/plain', text: 'note beta' }]);
    const completion = await c.complete({ ref: { type: 'ref/prompt', name: 'greet' }, argument: { name: 'name', value: 'A' } });
    assert.deepEqual(completion.completion.values, ['Ada', 'Alan']);
  }

  async function exerciseInputRequired(c: Client): Promise<void> {
    assert.deepEqual(texts(await c.callTool({ name: 'askName' })), ['Hello, Ada', 'requestState=ask-name-1']);
    assert.equal(elicitations.length, 1);
    const asked = elicitations[0] as { mode?: string; message: string; requestedSchema: { properties: object; required?: string[] } };
    assert.equal(asked.message, 'What is your name?');
    assert.deepEqual(asked.requestedSchema.properties, { name: { type: 'string' } });
    assert.deepEqual(asked.requestedSchema.required, ['name']);
    assert.deepEqual(JSON.parse(texts(await c.callTool({ name: 'listRoots' }))[0] ?? ''), [{ uri: 'file:///work', name: 'work' }]);
  }

  async function exerciseListChanged(c: Client): Promise<void> {
    let changed = 0;
    c.setNotificationHandler('notifications/tools/list_changed', () => { changed += 1; });
    const sub = await c.listen({ toolsListChanged: true });
    try {
      assert.deepEqual(texts(await c.callTool({ name: 'addTool', arguments: { name: 'extra' } })), ['added extra']);
      const end = Date.now() + 5_000;
      while (changed === 0 && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
      assert.equal(changed, 1, 'notifications/tools/list_changed on the subscriptions/listen stream');
      assert.ok((await c.listTools()).tools.some((t) => t.name === 'extra'));
      assert.deepEqual(texts(await c.callTool({ name: 'extra' })), ['extra called']);
    } finally { await sub.close(); }
  }

  describe('modernServer.mjs (stdio, serveStdio)', () => {
    it('negotiates 2026-07-28 and serves tools, prompt, resource, template, completion', async () => {
      const c = client();
      await c.connect(stdio());
      assert.equal(c.getNegotiatedProtocolVersion(), MODERN);
      await exerciseSurface(c);
    });

    it('input_required: an elicitation form (requestState echoed) and roots/list, answered by the client\'s handlers', async () => {
      const c = client();
      await c.connect(stdio());
      assert.equal(c.getNegotiatedProtocolVersion(), MODERN);
      await exerciseInputRequired(c);
    });

    it('addTool: tools/list_changed on a subscriptions/listen stream', async () => {
      const c = client();
      await c.connect(stdio());
      await exerciseListChanged(c);
    });

    it('also serves a 2025 initialize (client in legacy mode), input_required becoming real server requests', async () => {
      const c = new Client({ name: 'legacy', version: '0' }, { capabilities: { elicitation: { form: {} }, roots: {} } });
      clients.push(c);
      c.setRequestHandler('elicitation/create', () => Promise.resolve({ action: 'accept', content: { name: 'Ada' } }));
      c.setRequestHandler('roots/list', () => Promise.resolve({ roots: [{ uri: 'file:///work', name: 'work' }] }));
      await c.connect(stdio());
      assert.equal(c.getNegotiatedProtocolVersion(), LEGACY);
      assert.deepEqual(texts(await c.callTool({ name: 'askName' })), ['Hello, Ada', 'requestState=ask-name-1']);
    });

    it('FIXTURE_LEGACY_ONLY: auto negotiation falls back to 2025-11-25 (server/discover answered -32601)', async () => {
      const log = path.join(dir, 'requests');
      const c = client();
      await c.connect(stdio({ FIXTURE_LEGACY_ONLY: '1', FIXTURE_REQUEST_LOG: log }));
      assert.equal(c.getNegotiatedProtocolVersion(), LEGACY);
      await exerciseSurface(c);
      await exerciseInputRequired(c);
      // The SDK's own StdioClientTransport probes on a short-lived sibling process, then initializes the real one.
      assert.deepEqual(readFileSync(log, 'utf8').split('\n').slice(0, 2), ['server/discover', 'initialize']);
    });

    it('FIXTURE_EXIT_ON_DISCOVER: the probed process exits; the SDK\'s transport falls back to 2025-11-25 on a fresh one', async () => {
      const c = client();
      await c.connect(stdio({ FIXTURE_EXIT_ON_DISCOVER: '1' }));
      assert.equal(c.getNegotiatedProtocolVersion(), LEGACY);
      const pids = readFileSync(pidFile, 'utf8').split('\n').filter(Boolean).map(Number);
      assert.equal(pids.length, 2, 'probe sibling + session process');
      assert.deepEqual(texts(await c.callTool({ name: 'echo', arguments: { text: 'still here' } })), ['still here']);
    });
  });

  describe('modernHttpServer.mjs (Streamable HTTP, createMcpHandler, 127.0.0.1)', () => {
    it('negotiates 2026-07-28 and serves tools, prompt, resource, template, completion', async () => {
      const c = client();
      await c.connect(await http());
      assert.equal(c.getNegotiatedProtocolVersion(), MODERN);
      await exerciseSurface(c);
    });

    it('input_required: an elicitation form (requestState echoed) and roots/list', async () => {
      const c = client();
      await c.connect(await http());
      await exerciseInputRequired(c);
    });

    it('addTool: tools/list_changed on a subscriptions/listen stream', async () => {
      const c = client();
      await c.connect(await http());
      await exerciseListChanged(c);
    });

    it('FIXTURE_LEGACY_ONLY: auto negotiation falls back to 2025-11-25 (stateless legacy serving)', async () => {
      const c = client();
      await c.connect(await http({ FIXTURE_LEGACY_ONLY: '1' }));
      assert.equal(c.getNegotiatedProtocolVersion(), LEGACY);
      await exerciseSurface(c);
    });
  });
});
