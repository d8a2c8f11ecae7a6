/**
 * StdioTransport's framing: it splits stdout into lines itself and parses each with the SDK's `deserializeMessage`,
 * so a line that is not JSON-RPC is warned about whatever the SDK's own ReadBuffer would do with it. Real child
 * processes (`node -e`) write the bytes.
 */
import * as assert from 'node:assert/strict';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { Redactor } from '../../../src/common/redact';
import { makeServerId } from '../../../src/common/serverId';
import { StdioTransport, type StdioTransportOptions } from '../../../src/servers/stdioTransport';
import { until } from '../../shared/wait';
import { MemorySink, repoRoot } from './helpers';

/** Runs `script` (its stdout is what the transport reads; it exits when stdin closes) until `count` messages came. */
async function read(script: string, count: number, options: StdioTransportOptions = {}): Promise<{ methods: string[]; sink: MemorySink; ms: number }> {
  const sink = new MemorySink();
  const t = new StdioTransport(
    { type: 'stdio', command: process.execPath, args: ['-e', `${script}\nprocess.stdin.resume(); process.stdin.on('end', () => process.exit(0));`], env: { PATH: process.env['PATH'] ?? '' }, cwd: repoRoot() },
    { serverId: makeServerId({ kind: 'userSettings' }, 'framing'), serverName: 'framing', sink, redactor: new Redactor() },
    { stdinGraceMs: 500, termGraceMs: 500, ...options },
  );
  const methods: string[] = [];
  let lastAt = 0;
  t.onmessage = (m: JSONRPCMessage) => {
    lastAt = performance.now();
    methods.push('method' in m ? m.method : `#${String('id' in m ? m.id : '?')}`);
  };
  const t0 = performance.now();
  await t.start();
  try {
    await until(`${count} messages`, () => methods.length >= count, { detail: () => `${methods.length}: ${sink.text()}` });
  } finally { await t.terminate(); }
  return { methods, sink, ms: lastAt - t0 };
}

const msg = (method: string, params?: unknown): string => JSON.stringify({ jsonrpc: '2.0', method, ...(params ? { params } : {}) });
const warnings = (sink: MemorySink): string[] => sink.lines.filter((l) => l.level === 'warn' && l.line.includes('not JSON-RPC')).map((l) => l.line);

describe('StdioTransport framing (real child processes)', function () {
  this.timeout(30_000);

  it('\\r\\n, a message across writes, several in one write; garbage lines warned about, then only every 1000th', async () => {
    const script = `
      const w = (s) => process.stdout.write(s);
      w(${JSON.stringify(`${msg('a')}\r\n`)});
      w(${JSON.stringify(msg('b').slice(0, 10))});
      setTimeout(() => {
        w(${JSON.stringify(`${msg('b').slice(10)}\n${msg('c')}\n${msg('d')}\n`)});
        w('this is not json-rpc\\n{"json":"but not rpc"}\\n\\n' + 'garbage\\n'.repeat(997));
        w(${JSON.stringify(`${msg('e')}\n`)});
      }, 100);`;
    const { methods, sink } = await read(script, 5);
    assert.deepEqual(methods, ['a', 'b', 'c', 'd', 'e']);
    const lines = warnings(sink);
    assert.equal(lines.length, 21, lines.join('\n')); // #1..#20 and #1000
    assert.match(lines[0], /^\[transport\] ignored a stdout line that is not JSON-RPC \(#1; servers must log to stderr\): .*JSON/);
    assert.match(lines[1], /\(#2; servers must log to stderr\): valid JSON but not a JSON-RPC message$/);
    assert.match(lines[2], /\(#3; /, 'an empty line is not JSON-RPC either');
    assert.match(lines[20], /\(#1000; /);
  });

  it('a message over maxMessageBytes is dropped, in one write or many; the next one comes through', async () => {
    const big = msg('big', { x: 'y'.repeat(5_000) });
    const script = `
      const w = (s) => process.stdout.write(s);
      w(${JSON.stringify(`${big}\n${msg('ok1')}\n`)});
      const parts = ${JSON.stringify([big.slice(0, 2_000), big.slice(2_000, 4_000), big.slice(4_000)])};
      parts.forEach((p, i) => setTimeout(() => w(p), 50 * (i + 1)));
      setTimeout(() => w(${JSON.stringify(`\n${msg('ok2')}\n`)}), 250);`;
    const { methods, sink } = await read(script, 2, { maxMessageBytes: 1_000 });
    assert.deepEqual(methods, ['ok1', 'ok2']);
    assert.equal(sink.lines.filter((l) => l.level === 'error' && l.line === '[transport] a message on stdout exceeds 1000 bytes; dropping it').length, 2, sink.text());
    assert.deepEqual(warnings(sink), [], 'a dropped message is not garbage');
  });

  it('a 10 MB message, then 10,000 small ones in one burst', async () => {
    const script = `
      process.stdout.write(JSON.stringify({ jsonrpc: '2.0', method: 'big', params: { x: 'y'.repeat(10 * 1024 * 1024) } }) + '\\n');
      let s = ''; for (let i = 0; i < 10000; i++) s += JSON.stringify({ jsonrpc: '2.0', method: 'm' + i }) + '\\n';
      process.stdout.write(s);`;
    const { methods, ms } = await read(script, 10_001);
    assert.equal(methods[0], 'big');
    assert.deepEqual(methods.slice(1), Array.from({ length: 10_000 }, (_, i) => `m${i}`));
    assert.ok(ms < 5_000, `${Math.round(ms)} ms from the start to the last message`);
  });
});
