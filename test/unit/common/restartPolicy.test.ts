import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as fc from 'fast-check';
import {
  DEFAULT_MAX_RESTARTS, DEFAULT_RESTART_WINDOW_MS, RESTART_BACKOFF_BASE_MS, RESTART_BACKOFF_MAX_MS,
  RestartPolicy, backoffDelayMs, resolveRestartPolicy,
} from '../../../src/common/restartPolicy';
import { repoRoot } from '../servers/helpers';

/** The defaults as users read them: the settings schema in package.json and the README's serverOptions row. */
function documentedDefaults(): { manifest: Record<string, unknown>; readme: Record<string, number> } {
  const pkg = JSON.parse(readFileSync(join(repoRoot(), 'package.json'), 'utf8')) as {
    contributes: { configuration: { properties: Record<string, { additionalProperties: { properties: { restart: { anyOf: { type?: string; properties?: Record<string, { default?: unknown }> }[] } } } }> } };
  };
  const restart = pkg.contributes.configuration.properties['mcpManager.serverOptions'].additionalProperties.properties.restart.anyOf.find((s) => s.type === 'object');
  const manifest = Object.fromEntries(Object.entries(restart?.properties ?? {}).map(([k, v]) => [k, v.default]));
  const row = /`restart` `\{([^}]*)\}`/.exec(readFileSync(join(repoRoot(), 'README.md'), 'utf8'))?.[1] ?? '';
  const readme = Object.fromEntries([...row.matchAll(/(\w+) \((\d+)\)/g)].map((m) => [m[1], Number(m[2])]));
  return { manifest, readme };
}

describe('RestartPolicy', () => {
  it('uses the documented defaults (package.json settings schema and README)', () => {
    const policy = resolveRestartPolicy(undefined);
    const expected = { maxRestarts: policy.maxRestarts, windowMs: policy.windowMs, backoffBaseMs: policy.backoffBaseMs, backoffMaxMs: policy.backoffMaxMs };
    const { manifest, readme } = documentedDefaults();
    assert.deepEqual(manifest, expected, 'package.json mcpManager.serverOptions restart defaults (npm run gen:settings)');
    assert.deepEqual(readme, expected, 'README mcpManager.serverOptions row');
    assert.equal(policy.enabled, true);
    assert.deepEqual(expected, {
      maxRestarts: DEFAULT_MAX_RESTARTS, windowMs: DEFAULT_RESTART_WINDOW_MS, backoffBaseMs: RESTART_BACKOFF_BASE_MS, backoffMaxMs: RESTART_BACKOFF_MAX_MS,
    });
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
