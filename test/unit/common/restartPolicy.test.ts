import * as assert from 'node:assert/strict';
import * as fc from 'fast-check';
import {
  DEFAULT_MAX_RESTARTS, DEFAULT_RESTART_WINDOW_MS, RESTART_BACKOFF_BASE_MS, RESTART_BACKOFF_MAX_MS,
  RestartPolicy, backoffDelayMs, resolveRestartPolicy,
} from '../../../src/common/restartPolicy';

describe('RestartPolicy', () => {
  it('uses the documented defaults', () => {
    assert.deepEqual(resolveRestartPolicy(undefined), {
      enabled: true, maxRestarts: DEFAULT_MAX_RESTARTS, windowMs: DEFAULT_RESTART_WINDOW_MS,
      backoffBaseMs: RESTART_BACKOFF_BASE_MS, backoffMaxMs: RESTART_BACKOFF_MAX_MS,
    });
    assert.equal(DEFAULT_MAX_RESTARTS, 5);
    assert.equal(DEFAULT_RESTART_WINDOW_MS, 180_000);
  });

  it('never restarts an exit the user asked for, and does not count it', () => {
    const p = new RestartPolicy(undefined, () => 0);
    for (let i = 0; i < 20; i++) assert.deepEqual(p.onExit('requested', i), { action: 'none' });
    assert.equal(p.crashCount(20), 0);
  });

  it('restarts up to maxRestarts crashes in the window, then gives up on the next', () => {
    const p = new RestartPolicy(undefined, () => 0);
    for (let i = 1; i <= 5; i++) {
      const d = p.onExit('unexpected', i * 1000);
      assert.equal(d.action, 'restart');
      assert.equal(d.action === 'restart' && d.attempt, i);
    }
    assert.deepEqual(p.onExit('unexpected', 6000), { action: 'giveUp', crashes: 6, windowMs: 180_000 });
  });

  it('forgets crashes older than the window', () => {
    const p = new RestartPolicy({ maxRestarts: 2, windowMs: 10_000 }, () => 0);
    assert.equal(p.onExit('unexpected', 0).action, 'restart');
    assert.equal(p.onExit('unexpected', 1_000).action, 'restart');
    // 11 s later the first two have left the window.
    const d = p.onExit('unexpected', 12_000);
    assert.equal(d.action, 'restart');
    assert.equal(d.action === 'restart' && d.attempt, 1);
  });

  it('reset() (an explicit start) gives a fresh budget', () => {
    const p = new RestartPolicy({ maxRestarts: 1 }, () => 0);
    p.onExit('unexpected', 0);
    assert.equal(p.onExit('unexpected', 1).action, 'giveUp');
    p.reset();
    assert.equal(p.onExit('unexpected', 2).action, 'restart');
  });

  it('restart: false never restarts', () => {
    const p = new RestartPolicy(false, () => 0);
    assert.equal(p.onExit('unexpected', 0).action, 'giveUp');
  });

  it('backs off exponentially with jitter from the injected random source', () => {
    const p = new RestartPolicy({ backoffBaseMs: 100, backoffMaxMs: 10_000, maxRestarts: 10 }, () => 1);
    const delays = [1, 2, 3, 4].map((i) => { const d = p.onExit('unexpected', i); return d.action === 'restart' ? d.delayMs : -1; });
    assert.deepEqual(delays, [100, 200, 400, 800]);
    const q = new RestartPolicy({ backoffBaseMs: 100, backoffMaxMs: 10_000 }, () => 0);
    const d = q.onExit('unexpected', 0);
    assert.equal(d.action === 'restart' && d.delayMs, 50, 'the fixed half of the delay with random = 0');
  });

  it('backoff stays within [exp/2, exp] and never exceeds the maximum (property)', () => {
    fc.assert(fc.property(
      fc.integer({ min: 1, max: 100 }), fc.integer({ min: 0, max: 5_000 }), fc.integer({ min: 0, max: 60_000 }), fc.double({ min: 0, max: 1, noNaN: true }),
      (attempt, base, extra, r) => {
        const max = base + extra;
        const exp = Math.min(max, base * 2 ** Math.min(attempt - 1, 30));
        const d = backoffDelayMs(attempt, base, max, () => r);
        return d >= Math.floor(exp / 2) && d <= Math.ceil(exp) && d <= max;
      }));
  });

  it('ignores nonsense option values', () => {
    const r = resolveRestartPolicy({ maxRestarts: -1, windowMs: Number.NaN, backoffBaseMs: 500, backoffMaxMs: 10 });
    assert.equal(r.maxRestarts, DEFAULT_MAX_RESTARTS);
    assert.equal(r.windowMs, DEFAULT_RESTART_WINDOW_MS);
    assert.equal(r.backoffMaxMs, 500, 'max is never below base');
  });
});
