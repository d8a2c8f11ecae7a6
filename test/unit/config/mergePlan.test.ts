import * as assert from 'node:assert/strict';
import { FILE_NODE_NAME, type ConfiguredServer, mergeSources, parseServerOptions, runnableDefinitions } from '../../../src/common/config/merge';
import { parseMcpJsonText, parseSettingsValues } from '../../../src/common/config/parse';
import { computePlan, deepEqual, isEmptyPlan, requiresRestart } from '../../../src/common/config/plan';
import type { ServerDefinition } from '../../../src/common/config/types';
import type { ServerSource } from '../../../src/common/serverId';

const wsA: ServerSource = { kind: 'workspaceMcpJson', folder: 'a', folderUri: 'file:///w/a' };
const wsB: ServerSource = { kind: 'workspaceMcpJson', folder: 'b', folderUri: 'file:///w/b' };
const file = (source: ServerSource, servers: Record<string, unknown>) => parseMcpJsonText(JSON.stringify({ servers }), source, `/${source.kind}.json`);
const settings = (source: ServerSource, servers: Record<string, unknown>) => parseSettingsValues(servers, [], source);
const byId = (list: readonly ConfiguredServer[]) => Object.fromEntries(list.map((s) => [s.id, s]));

describe('config/merge: precedence and shadowing', () => {
  const sources = [
    file({ kind: 'userMcpJson' }, { x: { command: 'user-json' }, onlyUserJson: { command: 'u' } }),
    settings({ kind: 'userSettings' }, { x: { command: 'user-settings' }, y: { command: 'user-settings' } }),
    settings({ kind: 'workspaceSettings', workspaceUri: 'file:///w' }, { x: { command: 'ws-settings' }, y: { command: 'ws-settings' }, z: { command: 'ws-settings' } }),
    file(wsA, { x: { command: 'ws-a' } }),
  ];

  it('workspace mcp.json > workspace settings > user settings > user mcp.json, losers stay visible', () => {
    const { servers } = mergeSources(sources);
    const m = byId(servers);
    assert.equal(servers.length, 8);
    assert.equal(m['workspace:a#x']?.problem, undefined);
    assert.deepEqual(m['settings:workspace#x']?.problem, { kind: 'shadowed', by: 'workspace:a#x' });
    assert.deepEqual(m['settings:user#x']?.problem, { kind: 'shadowed', by: 'workspace:a#x' });
    assert.deepEqual(m['userMcpJson#x']?.problem, { kind: 'shadowed', by: 'workspace:a#x' });
    assert.deepEqual(m['settings:user#y']?.problem, { kind: 'shadowed', by: 'settings:workspace#y' });
    assert.equal(m['settings:workspace#y']?.problem, undefined);
    assert.equal(m['userMcpJson#onlyUserJson']?.problem, undefined);
    assert.match(m['userMcpJson#x']?.note ?? '', /Shadowed by "x" from a\/.vscode\/mcp.json/);
    assert.ok(m['userMcpJson#x']?.definition, 'a shadowed entry keeps its definition for display');
  });

  it('does not depend on the order sources are given in', () => {
    const a = mergeSources(sources).servers.map((s) => [s.id, s.problem]);
    const b = mergeSources([...sources].reverse()).servers.map((s) => [s.id, s.problem]);
    assert.deepEqual(new Map(b as [string, unknown][]), new Map(a as [string, unknown][]));
  });

  it('between workspace folders, the earlier folder wins', () => {
    const { servers } = mergeSources([file(wsA, { s: { command: 'a' } }), file(wsB, { s: { command: 'b' } })]);
    assert.deepEqual(byId(servers)['workspace:b#s']?.problem, { kind: 'shadowed', by: 'workspace:a#s' });
  });

  it('a broken entry still wins its name (fixing it never silently switches servers)', () => {
    const { servers } = mergeSources([file(wsA, { s: { type: 'bogus' } }), settings({ kind: 'userSettings' }, { s: { command: 'ok' } })]);
    const m = byId(servers);
    assert.equal(m['workspace:a#s']?.problem?.kind, 'configError');
    assert.deepEqual(m['settings:user#s']?.problem, { kind: 'shadowed', by: 'workspace:a#s' });
    assert.deepEqual(runnableDefinitions(servers), []);
  });

  it('an unparseable file becomes one configError node', () => {
    const broken = parseMcpJsonText('{ "servers": ', wsA, '/w/a/.vscode/mcp.json');
    const { servers } = mergeSources([broken, settings({ kind: 'userSettings' }, { s: { command: 'ok' } })]);
    assert.equal(servers.length, 2);
    const node = servers.find((s) => s.name === FILE_NODE_NAME);
    assert.equal(node?.problem?.kind, 'configError');
    assert.equal(node?.file, '/w/a/.vscode/mcp.json');
    assert.equal(runnableDefinitions(servers).length, 1);
  });

  it('attaches serverOptions by name and keeps inputs per source', () => {
    const withInputs = parseMcpJsonText('{ "inputs": [{"type":"promptString","id":"k","password":true}], "servers": { "s": { "command": "x" } } }', wsA);
    const { servers, inputs } = mergeSources([withInputs], { s: { autoStart: true } });
    assert.deepEqual(servers[0]?.definition?.options, { autoStart: true });
    assert.equal(inputs.get('workspace:a')?.[0]?.id, 'k');
  });
});

describe('config/merge: serverOptions', () => {
  it('keeps valid entries and ignores invalid ones with a warning', () => {
    const r = parseServerOptions({ a: { autoStart: true, ping: false, restart: { maxRestarts: 2 } }, b: { autoStart: 'yes' }, c: { unknown: 1 } });
    assert.deepEqual(r.options, { a: { autoStart: true, ping: false, restart: { maxRestarts: 2 } } });
    assert.equal(r.warnings.length, 2);
    assert.match(r.warnings[0] ?? '', /serverOptions\["b"\].*autoStart/);
  });

  it('refuses what the settings schema refuses (a 5 ms startup timeout, an http metadata URL), with a warning', () => {
    const r = parseServerOptions({
      fast: { startupTimeoutMs: 5 }, ping: { ping: { timeoutMs: 10 } }, float: { restart: { maxRestarts: 1.5 } },
      cimd: { oauth: { clientMetadataUrl: 'http://example.com/client.json' } }, typo: { ping: { intervalMS: 0 } },
      ok: { startupTimeoutMs: 1_000, ping: { intervalMs: 0, timeoutMs: 100 }, oauth: { clientMetadataUrl: 'https://example.com/client.json' } },
    });
    assert.deepEqual(Object.keys(r.options), ['ok']);
    assert.equal(r.warnings.length, 5);
    assert.match(r.warnings[0] ?? '', /serverOptions\["fast"\] is invalid at "startupTimeoutMs".*; ignored\./);
  });

  it('ignores a non-object value', () => {
    assert.deepEqual(parseServerOptions([1]).options, {});
    assert.deepEqual(parseServerOptions(undefined), { options: {}, warnings: [] });
  });
});

describe('config/plan', () => {
  const merged = (servers: Record<string, unknown>, options = {}) => mergeSources([file(wsA, servers)], options).servers;
  const ids = (list: readonly { id: string }[]) => list.map((s) => s.id).sort();

  it('computes added / removed / changed / unchanged by id', () => {
    const before = merged({ keep: { command: 'k' }, edit: { command: 'e', args: ['1'] }, gone: { command: 'g' } });
    const after = merged({ keep: { command: 'k' }, edit: { command: 'e', args: ['2'] }, fresh: { url: 'https://x' } });
    const plan = computePlan(before, after);
    assert.deepEqual(ids(plan.added), ['workspace:a#fresh']);
    assert.deepEqual(ids(plan.removed), ['workspace:a#gone']);
    assert.deepEqual(plan.changed.map((c) => c.after.id), ['workspace:a#edit']);
    assert.deepEqual(ids(plan.unchanged), ['workspace:a#keep']);
  });

  it('key order and explicit defaults do not count as a change', () => {
    const before = merged({ s: { command: 'x', env: { A: '1', B: '2' } } });
    const after = merged({ s: { type: 'stdio', args: [], env: { B: '2', A: '1' }, command: 'x' } });
    assert.ok(isEmptyPlan(computePlan(before, after)));
  });

  it('options, env values and problems count as changes', () => {
    const base = merged({ s: { command: 'x', env: { A: '1' } } });
    assert.equal(computePlan(base, merged({ s: { command: 'x', env: { A: '1' } } }, { s: { autoStart: true } })).changed.length, 1);
    assert.equal(computePlan(base, merged({ s: { command: 'x', env: { A: '2' } } })).changed.length, 1);
    assert.equal(computePlan(base, merged({ s: { command: 'x', env: 'bad' } })).changed.length, 1);
  });

  it('becoming shadowed is a change of the loser only', () => {
    const before = mergeSources([settings({ kind: 'userSettings' }, { s: { command: 'u' } })]).servers;
    const after = mergeSources([settings({ kind: 'userSettings' }, { s: { command: 'u' } }), file(wsA, { s: { command: 'w' } })]).servers;
    const plan = computePlan(before, after);
    assert.deepEqual(ids(plan.added), ['workspace:a#s']);
    assert.deepEqual(plan.changed.map((c) => [c.after.id, c.after.problem?.kind]), [['settings:user#s', 'shadowed']]);
  });

  it('the empty plan', () => {
    assert.ok(isEmptyPlan(computePlan([], [])));
  });

  it('deepEqual', () => {
    assert.ok(deepEqual({ a: [1, { b: 2 }], c: undefined }, { a: [1, { b: 2 }] }));
    assert.ok(!deepEqual([1], { 0: 1 }));
    assert.ok(!deepEqual({ a: null }, { a: {} }));
  });
});

describe('config/plan: requiresRestart', () => {
  const base: ServerDefinition = {
    id: 'settings:user#s' as ServerDefinition['id'], name: 's', source: { kind: 'userSettings' },
    config: { type: 'stdio', command: 'node', args: ['a.js'], env: { A: '1' } },
    options: { ping: false, autoStart: true },
  };
  const stdio = base.config.type === 'stdio' ? base.config : undefined;
  const remote: ServerDefinition = { ...base, config: { type: 'http', url: 'https://example.test/mcp', headers: { 'X-Key': 'k' } }, options: {} };
  const changed = (over: Partial<ServerDefinition>, from: ServerDefinition = base) => requiresRestart(from, { ...from, ...over });

  it('restarts for anything in how the server is launched', () => {
    assert.equal(changed({ config: { ...stdio!, command: 'deno' } }), true);
    assert.equal(changed({ config: { ...stdio!, args: ['b.js'] } }), true);
    assert.equal(changed({ config: { ...stdio!, env: { A: '2' } } }), true);
    assert.equal(changed({ config: { ...stdio!, env: { A: '1', B: null } } }), true);
    assert.equal(changed({ config: { ...stdio!, envFile: '.env' } }), true);
    assert.equal(changed({ config: { ...stdio!, cwd: '/tmp' } }), true);
    assert.equal(changed({ config: { type: 'http', url: 'https://example.test/mcp', headers: { 'X-Key': 'other' } } }, remote), true);
    assert.equal(changed({ config: { type: 'sse', url: 'https://example.test/mcp', headers: { 'X-Key': 'k' } } }, remote), true);
  });

  it('restarts for options the connection uses: request timeout, ping, OAuth', () => {
    assert.equal(changed({ options: { ...base.options, requestTimeoutMs: 5_000 } }), true);
    assert.equal(changed({ options: { ...base.options, ping: { intervalMs: 1_000 } } }), true);
    assert.equal(changed({ options: { oauth: { scopes: ['read'] } } }, remote), true);
  });

  it('does not restart for what applies without one: autoStart, the restart policy, the startup timeout, the file', () => {
    assert.equal(changed({}), false);
    assert.equal(changed({ options: { ...base.options, autoStart: false } }), false);
    assert.equal(changed({ options: { ...base.options, restart: { maxRestarts: 1 } } }), false);
    assert.equal(changed({ options: { ...base.options, restart: false } }), false);
    assert.equal(changed({ options: { ...base.options, startupTimeoutMs: 60_000 } }), false);
    assert.equal(changed({ file: '/elsewhere/mcp.json' }), false);
  });

  it('does not care about key order or undefined values (unlike comparing JSON text)', () => {
    const reordered: ServerDefinition = { ...base, config: { env: { A: '1' }, args: ['a.js'], command: 'node', type: 'stdio', cwd: undefined }, options: { autoStart: true, ping: false } };
    assert.equal(requiresRestart(base, reordered), false);
  });
});
