/**
 * The helpers of src/sdk.ts that hide how one SDK version spells an idiom (handlers by method, tools/call, one page
 * of a list, a lost connection), against real servers in child processes: what a switch of src/sdk.ts to another SDK
 * version must keep.
 */
import * as assert from 'node:assert/strict';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { Redactor } from '../../../src/common/redact';
import { makeServerId } from '../../../src/common/serverId';
import { type McpSdk, loadSdk } from '../../../src/sdkLoader';
import { StdioTransport } from '../../../src/servers/stdioTransport';
import { type ManagedTransport, interceptTransport } from '../../../src/servers/transport';
import { until } from '../../shared/wait';
import { MemorySink, fixture, repoRoot } from './helpers';

type Client = InstanceType<McpSdk['Client']>;

describe('src/sdk.ts helpers against real servers', function () {
  this.timeout(30_000);
  let sdk: McpSdk;
  const clients: Client[] = [];
  before(async () => { sdk = await loadSdk(); });
  afterEach(async () => { await Promise.allSettled(clients.splice(0).map((c) => c.close())); });

  /** Our StdioTransport to a fixture, with a Client (roots capability) on it; `sent` is what went on the wire. */
  async function connect(file: string, env: Record<string, string> = {}, register?: (client: Client) => void): Promise<{ client: Client; transport: ManagedTransport; sent: JSONRPCMessage[] }> {
    const inherited = Object.fromEntries(Object.entries(process.env).filter((e): e is [string, string] => e[1] !== undefined));
    const inner = new StdioTransport(
      { type: 'stdio', command: process.execPath, args: [fixture(file)], env: { ...inherited, ...env }, cwd: repoRoot() },
      { serverId: makeServerId({ kind: 'userSettings' }, file), serverName: file, sink: new MemorySink(), redactor: new Redactor() },
      { stdinGraceMs: 500, termGraceMs: 500 },
    );
    const sent: JSONRPCMessage[] = [];
    const transport = interceptTransport(inner, { send: (m) => { sent.push(JSON.parse(JSON.stringify(m)) as JSONRPCMessage); } });
    const client = new sdk.Client({ name: 'seam-test', version: '0' }, { capabilities: { roots: { listChanged: true } } });
    register?.(client);
    await client.connect(transport);
    clients.push(client);
    return { client, transport, sent };
  }

  it('onServerRequest: roots/list is answered by our handler; callTool takes params and options', async () => {
    const roots = [{ uri: 'file:///work/a', name: 'a' }];
    const { client } = await connect('mcpServer.mjs', { FIXTURE_ROOTS_TOOL: '1' }, (c) => sdk.onServerRequest(c, 'roots/list', () => ({ roots })));
    assert.deepEqual((await sdk.callTool(client, { name: 'roots', arguments: {} })).content, [{ type: 'text', text: JSON.stringify({ roots }) }]);
    assert.deepEqual((await sdk.callTool(client, { name: 'echo', arguments: { text: 'hi' } })).content, [{ type: 'text', text: 'hi' }]);
    // The third argument is the request's options (v1's Client takes a result schema in between).
    await assert.rejects(sdk.callTool(client, { name: 'slow', arguments: { ms: 3_000 } }, { timeout: 100 }), (err: unknown) => sdk.isRequestTimeout(err));
  });

  it('onServerNotification: each method reaches its own handler, with the notification', async () => {
    const logs: unknown[] = [];
    const changed: string[] = [];
    const { client } = await connect('mcpServer.mjs', {}, (c) => {
      sdk.onServerNotification(c, 'notifications/message', (n) => { logs.push(n.params); });
      sdk.onServerNotification(c, 'notifications/tools/list_changed', () => { changed.push('tools'); });
      sdk.onServerNotification(c, 'notifications/resources/list_changed', () => { changed.push('resources'); });
      sdk.onServerNotification(c, 'notifications/prompts/list_changed', () => { changed.push('prompts'); });
    });
    await sdk.callTool(client, { name: 'log', arguments: { level: 'warning', text: 'careful' } });
    await until('the log notification', () => logs.length > 0);
    assert.deepEqual(logs, [{ level: 'warning', data: 'careful', logger: 'fixture' }]);
    await sdk.callTool(client, { name: 'addTool', arguments: { name: 'later' } });
    await until('tools/list_changed', () => changed.length > 0);
    assert.deepEqual(changed, ['tools']);
  });

  it('listPage: exactly one page with its nextCursor (never every page); the first request carries no cursor', async () => {
    const { client, sent } = await connect('paginatedServer.mjs'); // pages of 3: 10 tools, 7 resources, 4 templates, 5 prompts
    const first = await sdk.listPage(client, 'tools', undefined);
    assert.deepEqual(first.tools.map((t) => t.name), ['tool0', 'tool1', 'tool2']);
    assert.equal(first.nextCursor, '3');
    const last = await sdk.listPage(client, 'tools', '9', { timeout: 5_000 });
    assert.deepEqual(last.tools.map((t) => t.name), ['tool9']);
    assert.equal(last.nextCursor, undefined);
    const resources = await sdk.listPage(client, 'resources', undefined);
    const templates = await sdk.listPage(client, 'resourceTemplates', '3');
    const prompts = await sdk.listPage(client, 'prompts', undefined);
    assert.deepEqual([resources.resources.length, resources.nextCursor], [3, '3']);
    assert.deepEqual([templates.resourceTemplates.map((t) => t.name), templates.nextCursor], [['t3'], undefined]);
    assert.deepEqual([prompts.prompts.length, prompts.nextCursor], [3, '3']);
    const lists = sent.flatMap((m) => ('method' in m && m.method.endsWith('/list') ? [[m.method, m.params]] : []));
    assert.deepEqual(lists, [
      ['tools/list', {}], ['tools/list', { cursor: '9' }], ['resources/list', {}], ['resources/templates/list', { cursor: '3' }], ['prompts/list', {}],
    ]);
  });

  it('lostConnectionError: the Client rejects the request with it, and isConnectionClosed says so, as for the SDK\'s own closed connection', async () => {
    const { client, transport, sent } = await connect('mcpServer.mjs', { FIXTURE_HANG_CALLS: '1' });
    const call = sdk.callTool(client, { name: 'hang', arguments: {} }).then(() => undefined, (e: unknown) => e);
    const request = await until('the tools/call on the wire', () => sent.find((m) => 'method' in m && m.method === 'tools/call'));
    assert.ok('id' in request);
    // What RemoteTransport does when a connection dropped under a request: the answer comes from the transport.
    transport.onmessage?.({ jsonrpc: '2.0', id: request.id, error: sdk.lostConnectionError('the stream ended') });
    const err = await call;
    assert.ok(sdk.isConnectionClosed(err), String(err));
    assert.match(String(err), /Connection to the server was lost \(the stream ended\); the request did not complete/);
    assert.equal(sdk.isRequestTimeout(err), false);
    const timedOut = await sdk.callTool(client, { name: 'hang', arguments: {} }, { timeout: 50 }).then(() => undefined, (e: unknown) => e);
    assert.ok(sdk.isRequestTimeout(timedOut) && !sdk.isConnectionClosed(timedOut), String(timedOut));
    assert.equal(sdk.isConnectionClosed(new Error('Connection closed')), false);
    // The SDK's own error when the connection closes under a request.
    const died = await sdk.callTool(client, { name: 'die', arguments: {} }).then(() => undefined, (e: unknown) => e);
    assert.ok(sdk.isConnectionClosed(died), String(died));
  });
});
