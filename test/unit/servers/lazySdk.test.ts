/**
 * The SDK is loaded at first use (a server start, a remote connection, a sign-in), not at activation. When such a load
 * fails, the operation that needed it fails with an error that says so; nothing crashes and nothing is spawned.
 */
import * as assert from 'node:assert/strict';
import Module from 'node:module';
import { Redactor } from '../../../src/common/redact';
import { RemoteTransport } from '../../../src/remote/httpTransport';
import { RemoteAuth } from '../../../src/remote/oauth/remoteAuth';
import { MemorySecretBackend } from '../../../src/remote/oauth/secretBackend';
import { ServerStartError } from '../../../src/servers/errors';
import { ServerManager, stdioTransportFactory } from '../../../src/servers/serverManager';
import { MemorySink, stdioDefinition, testResolver } from './helpers';

type Load = (request: string, parent: unknown, isMain: boolean) => unknown;
const loader = Module as unknown as { _load: Load };

/** Runs `fn` while requiring `specifier` throws (this build turns `import()` into `require()`). */
async function whileUnloadable<T>(specifier: string, fn: () => Promise<T>): Promise<T> {
  const original = loader._load;
  loader._load = function (request, parent, isMain) {
    if (request === specifier) throw new Error(`simulated: cannot load ${specifier}`);
    return original.call(this, request, parent, isMain);
  };
  try {
    return await fn();
  } finally {
    loader._load = original;
  }
}

describe('Lazily loaded SDK: a failed load is a normal error of the operation that needed it', function () {
  this.timeout(20_000);

  async function startWhileUnloadable(specifier: string): Promise<{ error: unknown; spawned: number[]; sink: MemorySink; manager: ServerManager }> {
    const sink = new MemorySink();
    const spawned: number[] = [];
    const stdio = stdioTransportFactory({ stdinGraceMs: 100, termGraceMs: 100 });
    const manager = new ServerManager({
      resolveLaunch: testResolver, sinkFor: () => sink,
      transports: { stdio: (launch, context) => stdio(launch, { ...context, onProcessSpawned: (pid) => { spawned.push(pid); context.onProcessSpawned?.(pid); } }) },
    });
    const d = stdioDefinition('lazy', { restart: false });
    await manager.setDefinitions([d]);
    const error = await whileUnloadable(specifier, () => manager.start(d.id).then(() => undefined, (err: unknown) => err));
    assert.equal(manager.getState(d.id).kind, 'failed');
    return { error, spawned, sink, manager };
  }

  it('a server start whose SDK client cannot be loaded fails to start, spawning nothing; the next start loads it', async () => {
    const { error, spawned, sink, manager } = await startWhileUnloadable('./clientSdk.js');
    try {
      assert.ok(error instanceof ServerStartError, String(error));
      assert.match(error.message, /failed to start: could not load the MCP client: simulated/);
      assert.deepEqual(spawned, []);
      assert.ok(sink.has(/failed to start: could not load the MCP client: simulated/, 'error'), sink.text());
      const id = manager.list()[0].id;
      await manager.start(id);
      assert.equal(manager.getState(id).kind, 'running');
      assert.equal(spawned.length, 1);
    } finally {
      await manager.stopAll(3_000);
      manager.dispose();
    }
  });

  it('a stdio start whose framing cannot be loaded fails to start, spawning nothing', async () => {
    const { error, spawned, manager } = await startWhileUnloadable('@modelcontextprotocol/sdk/shared/stdio.js');
    try {
      assert.ok(error instanceof ServerStartError, String(error));
      assert.match(error.message, /could not load the MCP SDK's stdio framing: simulated/);
      assert.deepEqual(spawned, []);
    } finally {
      await manager.stopAll(3_000);
      manager.dispose();
    }
  });

  it('a remote connection whose SDK transports cannot be loaded rejects its start', async () => {
    const transport = new RemoteTransport({ type: 'http', url: 'http://127.0.0.1:9/mcp', headers: {} });
    await assert.rejects(
      whileUnloadable('@modelcontextprotocol/sdk/client/streamableHttp.js', () => transport.start()),
      /could not load the MCP SDK's HTTP transports: simulated/,
    );
    await transport.kill();
  });

  it('a sign-in whose OAuth client cannot be loaded fails with that reason', async () => {
    const auth = new RemoteAuth({ secrets: new MemorySecretBackend(), redactor: new Redactor(), log: () => undefined });
    try {
      await assert.rejects(
        whileUnloadable('@modelcontextprotocol/sdk/client/auth.js', () => auth.signIn(
          { serverId: 'userSettings#r', serverName: 'r', url: 'http://127.0.0.1:9/mcp' },
          { redirectUri: 'http://127.0.0.1:9/callback', openBrowser: () => Promise.resolve() },
        )),
        /could not load the MCP SDK's OAuth client: simulated/,
      );
    } finally {
      auth.dispose();
    }
  });
});
