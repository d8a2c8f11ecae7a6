/**
 * src/sdk.ts `httpStatusOf`: the HTTP status of the SDK's transport errors, read from real answers of the HTTP fault
 * fixture on 127.0.0.1 (RemoteTransport's fallback, session-gone and error texts depend on it).
 */
import * as assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { type McpSdk, loadSdk } from '../../../src/sdkLoader';
import { startFixture, type FixtureServer } from './helpers';

describe('httpStatusOf against the HTTP fault fixture (127.0.0.1)', function () {
  this.timeout(30_000);
  let sdk: McpSdk;
  let server: FixtureServer;
  let base: string;
  before(async () => {
    sdk = await loadSdk();
    server = await startFixture('../../../fixtures/servers/httpFaultServer.mjs', ['0']);
    base = `http://127.0.0.1:${server.port}`;
  });
  after(async () => { await server.stop(); });

  const client = (): InstanceType<McpSdk['Client']> => new sdk.Client({ name: 'status-test', version: '0' }, { capabilities: {} });
  const failure = (p: Promise<unknown>): Promise<unknown> => p.then(() => assert.fail('expected a failure'), (e: unknown) => e);

  it('Streamable HTTP: 404 to the initialize POST, 500 to a call mid-session', async () => {
    const wrongPath = await failure(client().connect(new sdk.StreamableHTTPClientTransport(new URL(`${base}/nope`))));
    assert.equal(sdk.httpStatusOf(wrongPath), 404, String(wrongPath));
    const c = client();
    await c.connect(new sdk.StreamableHTTPClientTransport(new URL(`${base}/mcp`)));
    try {
      const boom = await failure(sdk.callTool(c, { name: 'boom', arguments: {} }));
      assert.equal(sdk.httpStatusOf(boom), 500, String(boom));
      assert.deepEqual((await sdk.callTool(c, { name: 'echo', arguments: { text: 'ok' } })).content, [{ type: 'text', text: 'ok' }]);
    } finally { await c.close(); }
  });

  it('SSE: the stream\'s GET answered 400', async () => {
    const t = new sdk.SSEClientTransport(new URL(`${base}/mcp`));
    const err = await failure(t.start());
    await t.close();
    assert.equal(sdk.httpStatusOf(err), 400, String(err));
  });

  it('no status: a refused connection, a JSON-RPC error, anything else with a numeric code', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const deadPort = (closed.address() as { port: number }).port;
    await new Promise<void>((r) => closed.close(() => r()));
    const refused = await failure(client().connect(new sdk.StreamableHTTPClientTransport(new URL(`http://127.0.0.1:${deadPort}/mcp`))));
    assert.equal(sdk.httpStatusOf(refused), undefined, String(refused));
    const c = client();
    await c.connect(new sdk.StreamableHTTPClientTransport(new URL(`${base}/mcp`)));
    try {
      const rpc = await failure(c.getPrompt({ name: 'none' })); // the server has no prompts: a JSON-RPC error, HTTP 200
      assert.equal(sdk.httpStatusOf(rpc), undefined, String(rpc));
    } finally { await c.close(); }
    assert.equal(sdk.httpStatusOf(Object.assign(new Error('not the SDK\'s'), { code: 404 })), undefined);
    assert.equal(sdk.httpStatusOf(undefined), undefined);
  });
});
