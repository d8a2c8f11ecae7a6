import * as assert from 'node:assert/strict';
import { remoteCommands } from '../../src/commands/remoteCommands';
import { serverCommands } from '../../src/commands/serverCommands';
import { pickServer } from '../../src/commands/pickers';
import { UserFacingError } from '../../src/common/errors';
import { toDisposable } from '../../src/common/lifecycle';
import type { ServerSnapshot, ServersModel } from '../../src/common/model';
import { makeServerId } from '../../src/common/serverId';
import { canStart } from '../../src/common/serverPredicates';
import { type ServerStatus, presentedState } from '../../src/common/serverState';

/** pickServer and the lifecycle commands given a server id (as `executeCommand('mcpManager.startServer', id)` does). */
describe('A command given a server id applies only where its picker would offer that server', () => {
  const snapshot = (name: string, status: ServerStatus, transport: ServerSnapshot['transport'] = 'stdio'): ServerSnapshot => ({
    id: makeServerId({ kind: 'workspaceMcpJson', folder: 'app', folderUri: 'file:///w/app' }, name), name, source: { kind: 'workspaceMcpJson', folder: 'app', folderUri: 'file:///w/app' },
    transport, status, state: presentedState(status),
  });
  const blocked = snapshot('blocked', { definition: { kind: 'needsTrust' }, runtime: { kind: 'stopped' } });
  const ready = snapshot('ready', { definition: { kind: 'ok' }, runtime: { kind: 'stopped' } });
  const running = snapshot('running', { definition: { kind: 'ok' }, runtime: { kind: 'running', since: 1 } });
  const all = [blocked, ready, running];
  const model: ServersModel = { onDidChange: () => toDisposable(() => undefined), list: () => all, get: (id) => all.find((s) => s.id === id) };

  it('pickServer refuses an id the filter rejects, saying why, and returns one it accepts without asking', async () => {
    await assert.rejects(pickServer(model, blocked.id, 'Start which server?', canStart, 'start'),
      (e: unknown) => e instanceof UserFacingError && e.message === "Cannot start 'blocked' (needs workspace trust).");
    await assert.rejects(pickServer(model, running.id, 'Start which server?', canStart, 'start'), /Cannot start 'running' \(running\)/);
    assert.equal((await pickServer(model, ready.id, 'Start which server?', canStart, 'start')).id, ready.id);
  });

  it('Start Server with the id of a needsTrust server does not start it', async () => {
    const started: string[] = [];
    const commands = serverCommands({
      servers: { ...model, start: (id) => { started.push(id); return Promise.resolve(); }, stop: () => Promise.resolve(), restart: () => Promise.resolve() },
      showServerLog: () => undefined,
    });
    await assert.rejects(Promise.resolve(commands.startServer(blocked.id)), UserFacingError);
    assert.deepEqual(started, []);
    await commands.startServer(ready.id);
    assert.deepEqual(started, [ready.id]);
  });

  it('Sign In with the id of a needsTrust remote server goes nowhere: no gate, no prompt, no request (review M9)', async () => {
    const remote = snapshot('remote', { definition: { kind: 'needsTrust' }, runtime: { kind: 'stopped' } }, 'http');
    const list = [remote];
    const prepared: string[] = [];
    const signedIn: string[] = [];
    const commands = remoteCommands({
      remote: { signIn: (d) => { signedIn.push(d.id); return Promise.resolve(); }, signOut: () => Promise.resolve(), forgetAll: () => undefined },
      servers: { onDidChange: () => toDisposable(() => undefined), list: () => list, get: (id) => list.find((s) => s.id === id), start: () => Promise.resolve(), stop: () => Promise.resolve(), restart: () => Promise.resolve() },
      config: {
        service: { definition: () => ({ id: remote.id, name: 'remote', source: remote.source, options: {}, config: { type: 'http', url: 'http://127.0.0.1:9/mcp', headers: {} } }) } as never,
        prepareStart: (d) => { prepared.push(d.id); return Promise.resolve({ kind: 'needsTrust' }); },
        forgetStoredData: () => Promise.resolve(),
      },
      secrets: { clearAll: () => Promise.resolve(0) },
      forgetApprovals: () => Promise.resolve(),
      log: { trace: () => undefined, debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined } as never,
    });
    await assert.rejects(Promise.resolve(commands.signIn(remote.id)), (e: unknown) => e instanceof UserFacingError && /Cannot sign in to 'remote' \(needs workspace trust\)/.test(e.message));
    assert.deepEqual([prepared, signedIn], [[], []]);
  });
});
