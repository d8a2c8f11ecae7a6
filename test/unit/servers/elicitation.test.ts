/**
 * Elicitation through the real McpSession and ServerManager: a stdio fixture server (v1 SDK McpServer) calls
 * `elicitInput` from a tool, and a scripted ElicitationUi answers. What the tool returns shows what the server got.
 */
import * as assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import type { ServerDefinition } from '../../../src/common/config/types';
import type { ElicitationAnswer, ElicitationContext, ElicitationRequest, ElicitationUi } from '../../../src/common/elicitation';
import type { ServerSnapshot } from '../../../src/common/model';
import { Redactor } from '../../../src/common/redact';
import { serverRow } from '../../../src/common/treeModel';
import { RpcTimeoutError } from '../../../src/servers/errors';
import { RequestClock } from '../../../src/servers/requestClock';
import { ServerManager, launchesFrom, stdioTransportFactory } from '../../../src/servers/serverManager';
import { until } from '../../shared/wait';
import { MemorySink, TEST_CLIENT_INFO, stdioDefinition, testResolver } from './helpers';

type Script = (request: ElicitationRequest, context: ElicitationContext) => Promise<ElicitationAnswer> | ElicitationAnswer;

const SECRET = 'hunter2-Sup3r-S3cret';
const text = (r: { content: unknown }): string => ((r.content as { text: string }[])[0]).text;

describe('Elicitation with a real stdio server', function () {
  this.timeout(30_000);
  let manager: ServerManager | undefined;
  let sink: MemorySink;
  let script: Script;
  const asked: ElicitationRequest[] = [];
  const refused: string[] = [];
  const redactor = new Redactor();
  const ui: ElicitationUi = {
    ask: (request, context) => { asked.push(request); return Promise.resolve(script(request, context)); },
    refused: (_server, reason) => { refused.push(reason); },
  };

  async function start(withUi = true, options: ServerDefinition['options'] = {}): Promise<{ m: ServerManager; d: ServerDefinition }> {
    const d = stdioDefinition('asker', { restart: false, ...options }, 'mcpServer.mjs', { FIXTURE_ELICIT: '1' });
    sink = new MemorySink();
    const m = manager = new ServerManager({
      prepareStart: launchesFrom(testResolver), clientInfo: TEST_CLIENT_INFO, redactor,
      transports: { stdio: stdioTransportFactory({ stdinGraceMs: 150, termGraceMs: 150 }) },
      sinkFor: () => sink, ...(withUi ? { elicitation: ui } : {}),
    });
    await m.setDefinitions([d]);
    await m.start(d.id);
    return { m, d };
  }

  beforeEach(() => { asked.length = 0; refused.length = 0; });
  afterEach(async () => {
    if (manager) { await manager.stopAll(3_000); manager.dispose(); manager = undefined; }
  });

  it('accept: the server gets the content; the password never reaches the log, and is redacted from later lines', async () => {
    const { m, d } = await start();
    script = () => ({ action: 'accept', content: { name: 'Ada', password: SECRET, age: 36, color: 'g', tags: ['alpha', 'gamma'], subscribe: true } });
    const result = await m.callTool(d.id, 'askForm', {});
    const hash = createHash('sha256').update(SECRET).digest('hex').slice(0, 12);
    assert.equal(text(result), `accept ${JSON.stringify({ name: 'Ada', password: `sha256:${hash}`, age: 36, color: 'g', tags: ['alpha', 'gamma'], subscribe: true })}`);
    assert.equal(asked.length, 1);
    assert.equal(asked[0].mode, 'form');
    assert.ok(sink.has(/elicitation: asker asked "Please fill in your profile" \(form, 7 fields\)/, 'info'), sink.text());
    assert.ok(sink.has(/elicitation: asker accepted \(name="Ada", password=••••, age=36, color="g", tags=\[2 chosen\], subscribe=true\)/), sink.text());
    // The secret was registered: the server echoing it later is masked too.
    await m.callTool(d.id, 'log', { level: 'info', text: `the password was ${SECRET}` });
    await until('the server log line', () => sink.has(/the password was/));
    assert.ok(!sink.text().includes(SECRET), 'the secret is nowhere in the log');
    assert.ok(!sink.text().includes('hunter2'), 'not even a part of it');
  });

  it('decline and cancel are distinct answers; the tree row says "waiting for input" while the form is open', async () => {
    const { m, d } = await start();
    let snapshotWhileOpen: ServerSnapshot | undefined;
    script = async () => {
      await until('the pending input in the snapshot', () => m.get(d.id)?.pendingInput !== undefined);
      snapshotWhileOpen = m.get(d.id);
      return { action: 'decline' };
    };
    assert.equal(text(await m.callTool(d.id, 'askForm', {})), 'decline');
    const row = serverRow(snapshotWhileOpen!);
    assert.match(row.description ?? '', /waiting for input/);
    assert.match(row.tooltip, /Waiting for your input \(a form, .*\): "Please fill in your profile"/);
    assert.match(row.accessibilityLabel, /running, waiting for input/);
    assert.match(row.contextValue, /;pendingInput;/);
    assert.equal(m.get(d.id)?.pendingInput, undefined, 'settled: no longer waiting');
    assert.doesNotMatch(serverRow(m.get(d.id)!).description ?? '', /waiting/);
    assert.ok(sink.has(/elicitation: asker declined/));

    script = () => ({ action: 'cancel' });
    assert.equal(text(await m.callTool(d.id, 'askForm', {})), 'cancel');
    assert.ok(sink.has(/elicitation: asker cancelled/));
  });

  it('the user may take longer than the request timeout: our timers stand still while the server waits on the user', async () => {
    const { m, d } = await start(true, { requestTimeoutMs: 1_000 });
    script = async () => { await new Promise((r) => setTimeout(r, 2_500)); return { action: 'accept', content: { name: 'Slow' } }; };
    assert.equal(text(await m.callTool(d.id, 'askForm', { timeoutMs: 30_000 })), 'accept {"name":"Slow"}');
    // Without an elicitation the timeout still applies.
    await assert.rejects(m.callTool(d.id, 'slow', { ms: 3_000 }), RpcTimeoutError);
  });

  it('the server gives up (its own timeout): the UI gets the abort and nothing is answered', async () => {
    const { m, d } = await start();
    // v1's Client ignores a cancellation of request id 0 (`if (!requestId) return`; v2 checks for undefined): the
    // server's first request is one answered without asking.
    assert.equal(text(await m.callTool(d.id, 'askUrl', { url: 'http://example.com/' })), 'decline');
    let aborted = false;
    script = (_r, { signal }) => new Promise((_, reject) => signal.addEventListener('abort', () => { aborted = true; reject(new Error('closed')); }));
    const result = await m.callTool(d.id, 'askForm', { timeoutMs: 300 });
    assert.equal(result.isError, true);
    assert.match(text(result), /timed out/i);
    await until('the UI told to close (notifications/cancelled)', () => aborted);
    await until('the withdrawal logged', () => sink.has(/elicitation: asker withdrew its request/));
    assert.equal(m.get(d.id)?.pendingInput, undefined);
  });

  it('stopping the server while a form is open closes it', async () => {
    const { m, d } = await start();
    let aborted = false;
    script = (_r, { signal }) => new Promise((_, reject) => signal.addEventListener('abort', () => { aborted = true; reject(new Error('closed')); }));
    const call = m.callTool(d.id, 'askForm', {}).catch((err: unknown) => err);
    await until('the form open', () => m.get(d.id)?.pendingInput !== undefined);
    await m.stop(d.id);
    assert.ok(await call instanceof Error);
    assert.ok(aborted);
    assert.equal(m.get(d.id)?.pendingInput, undefined);
  });

  it('URL mode: an https link is asked and accepted; an http link to another host is declined without asking', async () => {
    const { m, d } = await start();
    script = (request) => {
      assert.ok(request.mode === 'url' && request.url === 'https://auth.example.com/authorize?x=1' && request.elicitationId === 'fixture-1');
      return { action: 'accept', content: {} };
    };
    assert.equal(text(await m.callTool(d.id, 'askUrl', { url: 'https://auth.example.com/authorize?x=1' })), 'accept');
    assert.ok(sink.has(/elicitation: asker asked "Authorize the fixture" \(url, auth\.example\.com\)/), sink.text());
    assert.equal(asked.length, 1);

    assert.equal(text(await m.callTool(d.id, 'askUrl', { url: 'http://evil.example.com/' })), 'decline');
    assert.equal(asked.length, 1, 'not asked');
    assert.match(refused[0], /only https: links .* this one is http:/);
    assert.equal(text(await m.callTool(d.id, 'askUrl', { url: 'javascript:alert(1)' })), 'decline');
    assert.equal(asked.length, 1, 'not asked');
  });

  it('without a UI no elicitation capability is declared (the server cannot ask)', async () => {
    const { m, d } = await start(false);
    const result = await m.callTool(d.id, 'askForm', {});
    assert.equal(result.isError, true);
    assert.match(text(result), /does not support form elicitation/);
  });
});

describe('RequestClock: a request\'s timers, paused while the server waits on the user', () => {
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

  it('the idle timeout fires; progress resets it; paused it never fires; the ceiling keeps what it had left', async () => {
    const idle = new RequestClock(60, 10_000);
    await sleep(100);
    assert.equal(idle.expired, 'idle');
    assert.ok(idle.signal.aborted);

    const paused = new RequestClock(40, 10_000, true);
    await sleep(100);
    assert.equal(paused.expired, undefined, 'paused from the start: nothing fires');
    paused.resume();
    for (let i = 0; i < 4; i++) { await sleep(20); paused.progress(); }
    assert.equal(paused.expired, undefined, 'progress keeps it alive');
    paused.dispose();

    const ceiling = new RequestClock(1_000, 120);
    await sleep(60);
    ceiling.pause();
    await sleep(150);
    assert.equal(ceiling.expired, undefined, 'the ceiling stands still while paused');
    ceiling.resume();
    await sleep(100);
    assert.equal(ceiling.expired, 'ceiling', 'and runs out with what it had left');
  });
});
