/**
 * The SDK (src/sdk.ts, dist/sdk.js in the package) is loaded at first use: a server start, a remote connection, a
 * sign-in. When it cannot be loaded, the operation that needed it fails with an error that says so; nothing crashes
 * and nothing is spawned.
 */
import * as assert from 'node:assert/strict';
import Module from 'node:module';
import { Redactor } from '../../../src/common/redact';
import { makeServerId } from '../../../src/common/serverId';
import { RemoteTransport } from '../../../src/remote/httpTransport';
import { RemoteAuth } from '../../../src/remote/oauth/remoteAuth';
import { MemorySecretBackend } from '../../../src/remote/oauth/secretBackend';
import { ServerStartError } from '../../../src/servers/errors';
import { ServerManager, launchesFrom, stdioTransportFactory } from '../../../src/servers/serverManager';
import { StdioTransport } from '../../../src/servers/stdioTransport';
import { MemorySink, TEST_CLIENT_INFO, stdioDefinition, testResolver } from './helpers';

type Load = (request: string, parent: unknown, isMain: boolean) => unknown;
const loader = Module as unknown as { _load: Load };
const UNLOADABLE = /could not load the MCP SDK: simulated/;

/** Runs `fn` while the SDK cannot be loaded (this build turns loadSdk()'s `import('./sdk.js')` into a require). */
async function whileSdkUnloadable<T>(fn: () => Promise<T>): Promise<T> {
  const original = loader._load;
  loader._load = function (request, parent, isMain) {
    if (request === './sdk.js') throw new Error('simulated');
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

  it('a server start fails to start, spawning nothing; the next start loads the SDK and runs', async () => {
    const sink = new MemorySink();
    const spawned: number[] = [];
    const stdio = stdioTransportFactory({ stdinGraceMs: 100, termGraceMs: 100 });
    const manager = new ServerManager({
      prepareStart: launchesFrom(testResolver), clientInfo: TEST_CLIENT_INFO, sinkFor: () => sink,
      transports: { stdio: (launch, context) => stdio(launch, { ...context, onProcessSpawned: (pid) => { spawned.push(pid); context.onProcessSpawned?.(pid); } }) },
    });
    try {
      const d = stdioDefinition('lazy', { restart: false });
      await manager.setDefinitions([d]);
      const error = await whileSdkUnloadable(() => manager.start(d.id).then(() => undefined, (err: unknown) => err));
      assert.ok(error instanceof ServerStartError, String(error));
      assert.match(error.message, /could not load the MCP SDK: simulated/);
      assert.equal(manager.getState(d.id).kind, 'failed');
      assert.ok(sink.has(UNLOADABLE, 'error'), sink.text());
      assert.deepEqual(spawned, []);
      await manager.start(d.id);
      assert.equal(manager.getState(d.id).kind, 'running');
      assert.equal(spawned.length, 1);
    } finally {
      await manager.stopAll(3_000);
      manager.dispose();
    }
  });

  it('a stdio transport rejects its start, spawning nothing', async () => {
    const spawned: number[] = [];
    const transport = new StdioTransport(
      { type: 'stdio', command: process.execPath, args: ['-e', 'setTimeout(() => {}, 60000)'], env: {}, cwd: process.cwd() },
      { serverId: makeServerId({ kind: 'userSettings' }, 's'), serverName: 's', sink: new MemorySink(), redactor: new Redactor(), onProcessSpawned: (pid) => spawned.push(pid) },
    );
    await assert.rejects(whileSdkUnloadable(() => transport.start()), UNLOADABLE);
    assert.equal(transport.pid, undefined);
    assert.deepEqual(spawned, []);
  });

  it('a remote transport rejects its start', async () => {
    const transport = new RemoteTransport({ type: 'http', url: 'http://127.0.0.1:9/mcp', headers: {} });
    await assert.rejects(whileSdkUnloadable(() => transport.start()), UNLOADABLE);
    await transport.kill();
  });

  it('a sign-in fails with that reason', async () => {
    const auth = new RemoteAuth({ secrets: new MemorySecretBackend(), redactor: new Redactor(), log: () => undefined });
    try {
      await assert.rejects(whileSdkUnloadable(() => auth.signIn(
        { serverId: 'userSettings#r', serverName: 'r', secretId: 'userSettings#r', url: 'http://127.0.0.1:9/mcp', adoptLegacyBinding: true },
        { redirectUri: 'http://127.0.0.1:9/callback', openBrowser: () => Promise.resolve() },
      )), UNLOADABLE);
    } finally {
      auth.dispose();
    }
  });
});
