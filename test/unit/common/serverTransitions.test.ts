import * as assert from 'node:assert/strict';
import { type RuntimeEffect, type RuntimeEvent, reduceServerState, transition } from '../../../src/common/serverTransitions';
import { ALL_RUNTIME_STATE_KINDS, type RuntimeState, type RuntimeStateKind } from '../../../src/common/serverState';

/** One sample state of every kind. */
const STATES: Record<RuntimeStateKind, RuntimeState> = {
  stopped: { kind: 'stopped' },
  starting: { kind: 'starting', since: 1, pid: 7 },
  running: { kind: 'running', since: 2, pid: 7, capabilities: { tools: {} } },
  restarting: { kind: 'restarting', attempt: 1, nextTryAt: 10, reason: 'crashed' },
  failed: { kind: 'failed', reason: 'gave up' },
  needsSignIn: { kind: 'needsSignIn', reason: 'not signed in' },
};

const LAUNCH = { type: 'stdio', command: 'node', args: [], env: {}, cwd: '/' } as const;

/** Every event type, and each variant of the events whose payload decides (the gate's answer, the policy's decision). */
const EVENTS = {
  startRequested: { type: 'startRequested', now: 100 },
  restartDue: { type: 'restartDue', now: 100 },
  'prepared:ready': { type: 'prepared', preparation: { kind: 'ready', launch: LAUNCH } },
  'prepared:cancelled': { type: 'prepared', preparation: { kind: 'cancelled' } },
  'prepared:needsTrust': { type: 'prepared', preparation: { kind: 'needsTrust' } },
  'prepared:configError': { type: 'prepared', preparation: { kind: 'configError', reason: 'no folder named x' } },
  startFailed: { type: 'startFailed', reason: 'command not found' },
  spawned: { type: 'spawned', pid: 42 },
  initialized: { type: 'initialized', now: 5, serverInfo: { name: 's', version: '1' } },
  listed: { type: 'listed' },
  'exited:restart': { type: 'exited', now: 100, reason: 'exited with code 1', decision: { action: 'restart', attempt: 2, delayMs: 400 } },
  'exited:giveUp': { type: 'exited', now: 100, reason: 'exited with code 3', decision: { action: 'giveUp', crashes: 6, windowMs: 180_000 } },
  'exited:none': { type: 'exited', now: 100, reason: 'x', decision: { action: 'none' } },
  signInRequired: { type: 'signInRequired', reason: 'token expired' },
  stopRequested: { type: 'stopRequested' },
  stopped: { type: 'stopped' },
} as const satisfies Record<string, RuntimeEvent>;

type EventCase = keyof typeof EVENTS;
/** `=`: the very same state object (the event is ignored, or the state stays until a later event). */
type Expected = readonly [RuntimeStateKind | '=', readonly RuntimeEffect['type'][]];

const IGNORED: Expected = ['=', []];
const CANCEL: Expected = ['=', ['rejectWaiters']];
/** stopped, failed and needsSignIn: nothing runs, nothing is pending. */
const idle = (onStop: Expected): Record<EventCase, Expected> => ({
  startRequested: ['starting', ['resetRestartBudget', 'prepare']],
  restartDue: IGNORED, 'prepared:ready': IGNORED, 'prepared:cancelled': IGNORED, 'prepared:needsTrust': IGNORED, 'prepared:configError': IGNORED,
  startFailed: IGNORED, spawned: IGNORED, initialized: IGNORED, listed: IGNORED,
  'exited:restart': IGNORED, 'exited:giveUp': IGNORED, 'exited:none': IGNORED, signInRequired: IGNORED,
  stopRequested: onStop, stopped: onStop,
});
const crashes = {
  'exited:restart': ['restarting', ['scheduleRestart']],
  'exited:giveUp': ['failed', ['rejectWaiters']],
  'exited:none': ['stopped', ['rejectWaiters']],
} as const satisfies Partial<Record<EventCase, Expected>>;

/** The whole table: every state × every event. */
const TABLE: Record<RuntimeStateKind, Record<EventCase, Expected>> = {
  stopped: idle(CANCEL),
  failed: idle(CANCEL),
  needsSignIn: idle(['stopped', ['rejectWaiters']]),
  starting: {
    startRequested: IGNORED, restartDue: IGNORED,
    'prepared:ready': ['=', ['connect']],
    'prepared:cancelled': ['stopped', ['rejectWaiters']],
    'prepared:needsTrust': ['stopped', ['rejectWaiters']],
    'prepared:configError': ['stopped', ['reportConfigError', 'rejectWaiters']],
    startFailed: ['failed', ['rejectWaiters']],
    spawned: ['starting', []],
    initialized: ['running', ['activate']],
    listed: IGNORED,
    ...crashes,
    signInRequired: ['needsSignIn', ['rejectWaiters']],
    stopRequested: ['=', ['cancelPreparation', 'closeSession']],
    stopped: ['stopped', ['rejectWaiters']],
  },
  running: {
    startRequested: IGNORED, restartDue: IGNORED,
    'prepared:ready': IGNORED, 'prepared:cancelled': IGNORED, 'prepared:needsTrust': IGNORED, 'prepared:configError': IGNORED,
    startFailed: IGNORED, spawned: IGNORED, initialized: IGNORED,
    listed: ['=', ['resolveWaiters']],
    ...crashes,
    signInRequired: ['needsSignIn', ['rejectWaiters']],
    stopRequested: ['=', ['closeSession']],
    stopped: ['stopped', ['rejectWaiters']],
  },
  restarting: {
    startRequested: ['starting', ['cancelRestart', 'resetRestartBudget', 'prepare']],
    restartDue: ['starting', ['prepare']],
    'prepared:ready': IGNORED, 'prepared:cancelled': IGNORED, 'prepared:needsTrust': IGNORED, 'prepared:configError': IGNORED,
    startFailed: IGNORED, spawned: IGNORED, initialized: IGNORED, listed: IGNORED,
    'exited:restart': IGNORED, 'exited:giveUp': IGNORED, 'exited:none': IGNORED, signInRequired: IGNORED,
    stopRequested: ['stopped', ['cancelRestart', 'rejectWaiters']],
    stopped: ['stopped', ['cancelRestart', 'rejectWaiters']],
  },
};

describe('runtime reducer: the full state × event table', () => {
  it('covers every runtime state', () => {
    assert.deepEqual(Object.keys(STATES).sort(), [...ALL_RUNTIME_STATE_KINDS].sort());
    assert.deepEqual(Object.keys(TABLE).sort(), [...ALL_RUNTIME_STATE_KINDS].sort());
  });

  for (const kind of ALL_RUNTIME_STATE_KINDS) {
    for (const eventCase of Object.keys(EVENTS) as EventCase[]) {
      const [next, effects] = TABLE[kind][eventCase];
      it(`${kind} × ${eventCase} → ${next === '=' ? 'unchanged' : next}${effects.length ? ` [${effects.join(', ')}]` : ''}`, () => {
        const state = STATES[kind];
        const t = transition(state, EVENTS[eventCase]);
        if (next === '=') assert.equal(t.state, state, 'the same state object');
        else assert.equal(t.state.kind, next);
        assert.deepEqual(t.effects.map((e) => e.type), effects);
      });
    }
  }
});

describe('runtime reducer: payloads', () => {
  const stopped = STATES.stopped;

  it('walks stopped → starting → starting{pid} → running', () => {
    let s = reduceServerState(stopped, { type: 'startRequested', now: 1 });
    assert.deepEqual(s, { kind: 'starting', since: 1 });
    s = reduceServerState(s, { type: 'spawned', pid: 42 });
    assert.deepEqual(s, { kind: 'starting', since: 1, pid: 42 });
    s = reduceServerState(s, { type: 'initialized', now: 5, serverInfo: { name: 'x', version: '1' }, capabilities: { tools: {} }, instructions: 'hi' });
    assert.deepEqual(s, { kind: 'running', since: 5, pid: 42, serverInfo: { name: 'x', version: '1' }, capabilities: { tools: {} }, instructions: 'hi' });
  });

  it('a crash becomes restarting with the policy delay, or failed with the exit details', () => {
    const running: RuntimeState = { kind: 'running', since: 0, pid: 1 };
    const restart = transition(running, { type: 'exited', now: 100, reason: 'exited with code 1', decision: { action: 'restart', attempt: 2, delayMs: 400 }, exitCode: 1 });
    assert.deepEqual(restart.state, { kind: 'restarting', attempt: 2, nextTryAt: 500, reason: 'exited with code 1' });
    assert.deepEqual(restart.effects, [{ type: 'scheduleRestart', delayMs: 400 }]);
    const failed = transition(running, {
      type: 'exited', now: 100, reason: 'exited with code 3', decision: { action: 'giveUp', crashes: 6, windowMs: 180_000 },
      exitCode: 3, signal: null, stderrTail: ['boom'],
    });
    assert.equal(failed.state.kind, 'failed');
    assert.ok(failed.state.kind === 'failed' && failed.state.reason.includes('6 crashes within 180 s'));
    assert.ok(failed.state.kind === 'failed' && failed.state.exitCode === 3 && failed.state.stderrTail?.[0] === 'boom');
    assert.deepEqual(failed.effects, [{ type: 'rejectWaiters', because: { kind: 'failed', reason: failed.state.kind === 'failed' ? failed.state.reason : '' } }]);
  });

  it('a start that cannot happen says why to the waiting callers', () => {
    const starting = STATES.starting;
    assert.deepEqual(transition(starting, { type: 'startFailed', reason: 'not found' }), {
      state: { kind: 'failed', reason: 'not found' }, effects: [{ type: 'rejectWaiters', because: { kind: 'failed', reason: 'not found' } }],
    });
    assert.deepEqual(transition(starting, EVENTS['prepared:configError']).effects, [
      { type: 'reportConfigError', reason: 'no folder named x' }, { type: 'rejectWaiters', because: { kind: 'configError', reason: 'no folder named x' } },
    ]);
    assert.deepEqual(transition(starting, EVENTS['prepared:needsTrust']).effects, [{ type: 'rejectWaiters', because: { kind: 'needsTrust' } }]);
    assert.deepEqual(transition(starting, EVENTS.signInRequired), {
      state: { kind: 'needsSignIn', reason: 'token expired' }, effects: [{ type: 'rejectWaiters', because: { kind: 'signInRequired', reason: 'token expired' } }],
    });
    assert.deepEqual(transition(starting, EVENTS['prepared:ready']).effects, [{ type: 'connect', launch: LAUNCH }]);
  });

  it('startFailed applies only while starting; a stop ends every live state, and a failed server stays failed', () => {
    for (const kind of ALL_RUNTIME_STATE_KINDS) {
      const after = reduceServerState(STATES[kind], { type: 'startFailed', reason: 'x' });
      assert.equal(after.kind === 'failed' && after.reason === 'x', kind === 'starting', kind);
      const stopped = reduceServerState(STATES[kind], { type: 'stopped' });
      assert.equal(stopped.kind, kind === 'failed' ? 'failed' : 'stopped', kind);
    }
  });

  it('ignores late events from an old process', () => {
    for (const event of [EVENTS.spawned, EVENTS.initialized, EVENTS['exited:restart'], EVENTS.listed, EVENTS.signInRequired]) {
      assert.deepEqual(transition(stopped, event), { state: stopped, effects: [] });
    }
  });
});
