import * as assert from 'node:assert/strict';
import { Disposable, Emitter, disposeAll, toDisposable } from '../../../src/common/lifecycle';
import { REDACTED, Redactor, looksLikeSecretName } from '../../../src/common/redact';
import { safeNotificationText } from '../../../src/common/sanitize';
import { SECRET_INDEX_KEY, parseSecretKey, secretKey } from '../../../src/common/secretKeys';
import { credentialId, isWorkspaceDefined, makeServerId, ownerKey, ownerOf, type ServerSource } from '../../../src/common/serverId';
import { inputSecretId, legacyInputSecretId } from '../../../src/common/config/parse';
import {
  ALL_RUNTIME_STATE_KINDS, ALL_STATE_KINDS, type DefinitionState, type RuntimeState, type RuntimeStateKind, type ServerState, type ServerStatus,
  presentState, presentedState,
} from '../../../src/common/serverState';
import { canRestart, canSignIn, canStart, canStop, isLive } from '../../../src/common/serverPredicates';
import { serverContextValue, serverRow, sortServers } from '../../../src/common/treeModel';
import { catalogSummary, pendingRow } from '../../../src/common/catalogTree';
import type { ServerSnapshot } from '../../../src/common/model';

describe('ServerId and owner', () => {
  const sources: [ServerSource, string][] = [
    [{ kind: 'workspaceMcpJson', folder: 'app', folderUri: 'file:///src/a/app' }, 'workspace:app#srv'],
    [{ kind: 'workspaceSettings', workspaceUri: 'file:///src/a/app' }, 'settings:workspace#srv'],
    [{ kind: 'userSettings' }, 'settings:user#srv'],
    [{ kind: 'userMcpJson' }, 'userMcpJson#srv'],
    [{ kind: 'workspaceRootMcpJson', folder: 'app', folderUri: 'file:///src/a/app' }, 'mcpJson:app#srv'],
    [{ kind: 'copilotMcpConfig' }, 'copilot#srv'],
  ];
  for (const [source, id] of sources) {
    it(`${source.kind} → ${id}`, () => assert.equal(makeServerId(source, 'srv'), id));
  }
  it('two checkouts with the same folder name share the server id but no secret id (review H1, P4)', () => {
    const a: ServerSource = { kind: 'workspaceMcpJson', folder: 'app', folderUri: 'file:///home/u/work/app' };
    const b: ServerSource = { kind: 'workspaceMcpJson', folder: 'app', folderUri: 'file:///home/u/Downloads/app' };
    assert.equal(makeServerId(a, 'github'), makeServerId(b, 'github'));
    assert.notEqual(inputSecretId(a, 'github-Authorization'), inputSecretId(b, 'github-Authorization'));
    assert.notEqual(credentialId(a, 'github'), credentialId(b, 'github'));
    const wsA: ServerSource = { kind: 'workspaceSettings', workspaceUri: 'file:///home/u/one.code-workspace' };
    const wsB: ServerSource = { kind: 'workspaceSettings', workspaceUri: 'file:///home/u/two.code-workspace' };
    assert.notEqual(inputSecretId(wsA, 'k'), inputSecretId(wsB, 'k'));
    assert.notEqual(credentialId(wsA, 'github'), credentialId(wsB, 'github'));
    assert.match(credentialId(a, 'github'), /^workspace:app@ws-[0-9a-f]{16}#github$/);
    // Not derivable from the name alone: the pre-owner ids are only "legacy".
    assert.equal(legacyInputSecretId(a, 'k'), 'workspace:app/k');
    assert.notEqual(inputSecretId(a, 'k'), legacyInputSecretId(a, 'k'));
  });
  it('user sources keep their ids (nothing to migrate) and are owned by the user', () => {
    assert.equal(inputSecretId({ kind: 'userSettings' }, 'k'), 'settings:user/k');
    assert.equal(credentialId({ kind: 'userMcpJson' }, 'gh'), 'userMcpJson#gh');
    assert.equal(legacyInputSecretId({ kind: 'userSettings' }, 'k'), undefined);
    assert.deepEqual(ownerOf({ kind: 'userSettings' }), { kind: 'user' });
    assert.equal(ownerKey(ownerOf(sources[0][0])), ownerKey(ownerOf(sources[1][0])), 'one folder: its mcp.json and its settings share the owner');
  });
  it('knows which sources the workspace defines', () => {
    assert.deepEqual(sources.map(([s]) => isWorkspaceDefined(s)), [true, true, false, false, true, false]);
  });
});

describe('SecretStorage key scheme', () => {
  it('builds and parses mcpManager/v1/<purpose>/<id>', () => {
    const key = secretKey('oauthTokens', 'settings:user#remote');
    assert.equal(key, 'mcpManager/v1/oauthTokens/settings:user#remote');
    assert.deepEqual(parseSecretKey(key), { purpose: 'oauthTokens', id: 'settings:user#remote' });
  });
  it('rejects foreign, unknown-purpose and empty keys', () => {
    assert.equal(parseSecretKey('other/v1/input/x'), undefined);
    assert.equal(parseSecretKey('mcpManager/v1/bogus/x'), undefined);
    assert.equal(parseSecretKey(SECRET_INDEX_KEY), undefined);
    assert.throws(() => secretKey('input', ''));
  });
});

describe('server state presentation', () => {
  it('gives every state a codicon and a word', () => {
    for (const kind of ALL_STATE_KINDS) {
      const p = presentState(kind);
      assert.match(p.icon, /^[a-z-]+(~spin)?$/, kind);
      assert.ok(p.word.length > 0, kind);
    }
  });
  it('knows when Start and Stop apply', () => {
    const s = (state: ServerState) => [canStart({ status: statusOf(state) }), canStop({ status: statusOf(state) })];
    assert.deepEqual(s({ kind: 'stopped' }), [true, false]);
    assert.deepEqual(s({ kind: 'running', since: 0 }), [false, true]);
    assert.deepEqual(s({ kind: 'failed', reason: 'x' }), [true, false]);
    assert.deepEqual(s({ kind: 'needsTrust' }), [false, false]);
  });
});

/** The status a shown state stands for: a runtime state with an ok definition, or a definition state while stopped. */
function statusOf(state: ServerState): ServerStatus {
  return ALL_RUNTIME_STATE_KINDS.includes(state.kind as RuntimeStateKind)
    ? { definition: { kind: 'ok' }, runtime: state as RuntimeState }
    : { definition: state as Exclude<ServerState, RuntimeState>, runtime: { kind: 'stopped' } };
}

describe('server predicates: every definition state × every runtime state', () => {
  const RUNTIME: Record<RuntimeStateKind, RuntimeState> = {
    stopped: { kind: 'stopped' }, starting: { kind: 'starting', since: 0 }, running: { kind: 'running', since: 0 },
    restarting: { kind: 'restarting', attempt: 1, nextTryAt: 0, reason: 'r' }, failed: { kind: 'failed', reason: 'r' }, needsSignIn: { kind: 'needsSignIn' },
  };
  const DEFINITIONS: [string, DefinitionState, boolean][] = [
    ['ok', { kind: 'ok' }, true],
    ['configError (at start)', { kind: 'configError', reason: 'r', atStart: true }, true],
    ['configError', { kind: 'configError', reason: 'r' }, false],
    ['shadowed', { kind: 'shadowed', by: 'settings:user#x' as ServerSnapshot['id'] }, false],
    ['needsTrust', { kind: 'needsTrust' }, false],
  ];
  /** [canStart, canStop, canRestart, isLive] for a definition that can run; one that cannot keeps only canStop and isLive. */
  const RUNNABLE: Record<RuntimeStateKind, readonly [boolean, boolean, boolean, boolean]> = {
    stopped: [true, false, false, false],
    starting: [false, true, true, true],
    running: [false, true, true, true],
    restarting: [false, true, true, true],
    failed: [true, false, true, true],
    needsSignIn: [true, false, false, false],
  };
  for (const [name, definition, runnable] of DEFINITIONS) {
    for (const kind of ALL_RUNTIME_STATE_KINDS) {
      it(`${name} × ${kind}`, () => {
        const s = { status: { definition, runtime: RUNTIME[kind] } };
        const [start, stop, restart, live] = RUNNABLE[kind];
        assert.deepEqual([canStart(s), canStop(s), canRestart(s), isLive(s)], [start && runnable, stop, restart && runnable, live]);
        assert.equal(canSignIn({ ...s, transport: 'http' }), runnable);
        assert.equal(canSignIn({ ...s, transport: 'sse' }), runnable);
        assert.equal(canSignIn({ ...s, transport: 'stdio' }), false);
      });
    }
  }
  it('shows the runtime state, except a stopped server shows why its definition cannot run', () => {
    assert.deepEqual(presentedState({ definition: { kind: 'needsTrust' }, runtime: { kind: 'stopped' } }), { kind: 'needsTrust' });
    assert.deepEqual(presentedState({ definition: { kind: 'ok' }, runtime: RUNTIME.failed }), RUNTIME.failed);
    assert.deepEqual(presentedState({ definition: { kind: 'configError', reason: 'r', atStart: true }, runtime: RUNTIME.starting }), RUNTIME.starting);
  });
});

describe('tree rows (pure)', () => {
  const snap = (name: string, state: ServerState, transport: ServerSnapshot['transport'] = 'stdio'): ServerSnapshot =>
    ({ id: makeServerId({ kind: 'userSettings' }, name), name, source: { kind: 'userSettings' }, transport, status: statusOf(state), state });

  it('puts the state word in the accessibility label always, and in the description unless running/stopped', () => {
    for (const kind of ALL_STATE_KINDS) {
      const state = { kind, since: 0, reason: 'r', by: 'x', attempt: 1, nextTryAt: 0 } as unknown as ServerState;
      const row = serverRow(snap('a', state));
      assert.ok(row.accessibilityLabel.includes(presentState(kind).word), kind);
      const quiet = kind === 'running' || kind === 'stopped';
      assert.equal(row.description?.includes(presentState(kind).word), !quiet, kind);
      assert.ok(row.description?.startsWith('stdio'), kind);
    }
  });
  it('builds context value tokens for menus', () => {
    assert.equal(serverContextValue(snap('a', { kind: 'stopped' })), 'mcpServer;stopped;canStart;stdio;');
    assert.equal(serverContextValue(snap('a', { kind: 'running', since: 1 }, 'http')), 'mcpServer;running;canStop;canRestart;canSignIn;http;');
    assert.equal(serverContextValue(snap('a', { kind: 'starting', since: 1 })), 'mcpServer;starting;canStop;canRestart;stdio;');
    assert.equal(serverContextValue(snap('a', { kind: 'failed', reason: 'x' })), 'mcpServer;failed;canStart;canRestart;stdio;');
    assert.equal(serverContextValue(snap('a', { kind: 'needsTrust' }, 'sse')), 'mcpServer;needsTrust;sse;');
  });
  it('shows the negotiated MCP revision of a running server in its tooltip', () => {
    assert.match(serverRow(snap('a', { kind: 'running', since: 1, protocolVersion: '2025-11-25' })).tooltip, /MCP revision: 2025-11-25/);
    assert.doesNotMatch(serverRow(snap('a', { kind: 'running', since: 1 })).tooltip, /MCP revision/);
  });
  it('shows a failure reason in the tooltip', () => {
    assert.match(serverRow(snap('a', { kind: 'failed', reason: 'exited with code 3' })).tooltip, /Reason: exited with code 3/);
  });
  it('shows restarts and the last exit of a running server in its tooltip', () => {
    const tip = serverRow(snap('a', { kind: 'running', since: 1 }), { restarts: 2, lastExit: 'exited with code 3', lastPingLatencyMs: 1.5 }).tooltip;
    assert.match(tip, /Restarts: 2\nLast exit: exited with code 3\nLast ping: 1.5 ms/);
  });
  it('keeps a server expandable on its way to running, with one pending child until the first listing completes', () => {
    const listed = { tools: [], resources: [], resourceTemplates: [], prompts: [], updatedAt: 5 };
    const unlisted = { ...listed, updatedAt: 0 };
    for (const kind of ALL_STATE_KINDS) {
      const state = { kind, since: 0, reason: 'r', by: 'x', attempt: 2, nextTryAt: 0 } as unknown as ServerState;
      const onTheWay = kind === 'starting' || kind === 'restarting' || kind === 'running';
      assert.equal(serverRow(snap('a', state)).collapsible, onTheWay || kind === 'stopped', kind);
      assert.equal(pendingRow(state, unlisted) !== undefined, onTheWay, kind);
    }
    assert.equal(pendingRow({ kind: 'starting', since: 0 }, undefined)?.label, 'Starting…');
    assert.equal(pendingRow({ kind: 'restarting', attempt: 2, nextTryAt: 0, reason: 'crashed' }, listed)?.label, 'Restarting (attempt 2)…');
    assert.equal(pendingRow({ kind: 'running', since: 0 }, unlisted)?.icon, 'loading~spin');
    assert.equal(pendingRow({ kind: 'running', since: 0 }, listed), undefined, 'listed: the groups show instead');
  });
  it('says the catalog is loading until the first listing completes, not "0 tools"', () => {
    const caps = { tools: {}, prompts: {} };
    const empty = { tools: [], resources: [], resourceTemplates: [], prompts: [], updatedAt: 0 };
    assert.equal(catalogSummary(caps, empty), 'loading…');
    assert.equal(catalogSummary(caps, { ...empty, updatedAt: 1 }), '0 tools, 0 prompts');
    assert.equal(catalogSummary(caps, { ...empty, updatedAt: 1, error: 'boom' }), 'listing failed');
  });
  it('sorts by name', () => {
    assert.deepEqual(sortServers([snap('b', { kind: 'stopped' }), snap('a', { kind: 'stopped' })]).map((s) => s.name), ['a', 'b']);
  });
});

describe('redaction', () => {
  it('masks registered secret values anywhere', () => {
    const r = new Redactor();
    r.add('s3cr3t-value', undefined, 'ab');
    assert.equal(r.redact('env TOKEN=s3cr3t-value and s3cr3t-value'), `env TOKEN=${REDACTED} and ${REDACTED}`);
    assert.equal(r.redact('ab stays: too short to register'), 'ab stays: too short to register');
  });
  it('masks credential shapes it was never told about', () => {
    const r = new Redactor();
    assert.doesNotMatch(r.redact('Authorization: Bearer eyJhbGciOi.abc.def'), /eyJ/);
    assert.doesNotMatch(r.redact('GET /cb?code=SplxlOBeZQQYbYS6WxSbIA&state=xyz123'), /SplxlOBeZQQYbYS6WxSbIA|xyz123/);
    assert.doesNotMatch(r.redact('{"access_token":"tok-123","refresh_token":"ref-456"}'), /tok-123|ref-456/);
  });
  it('masks the URL-encoded, base64 and JSON-escaped forms of a registered secret (review L1, P1)', () => {
    const r = new Redactor();
    const secret = 'Zq9+xW/7kPa=Lm3';
    const quoted = 'pa"ss\\word99';
    r.add(secret, quoted);
    const forms = [encodeURIComponent(secret), Buffer.from(secret).toString('base64'), Buffer.from(secret).toString('base64url'), JSON.stringify(quoted).slice(1, -1)];
    for (const form of forms) {
      const out = r.redact(`x ${form} y`);
      assert.ok(!out.includes(form) && out.includes(REDACTED), `${form} -> ${out}`);
    }
    assert.equal(r.redact(JSON.stringify({ note: `got ${quoted}` })), `{"note":"got ${REDACTED}"}`);
  });
  it('masks values by header or key name in name: value, name=value and "name":"value" shapes (review L1)', () => {
    const r = new Redactor();
    const cases = [
      'x-api-key: live-7f3a9', 'X-API-Key=live-7f3a9', 'api-key: live-7f3a9', 'apikey=live-7f3a9', '--api-key=live-7f3a9',
      'X-Auth-Token: live-7f3a9', 'GITHUB_TOKEN=live-7f3a9', 'token: live-7f3a9', '{"x-api-key":"live-7f3a9"}',
      '{"headers": {"X-Api-Key": "live\\"7f3a9"}}', "client_secret: 'live-7f3a9'", 'authorization: live-7f3a9',
    ];
    for (const text of cases) assert.ok(!/live|7f3a9/.test(r.redact(text)), `${text} -> ${r.redact(text)}`);
    assert.equal(r.redact('--token=${input:tok} tokens=5 token_count: 3'), '--token=${input:tok} tokens=5 token_count: 3');
  });
  it('recognises secret-looking names', () => {
    for (const n of ['GITHUB_TOKEN', 'API_KEY', 'apiKey', 'Authorization', 'DB_PASSWORD', 'client_secret']) assert.ok(looksLikeSecretName(n), n);
    for (const n of ['PATH', 'HOME', 'DEBUG', 'keyboard_layout', 'PORT', 'PWD', 'OLDPWD', 'XDG_SESSION_TYPE', 'SSH_AUTH_SOCK']) assert.ok(!looksLikeSecretName(n), n);
    assert.ok(looksLikeSecretName('DB_PWD') && looksLikeSecretName('SESSION_SECRET'));
  });
});

describe('notification sanitizing', () => {
  it('defuses command links, markup and control characters', () => {
    const out = safeNotificationText('Boom [click](command:workbench.action.terminal.new) <img src=x> `x`\u0007 vscode://evil');
    // eslint-disable-next-line no-control-regex
    assert.doesNotMatch(out, /\]\(|command:|<img|\u0007|vscode:\/\//);
    assert.match(out, /Boom click/);
  });
  it('keeps names with underscores and asterisks intact', () => {
    assert.equal(safeNotificationText('Secret "GITHUB_PERSONAL_ACCESS_TOKEN" saved for *.example.com'), 'Secret "GITHUB_PERSONAL_ACCESS_TOKEN" saved for *.example.com');
  });
  it('bounds length', () => {
    assert.equal(safeNotificationText('x'.repeat(1000)).length, 300);
  });
});

describe('lifecycle', () => {
  it('disposes registrations in reverse order, and late registrations at once', () => {
    const order: string[] = [];
    class Owner extends Disposable {
      add(name: string) { return this._register(toDisposable(() => order.push(name))); }
    }
    const o = new Owner();
    o.add('a'); o.add('b');
    o.dispose();
    assert.deepEqual(order, ['b', 'a']);
    o.add('late');
    assert.deepEqual(order, ['b', 'a', 'late']);
  });
  it('keeps disposing past a failure and rethrows it', () => {
    let ran = false;
    assert.throws(() => disposeAll([toDisposable(() => { throw new Error('x'); }), toDisposable(() => { ran = true; })]), /x/);
    assert.ok(ran);
  });
  it('Emitter stops delivering after the listener is disposed', () => {
    const e = new Emitter<number>();
    const got: number[] = [];
    const sub = e.event((n) => got.push(n));
    e.fire(1); sub.dispose(); e.fire(2);
    assert.deepEqual(got, [1]);
  });
});
