import * as assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { EXTENSION_ID } from '../../src/common/contracts';
import type { ServerId } from '../../src/common/serverId';
import type { ServerState } from '../../src/common/serverState';
import type { McpManagerApi } from '../../src/extension';
import { isAlive } from '../shared/process';
import { untilServers } from './helpers';

describe('Supervision through the service in the extension host', () => {
  let api: McpManagerApi;
  let fixture: string;
  const dir = mkdtempSync(join(tmpdir(), 'mcpm-sup-'));
  const pidFile = join(dir, 'alpha.pid');
  const pids = (): number[] => (existsSync(pidFile) ? readFileSync(pidFile, 'utf8').trim().split('\n').map(Number) : []);
  const ALPHA = 'settings:user#sup-alpha' as ServerId;
  const CRASH = 'settings:user#sup-crash' as ServerId;

  function state(id: ServerId): ServerState | undefined { return api.servers.get(id)?.state; }
  const until = (what: string, predicate: () => boolean, timeoutMs?: number): Promise<void> => untilServers(api, what, predicate, timeoutMs);

  before(async () => {
    const ext = vscode.extensions.getExtension<McpManagerApi>(EXTENSION_ID);
    assert.ok(ext);
    api = await ext.activate();
    fixture = join(ext.extensionPath, 'test', 'fixtures', 'servers', 'mcpServer.mjs');
    const config = vscode.workspace.getConfiguration('mcpManager');
    await config.update('serverOptions', { 'sup-crash': { restart: false } }, vscode.ConfigurationTarget.Global);
    await config.update('servers', {
      'sup-alpha': { type: 'stdio', command: 'node', args: [fixture], env: { FIXTURE_PID_FILE: pidFile } },
      'sup-crash': { type: 'stdio', command: 'node', args: [fixture], env: { FIXTURE_CRASH_AT_START: '1' } },
    }, vscode.ConfigurationTarget.Global);
    await until('the servers to appear', () => state(ALPHA)?.kind === 'stopped' && state(CRASH)?.kind === 'stopped');
  });

  after(async () => {
    await vscode.commands.executeCommand('mcpManager.stopServer', ALPHA);
    const config = vscode.workspace.getConfiguration('mcpManager');
    await config.update('servers', undefined, vscode.ConfigurationTarget.Global);
    await config.update('serverOptions', undefined, vscode.ConfigurationTarget.Global);
    for (const pid of pids()) if (isAlive(pid)) process.kill(pid, 'SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  it('starts a server: running, with its process alive', async () => {
    await vscode.commands.executeCommand('mcpManager.startServer', ALPHA);
    await until('alpha to run', () => state(ALPHA)?.kind === 'running');
    const s = state(ALPHA);
    assert.ok(s?.kind === 'running' && s.pid, 'running carries the pid');
    assert.deepEqual(pids(), [s.pid]);
    assert.ok(isAlive(s.pid));
  });

  it('restarts it: a new process, the old one gone', async () => {
    const [first] = pids();
    await vscode.commands.executeCommand('mcpManager.restartServer', ALPHA);
    await until('alpha to run again', () => state(ALPHA)?.kind === 'running' && pids().length === 2);
    const [, second] = pids();
    assert.notEqual(first, second);
    assert.equal(isAlive(first), false, 'the old process is gone');
    assert.ok(isAlive(second));
  });

  it('stops it: stopped, and no process left', async () => {
    await vscode.commands.executeCommand('mcpManager.stopServer', ALPHA);
    await until('alpha to stop', () => state(ALPHA)?.kind === 'stopped');
    for (const pid of pids()) assert.equal(isAlive(pid), false, `pid ${pid} is gone`);
  });

  it('shows a server that crashes at start as failed, with its reason and stderr tail', async () => {
    await vscode.commands.executeCommand('mcpManager.startServer', CRASH);
    await until('the crash to be reported', () => state(CRASH)?.kind === 'failed');
    const s = state(CRASH);
    assert.ok(s?.kind === 'failed');
    assert.match(s.reason, /exit|code 2/i);
    assert.ok(s.stderrTail?.some((l) => l.includes('fatal: cannot start (fixture)')), 'the stderr tail is kept');
  });
});
