import * as assert from 'node:assert/strict';
import { mergeSources } from '../../../src/common/config/merge';
import { parseSettingsValues } from '../../../src/common/config/parse';
import { type ConfigPlan, computePlan } from '../../../src/common/config/plan';
import type { ConfiguredServer } from '../../../src/common/config/merge';
import { ReloadQueue } from '../../../src/common/config/reloadQueue';
import { snapshotFor } from '../../../src/common/config/snapshots';
import { ConfiguredServersModel } from '../../../src/common/config/configuredModel';
import { Emitter } from '../../../src/common/lifecycle';
import type { ServersModel } from '../../../src/common/model';
import { type ServerId, makeServerId } from '../../../src/common/serverId';
import { DEFINITION_OK, STOPPED } from '../../../src/common/serverState';

const tick = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('config/reloadQueue', () => {
  it('never overlaps runs, so a slow early read cannot undo a newer edit', async () => {
    // The "file" changes while reloads run; reads take decreasing time (the first is the slowest).
    let fileVersion = 0;
    const delays = [40, 5, 1];
    let applied = -1;
    let running = 0;
    let maxRunning = 0;
    const plans: ConfigPlan[] = [];
    let current: readonly ConfiguredServer[] = [];
    const q = new ReloadQueue(async () => {
      running++; maxRunning = Math.max(maxRunning, running);
      const seen = fileVersion;
      await tick(delays.shift() ?? 0);
      const next = mergeSources([parseSettingsValues({ [`s${seen}`]: { command: 'x' } }, [], { kind: 'userSettings' })]).servers;
      plans.push(computePlan(current, next));
      current = next;
      applied = seen;
      running--;
    });
    const first = q.request();
    await tick(1);
    fileVersion = 1; const second = q.request();
    fileVersion = 2; const third = q.request();
    assert.equal(second, third, 'requests waiting to start share one run');
    await Promise.all([first, second, third]);
    assert.equal(maxRunning, 1);
    assert.equal(applied, 2, 'the newest edit wins');
    assert.deepEqual(current.map((s) => s.name), ['s2']);
    assert.equal(plans.length, 2);
  });

  it('keeps going after a failing run', async () => {
    let n = 0;
    const q = new ReloadQueue(() => { n++; return n === 1 ? Promise.reject(new Error('boom')) : Promise.resolve(); });
    await q.request();
    await q.request();
    assert.equal(n, 2);
  });
});

describe('config/snapshots', () => {
  const servers = mergeSources([
    parseSettingsValues({ ok: { command: 'x' }, bad: { type: 'nope' } }, [], { kind: 'workspaceSettings', workspaceUri: 'file:///w' }),
    parseSettingsValues({ ok: { command: 'y' }, mine: { command: 'z' } }, [], { kind: 'userSettings' }),
  ]).servers;
  const get = (id: string) => servers.find((s) => s.id === id)!;

  it('shows config problems, needsTrust in Restricted Mode, and keeps runtime states', () => {
    assert.equal(snapshotFor(get('settings:workspace#bad'), undefined, true).state.kind, 'configError');
    assert.deepEqual(snapshotFor(get('settings:user#ok'), undefined, true).state, { kind: 'shadowed', by: 'settings:workspace#ok' });
    assert.equal(snapshotFor(get('settings:workspace#ok'), undefined, false).state.kind, 'needsTrust');
    assert.equal(snapshotFor(get('settings:user#mine'), undefined, false).state.kind, 'stopped', 'user servers are not blocked');
    const running = { ...snapshotFor(get('settings:workspace#ok'), undefined, true), status: { definition: DEFINITION_OK, runtime: { kind: 'running', since: 1 } as const } };
    assert.deepEqual(snapshotFor(get('settings:workspace#ok'), running, true).state, { kind: 'running', since: 1 });
    const blocked = snapshotFor(get('settings:workspace#ok'), undefined, false);
    assert.equal(snapshotFor(get('settings:workspace#ok'), blocked, true).state.kind, 'stopped', 'trust granted: needsTrust → stopped');
    const unresolved = { ...running, status: { definition: { kind: 'configError', reason: 'no folder', atStart: true } as const, runtime: STOPPED } };
    assert.deepEqual(snapshotFor(get('settings:workspace#ok'), unresolved, true).state, { kind: 'configError', reason: 'no folder', atStart: true }, 'a configuration that did not resolve at start');
    assert.equal(snapshotFor(get('settings:workspace#ok'), unresolved, false).state.kind, 'needsTrust', 'trust comes first');
  });
});

describe('config/configuredModel', () => {
  it('lists every configured entry, runtime snapshots for runnable ones, needsTrust while untrusted', () => {
    const servers = mergeSources([
      parseSettingsValues({ run: { command: 'x' }, bad: { type: 'nope' } }, [], { kind: 'workspaceSettings', workspaceUri: 'file:///w' }),
      parseSettingsValues({ run: { command: 'y' }, mine: { command: 'z' } }, [], { kind: 'userSettings' }),
    ]).servers;
    const configChanged = new Emitter<void>();
    const runtimeChanged = new Emitter<readonly ServerId[] | 'all'>();
    const runtimeStates = new Map<string, 'running' | 'stopped'>([['settings:workspace#run', 'stopped'], ['settings:user#mine', 'running']]);
    const runtime: ServersModel = {
      onDidChange: runtimeChanged.event,
      list: () => [],
      get: (id: ServerId) => {
        const s = servers.find((x) => x.id === id);
        const k = runtimeStates.get(id);
        return s && k ? { ...snapshotFor(s, undefined, true), status: { definition: DEFINITION_OK, runtime: k === 'running' ? { kind: 'running' as const, since: 1 } : STOPPED } } : undefined;
      },
    };
    let trusted = false;
    const model = new ConfiguredServersModel({ servers, onDidChange: configChanged.event }, runtime, () => trusted);
    const events: unknown[] = [];
    model.onDidChange((e) => events.push(e));
    const kinds = () => Object.fromEntries(model.list().map((s) => [s.id, s.state.kind]));
    assert.deepEqual(kinds(), { 'settings:workspace#run': 'needsTrust', 'settings:workspace#bad': 'configError', 'settings:user#run': 'shadowed', 'settings:user#mine': 'running' });
    trusted = true;
    model.trustChanged();
    assert.equal(model.get(makeServerId({ kind: 'workspaceSettings', workspaceUri: 'file:///w' }, 'run'))?.state.kind, 'stopped');
    configChanged.fire();
    runtimeChanged.fire([makeServerId({ kind: 'userSettings' }, 'mine')]);
    assert.deepEqual(events, ['all', 'all', ['settings:user#mine']]);
    model.dispose();
  });
});
