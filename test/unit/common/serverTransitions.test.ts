import * as assert from 'node:assert/strict';
import { reduceServerState } from '../../../src/common/serverTransitions';
import type { ServerState } from '../../../src/common/serverState';

describe('reduceServerState', () => {
  const stopped: ServerState = { kind: 'stopped' };

  it('walks stopped → starting → starting{pid} → running', () => {
    let s = reduceServerState(stopped, { type: 'startRequested', now: 1 });
    assert.deepEqual(s, { kind: 'starting', since: 1 });
    s = reduceServerState(s, { type: 'spawned', pid: 42 });
    assert.deepEqual(s, { kind: 'starting', since: 1, pid: 42 });
    s = reduceServerState(s, { type: 'initialized', now: 5, serverInfo: { name: 'x', version: '1' }, capabilities: { tools: {} }, instructions: 'hi' });
    assert.deepEqual(s, { kind: 'running', since: 5, pid: 42, serverInfo: { name: 'x', version: '1' }, capabilities: { tools: {} }, instructions: 'hi' });
  });

  it('a crash becomes restarting with the policy delay, or failed with the exit details', () => {
    const running: ServerState = { kind: 'running', since: 0, pid: 1 };
    assert.deepEqual(
      reduceServerState(running, { type: 'exited', now: 100, reason: 'exited with code 1', decision: { action: 'restart', attempt: 2, delayMs: 400 }, exitCode: 1 }),
      { kind: 'restarting', attempt: 2, nextTryAt: 500, reason: 'exited with code 1' });
    const failed = reduceServerState(running, {
      type: 'exited', now: 100, reason: 'exited with code 3', decision: { action: 'giveUp', crashes: 6, windowMs: 180_000 },
      exitCode: 3, signal: null, stderrTail: ['boom'],
    });
    assert.equal(failed.kind, 'failed');
    assert.ok(failed.kind === 'failed' && failed.reason.includes('6 crashes within 180 s'));
    assert.ok(failed.kind === 'failed' && failed.exitCode === 3 && failed.stderrTail?.[0] === 'boom');
  });

  it('ignores late events from an old process', () => {
    assert.deepEqual(reduceServerState(stopped, { type: 'spawned', pid: 3 }), stopped);
    assert.deepEqual(reduceServerState(stopped, { type: 'initialized', now: 1 }), stopped);
    assert.deepEqual(reduceServerState(stopped, { type: 'exited', now: 1, reason: 'x', decision: { action: 'restart', attempt: 1, delayMs: 1 } }), stopped);
  });

  it('startFailed and stopped are terminal', () => {
    assert.deepEqual(reduceServerState({ kind: 'starting', since: 0 }, { type: 'startFailed', reason: 'not found' }), { kind: 'failed', reason: 'not found' });
    assert.deepEqual(reduceServerState({ kind: 'restarting', attempt: 1, nextTryAt: 0, reason: '' }, { type: 'stopped' }), stopped);
  });
});
