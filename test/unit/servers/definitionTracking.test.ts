import * as assert from 'node:assert/strict';
import type { ServerDefinition, ServerOptions } from '../../../src/common/config/types';
import type { DefinitionChangeEvent } from '../../../src/servers/definitionTracker';
import { storeKey } from '../../../src/servers/definitionTracker';
import { ToolBlockedError } from '../../../src/servers/errors';
import { Redactor } from '../../../src/common/redact';
import { ServerManager, launchesFrom, memoryDefinitionStore, stdioTransportFactory } from '../../../src/servers/serverManager';
import { until } from '../../shared/wait';
import { MemorySink, TEST_CLIENT_INFO, stdioDefinition, testResolver } from './helpers';

const text = (r: { content: unknown }) => (r.content as { text?: string }[])[0]?.text;

/** Issue 15: every listing against the approved snapshot, with a real server that changes its tools (a rug pull). */
describe('Definition tracking and pinning, with a real server whose tools change', function () {
  this.timeout(60_000);
  const managers: ServerManager[] = [];
  let sink: MemorySink;

  function manager(store = memoryDefinitionStore(), redactor?: Redactor): ServerManager {
    sink = new MemorySink();
    const m = new ServerManager({
      prepareStart: launchesFrom(testResolver), clientInfo: TEST_CLIENT_INFO, definitionStore: store, redactor,
      transports: { stdio: stdioTransportFactory({ stdinGraceMs: 150, termGraceMs: 150 }) },
      sinkFor: () => sink,
    });
    managers.push(m);
    return m;
  }
  const def = (options: ServerOptions = {}, env: Record<string, string> = {}): ServerDefinition =>
    stdioDefinition('rug', { restart: false, ...options }, 'mcpServer.mjs', { FIXTURE_MUTATE_TOOLS: '1', ...env });
  async function started(m: ServerManager, d: ServerDefinition): Promise<void> {
    await m.setDefinitions([d]);
    await m.start(d.id);
  }

  afterEach(async () => {
    for (const m of managers.splice(0)) { await m.stopAll(3_000); m.dispose(); }
  });

  it('warn: the first listing is approved as it is; a list_changed that changes echo and adds extra is marked and announced once; calls go through, logged; approving takes exactly what was seen', async () => {
    const store = memoryDefinitionStore();
    const m = manager(store);
    const d = def();
    const events: DefinitionChangeEvent[] = [];
    m.onDidDetectDefinitionChanges((e) => events.push(e));
    await started(m, d);
    const first = m.getDefinitions(d.id)!;
    assert.equal(first.policy, 'warn');
    assert.deepEqual(first.diff, { added: [], removed: [], changed: [] });
    assert.ok(first.approved && 'tool:echo' in first.approved.entries && 'tool:mutate' in first.approved.entries);
    assert.ok(sink.has(/\[definitions\] first listing approved as it is: \d+ definition\(s\) \(pinTools: warn\)/), sink.text());
    const approvedEcho = first.current.entries['tool:echo'].hash;

    assert.equal(text(await m.callTool(d.id, 'mutate', {})), 'mutated');
    const changed = await until('the change is seen', () => { const s = m.getDefinitions(d.id); return s && s.diff.changed.length && s.diff.added.length ? s : undefined; });
    assert.deepEqual(changed.diff, { added: ['tool:extra'], removed: [], changed: [{ id: 'tool:echo', kind: 'tool', key: 'echo', fields: ['description'] }] });
    assert.equal(events.length, 1, 'announced once');
    assert.deepEqual(events[0].diff, changed.diff);
    assert.ok(sink.has(/\[definitions\] differs from what you approved \(pinTools: warn\): 1 changed \(tool echo: description\), 1 new \(tool extra\)/, 'warn'), sink.text());
    // The review's texts: the approved description on the left, the new one on the right.
    const texts = m.definitionTexts(d.id, 'tool:echo');
    assert.match(texts.approved!, /"description": "Echoes"/);
    assert.match(texts.current!, /"description": "Echoes, and sends your text to a third party"/);
    assert.equal(m.definitionTexts(d.id, 'tool:extra').approved, undefined);

    // warn lets a changed tool be called, and logs it.
    assert.equal(text(await m.callTool(d.id, 'echo', { text: 'hi' })), 'hi');
    assert.ok(sink.has(/tools\/call 'echo', which changed since approved: allowed \(pinTools: warn\)/), sink.text());
    // The same change re-listed (Refresh) is not announced again.
    await m.refreshCatalog(d.id);
    assert.equal(events.length, 1);

    // Approving what was seen: a stale hash approves nothing; the current one clears the mark, and is stored.
    assert.deepEqual(m.approveDefinitions(d.id, { 'tool:echo': approvedEcho }), []);
    const seen = changed.current.entries['tool:echo'].hash;
    assert.deepEqual(m.approveDefinitions(d.id, { 'tool:echo': seen }), ['tool:echo']);
    assert.deepEqual(m.getDefinitions(d.id)!.diff, { added: ['tool:extra'], removed: [], changed: [] });
    assert.equal(store.get(storeKey(d))!.approved.entries['tool:echo'].hash, seen);
    assert.ok(sink.has(/\[definitions\] approved: tool:echo/));

    // Another window (a new manager over the same store) starts the server afresh: echo is back to "Echoes", which now
    // differs from what was approved, and extra is gone (never approved, so it is not missed).
    await m.stopAll(3_000);
    const again = manager(store);
    await started(again, d);
    assert.deepEqual(again.getDefinitions(d.id)!.diff, { added: [], removed: [], changed: [{ id: 'tool:echo', kind: 'tool', key: 'echo', fields: ['description'] }] });
  });

  it('block: nothing is approved implicitly; a call is refused naming the tool until it is approved; Keep Blocked refuses under any policy', async () => {
    const m = manager();
    const d = def({ pinTools: 'block' });
    await started(m, d);
    const state = m.getDefinitions(d.id)!;
    assert.equal(state.approved, undefined);
    assert.ok(state.diff.added.includes('tool:echo'));
    await assert.rejects(m.callTool(d.id, 'echo', { text: 'x' }), (err: unknown) => {
      assert.ok(err instanceof ToolBlockedError);
      assert.equal(err.tool, 'echo');
      assert.match(err.message, /The tool 'echo' is new since you approved this server's tools; review and approve it first \(Review Tool Changes\.\.\.\)/);
      return true;
    });
    assert.ok(sink.has(/\[definitions\] tools\/call 'echo' refused \(pinTools: block\)/, 'warn'), sink.text());

    const seen = Object.fromEntries(state.diff.added.map((id) => [id, state.current.entries[id].hash]));
    assert.deepEqual([...m.approveDefinitions(d.id, seen)].sort(), [...state.diff.added].sort());
    assert.equal(text(await m.callTool(d.id, 'echo', { text: 'now' })), 'now');

    // The rug pull: echo changes → blocked again.
    await m.callTool(d.id, 'mutate', {});
    const changed = await until('echo changed', () => m.getDefinitions(d.id)?.diff.changed.length ? m.getDefinitions(d.id) : undefined);
    await assert.rejects(m.callTool(d.id, 'echo', { text: 'x' }), /The tool 'echo' changed since you approved/);
    // Keep Blocked, then pinning relaxed to warn (a live option: no restart): still refused, the user's own decision.
    assert.deepEqual(m.keepToolsBlocked(d.id, { 'tool:echo': changed.current.entries['tool:echo'].hash, 'prompt:x': null }), ['tool:echo']);
    await m.setDefinitions([def({ pinTools: 'warn' })]);
    assert.equal(m.getState(d.id).kind, 'running', 'pinTools applies without a restart');
    assert.equal(m.getDefinitions(d.id)!.policy, 'warn');
    await assert.rejects(m.callTool(d.id, 'echo', { text: 'x' }), /You kept the tool 'echo' blocked/);
    assert.equal(text(await m.callTool(d.id, 'extra', {})), 'extra', 'warn lets the new extra through');
    // Approving it clears the Keep Blocked.
    m.approveDefinitions(d.id, { 'tool:echo': changed.current.entries['tool:echo'].hash });
    assert.equal(text(await m.callTool(d.id, 'echo', { text: 'ok' })), 'ok');
  });

  it('off tracks nothing and stores nothing; stopping a server clears its state (approvals stay)', async () => {
    const store = memoryDefinitionStore();
    const m = manager(store);
    const off = def({ pinTools: 'off' });
    await started(m, off);
    assert.equal(m.getDefinitions(off.id), undefined);
    assert.equal(store.get(storeKey(off)), undefined);
    await m.setDefinitions([def()]);
    await m.stop(off.id);
    await m.start(off.id);
    assert.ok(m.getDefinitions(off.id));
    await m.stop(off.id);
    assert.equal(m.getDefinitions(off.id), undefined, 'a stopped server has no current definitions');
    assert.ok(store.get(storeKey(off)), 'its approvals are kept');
  });

  it('stores no secret: a registered secret in a tool description is masked in the kept texts (hashes only otherwise)', async () => {
    const store = memoryDefinitionStore();
    const secret = 'sk-live-DEF1N1T10N-0123456789abcdef';
    const redactor = new Redactor();
    redactor.add(secret);
    const m = manager(store, redactor);
    const d = def({}, { FIXTURE_SECRET_IN_TOOLS: '1', FIXTURE_SECRET: secret });
    await started(m, d);
    const stored = JSON.stringify(store.get(storeKey(d)));
    assert.match(stored, /tool:whoami/);
    assert.ok(!stored.includes(secret), 'the secret is not stored');
    assert.ok(!sink.text().includes(secret));
  });
});
