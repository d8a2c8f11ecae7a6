import * as assert from 'node:assert/strict';
import { REDACTED, Redactor } from '../../../src/common/redact';
import { StderrCollector, mcpLevelToLogLevel } from '../../../src/servers/logSink';
import { MemorySink } from './helpers';

describe('StderrCollector', () => {
  const collector = (sink: MemorySink, redactor = new Redactor(), opts = {}): StderrCollector =>
    new StderrCollector(sink, redactor, { flushIntervalMs: 10_000, ...opts });

  it('joins lines split across chunks, including a multi-byte character split in two', () => {
    const sink = new MemorySink();
    const c = collector(sink);
    const bytes = Buffer.from('héllo wörld\nsecond line\r\nthird');
    for (let i = 0; i < bytes.length; i += 3) c.push(bytes.subarray(i, i + 3)); // splits 'é' and 'ö'
    c.flush();
    assert.deepEqual(sink.lines.map((l) => l.line), ['[server stderr] héllo wörld', '[server stderr] second line']);
    c.dispose();
    assert.equal(sink.lines.at(-1)?.line, '[server stderr] third', 'the unterminated last line is written at the end');
    assert.ok(sink.lines.every((l) => l.level === 'warn'));
  });

  it('batches lines: one sink call per flush', () => {
    const sink = new MemorySink();
    const c = collector(sink);
    for (let i = 0; i < 50; i++) c.push(Buffer.from(`line ${i}\n`));
    assert.equal(sink.appendCalls, 0, 'nothing written before the flush');
    c.flush();
    assert.equal(sink.appendCalls, 1);
    assert.equal(sink.lines.length, 50);
    c.dispose();
  });

  it('bounds lines per flush, line length and the tail, and reports drops', () => {
    const sink = new MemorySink();
    const c = collector(sink, new Redactor(), { maxLinesPerFlush: 10, tailLines: 5, maxLineLength: 20 });
    const chunk = Buffer.from(Array.from({ length: 1000 }, (_, i) => `line ${i} ${'z'.repeat(30)}\n`).join(''));
    for (let i = 0; i < 100; i++) c.push(chunk);
    c.push(Buffer.from('the end\n'));
    c.flush();
    assert.equal(sink.lines.length, 11);
    assert.match(sink.lines[10].line, /… 99991 more lines not shown/);
    assert.ok(sink.lines.slice(0, 10).every((l) => l.line.length <= '[server stderr] '.length + 21));
    const tail = c.tail();
    assert.equal(tail.length, 5);
    assert.equal(tail.at(-1), 'the end');
    c.dispose();
  });

  it('while flooded, the tail is redacted once, when it is read, not for every chunk (a 200 MB flood cost the host a core)', () => {
    const sink = new MemorySink();
    const redactor = new Redactor();
    redactor.add('hunter2-secret');
    let redactions = 0;
    const redactLine = redactor.redactLine.bind(redactor);
    redactor.redactLine = (line, previous) => { redactions++; return redactLine(line, previous); };
    const c = collector(sink, redactor, { maxLinesPerFlush: 10, tailLines: 5 });
    c.push(Buffer.from(Array.from({ length: 10 }, (_, i) => `first ${i}\n`).join(''))); // fills the flush
    const chunk = Buffer.from(Array.from({ length: 1000 }, (_, i) => `line ${i} hunter2-secret\n`).join(''));
    for (let i = 0; i < 100; i++) c.push(chunk);
    assert.equal(redactions, 10, 'only the lines that are shown, so far');
    assert.deepEqual(c.tail(), [995, 996, 997, 998, 999].map((i) => `line ${i} ${REDACTED}`));
    assert.equal(redactions, 15, 'and the tail once');
    c.flush();
    assert.match(sink.lines.at(-1)?.line ?? '', /… 100000 more lines not shown/);
    c.dispose();
  });

  it('once a flush is full, asks the reader to wait when the window\'s flood allowance is read (backpressure on the server)', () => {
    const sink = new MemorySink();
    // 640 KiB/s: 64 KiB per 100 ms window.
    const c = collector(sink, new Redactor(), { maxLinesPerFlush: 10, floodedBytesPerSecond: 640 * 1024 });
    const chunk = Buffer.from(Array.from({ length: 160 }, (_, i) => `line ${String(i).padStart(3, '0')} ${'z'.repeat(90)}\n`).join('')); // 16 000 B
    assert.equal(c.push(Buffer.from('one line\n')), 0, 'not flooded: read on');
    const waits = Array.from({ length: 5 }, () => c.push(chunk));
    assert.deepEqual(waits.slice(0, 4), [0, 0, 0, 0], 'within the allowance (65 536 B)');
    assert.ok(waits[4] > 0 && waits[4] <= 100, `the rest of the window: ${waits[4]} ms`);
    c.flush();
    assert.equal(c.push(Buffer.from('after the flush\n')), 0, 'a new flush reads on');
    c.dispose();
  });

  it('bounds an endless line without newlines', () => {
    const sink = new MemorySink();
    const c = collector(sink, new Redactor(), { maxLineLength: 100, maxLinesPerFlush: 1 });
    c.push(Buffer.from('a\nb\n'));
    for (let i = 0; i < 200; i++) c.push(Buffer.alloc(64 * 1024, 120));
    assert.ok(c.tail().every((l) => l.length <= 101));
    c.dispose();
  });

  it('redacts registered secrets and credential shapes', () => {
    const sink = new MemorySink();
    const redactor = new Redactor();
    redactor.add('hunter2-secret');
    const c = collector(sink, redactor);
    c.push(Buffer.from('password is hunter2-secret\nAuthorization: Bearer abc.def.ghi\n'));
    c.flush();
    assert.ok(!sink.has(/hunter2-secret|abc\.def\.ghi/), sink.text());
    assert.ok(c.tail().every((l) => !l.includes('hunter2-secret')));
    c.dispose();
  });

  it('masks a secret split across two lines, and one that crosses the line-length cut (review L1, P1)', () => {
    const sink = new MemorySink();
    const redactor = new Redactor();
    const secret = 'Zq9+xW/7kPa=Lm3';
    redactor.add(secret);
    const c = collector(sink, redactor, { maxLineLength: 100 });
    c.push(Buffer.from(`part1=${secret.slice(0, 7)}\n${secret.slice(7)} part2\n`));
    c.push(Buffer.from(`${'x'.repeat(95)}${secret} and more\n`));
    // The same line, arriving in chunks (the unterminated line is bounded before it is complete).
    for (const piece of [`${'y'.repeat(60)}`, `${'y'.repeat(35)}${secret.slice(0, 4)}`, `${secret.slice(4)} end\n`]) c.push(Buffer.from(piece));
    c.push(Buffer.from(`unterminated ${secret.slice(0, 6)}`));
    c.flush();
    const shown = [...sink.lines.map((l) => l.line), ...c.tail()];
    for (const line of shown) {
      for (const piece of [secret.slice(0, 7), secret.slice(7), secret.slice(0, 5), secret.slice(4, 9)]) assert.ok(!line.includes(piece), `${piece} in ${line}`);
    }
    assert.ok(sink.has(/part1=•••• *$/) && sink.has(/^\[server stderr\] •••• part2$/), sink.text());
    assert.ok(sink.has(/x{95}••••/) && sink.has(/y{95}••••/), sink.text());
    c.dispose();
  });

  it('maps MCP log levels onto LogOutputChannel levels', () => {
    assert.deepEqual(['debug', 'info', 'notice', 'warning', 'error', 'critical', 'alert', 'emergency', 'odd'].map(mcpLevelToLogLevel),
      ['debug', 'info', 'info', 'warn', 'error', 'error', 'error', 'error', 'info']);
  });
});
