import * as assert from 'node:assert/strict';
import { Redactor } from '../../../src/common/redact';
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

  it('maps MCP log levels onto LogOutputChannel levels', () => {
    assert.deepEqual(['debug', 'info', 'notice', 'warning', 'error', 'critical', 'alert', 'emergency', 'odd'].map(mcpLevelToLogLevel),
      ['debug', 'info', 'info', 'warn', 'error', 'error', 'error', 'error', 'info']);
  });
});
