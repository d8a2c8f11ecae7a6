import { StringDecoder } from 'node:string_decoder';
import type { IDisposable } from '../common/lifecycle';
import type { Redactor } from '../common/redact';
import { LogBudget, type LogBudgetOptions } from './logBudget';

export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error';

/**
 * Where one server's output goes (the VS Code side wires it to the server's LogOutputChannel). Lines arrive already
 * redacted and tagged (`[server stderr] …`), in batches: one call per flush, not one per line.
 */
export interface ServerLogSink {
  append(level: LogLevel, lines: readonly string[]): void;
  /** Whether lines of this level are shown (the channel's log level); absent means always. Lets costly lines be skipped. */
  enabled?(level: LogLevel): boolean;
}

/** A sink that drops everything (servers started without a log). */
export const NULL_LOG_SINK: ServerLogSink = { append: () => undefined };

/** MCP `notifications/message` levels (RFC 5424) mapped onto the five levels of a VS Code LogOutputChannel. */
export function mcpLevelToLogLevel(level: string): LogLevel {
  switch (level) {
    case 'debug': return 'debug';
    case 'info': case 'notice': return 'info';
    case 'warning': return 'warn';
    case 'error': case 'critical': case 'alert': case 'emergency': return 'error';
    default: return 'info';
  }
}

/** stderr's budget (LogBudget), also the budget of a server's `notifications/message`. */
export interface StderrCollectorOptions extends LogBudgetOptions {
  /** Lines kept for the `failed` state's stderr tail. */
  readonly tailLines: number;
  /** Longer lines are cut (characters). */
  readonly maxLineLength: number;
  /**
   * Once a flush is full, stderr is read at most this fast (bytes per second): a server that writes faster waits on
   * its pipe, so a flood costs the machine a bounded share of CPU (in the server and in the host) instead of two cores.
   */
  readonly floodedBytesPerSecond: number;
}

export const DEFAULT_STDERR_OPTIONS: StderrCollectorOptions = {
  tailLines: 50,
  flushIntervalMs: 100,
  maxLinesPerFlush: 500,
  maxBytesPerFlush: 64 * 1024,
  window: { ms: 10_000, maxLines: 2_000, maxBytes: 256 * 1024 },
  maxLineLength: 4_096,
  floodedBytesPerSecond: 16 * 1024 * 1024,
};

/** The window of `floodedBytesPerSecond` (ms). */
const FLOOD_RATE_WINDOW_MS = 100;

/** How much of a chunk is decoded for the tail while lines are being dropped (bytes). */
const FLOOD_TAIL_DECODE_BYTES = 16 * 1024;
const STDERR_TAG = '[server stderr] ';

/**
 * A server's stderr: split into lines, kept in a bounded ring for the stderr tail, and written to the sink in
 * coalesced, redacted batches. Memory is bounded whatever the child writes: during a flood only newline counts
 * and the last few KiB of each chunk are looked at, and the overflow is reported as "N lines dropped".
 */
export class StderrCollector implements IDisposable {
  private readonly options: StderrCollectorOptions;
  private decoder = new StringDecoder('utf8');
  private carry = '';
  /** The last complete line as received (before redaction): the context for a secret split across lines. */
  private previous = '';
  private readonly budget: LogBudget;
  private readonly ring: string[] = [];
  private ringStart = 0;
  /**
   * While flooded: the last lines seen, as received. They are redacted into the ring only when the tail is read or
   * the flood ends, not for every chunk of it (that was most of what a 200 MB flood cost the host).
   */
  private floodTail: string[] = [];
  private windowStart = 0;
  private windowBytes = 0;
  private disposed = false;
  /** Total bytes seen, for diagnostics. */
  bytes = 0;

  constructor(sink: ServerLogSink, private readonly redactor: Redactor, options?: Partial<StderrCollectorOptions>) {
    this.options = { ...DEFAULT_STDERR_OPTIONS, ...options };
    this.budget = new LogBudget(sink, this.options, (n) => `${STDERR_TAG}… ${n} more lines not shown (stderr is writing faster than it can be logged)`);
  }

  /** Takes a chunk; returns how long the reader should wait before it reads more (ms; 0: read on). */
  push(chunk: Buffer): number {
    if (this.disposed) return 0;
    this.bytes += chunk.length;
    if (this.budget.full) this.pushFlooded(chunk);
    else this.pushLines(this.decoder.write(chunk));
    return this.readPause(chunk.length);
  }

  /** The last lines, redacted (for `failed.stderrTail` and error details). */
  tail(): string[] {
    this.settleFloodTail();
    const n = this.ring.length;
    const lines: string[] = [];
    for (let i = 0; i < n; i++) lines.push(this.ring[(this.ringStart + i) % n]);
    if (this.carry) lines.push(this.redactLine(this.carry));
    // Redacted again: a secret registered since a line arrived is masked too.
    return lines.slice(-this.options.tailLines).map((l) => this.redactor.redact(l));
  }

  /** Writes what is pending now (and the unterminated last line when `final`). */
  flush(final = false): void {
    if (final) {
      this.settleFloodTail();
      this.pushLines(this.decoder.end());
      if (this.carry) { this.addLine(this.carry); this.carry = ''; }
    }
    this.budget.flush();
  }

  dispose(): void {
    if (this.disposed) return;
    this.flush(true);
    this.budget.dispose();
    this.disposed = true;
  }

  private pushLines(text: string): void {
    if (!text) return;
    this.settleFloodTail();
    const parts = (this.carry + text).split('\n');
    this.carry = this.bound(parts.pop() ?? '');
    for (const p of parts) this.addLine(p);
  }

  /** Over budget: count the lines instead of decoding them; keep only the end of the chunk for the tail. */
  private pushFlooded(chunk: Buffer): void {
    let newlines = 0;
    for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) newlines++;
    if (newlines === 0) {
      if (this.carry.length < this.options.maxLineLength) this.carry = this.bound(this.carry + this.decoder.write(chunk));
      return;
    }
    this.decoder = new StringDecoder('utf8');
    const start = Math.max(0, chunk.length - FLOOD_TAIL_DECODE_BYTES);
    const parts = this.decoder.write(chunk.subarray(start)).split('\n');
    this.carry = this.bound(parts.pop() ?? '');
    // Lines fully inside the decoded window go to the tail; all of them count as dropped from the log.
    const complete = start === 0 ? parts : parts.slice(1);
    this.floodTail = [...this.floodTail, ...complete.slice(-this.options.tailLines)].slice(-this.options.tailLines);
    this.budget.drop(newlines);
  }

  /** While flooded, `floodedBytesPerSecond` per FLOOD_RATE_WINDOW_MS window: the rest of the window once it is used up. */
  private readPause(bytes: number): number {
    if (!this.budget.full) return 0;
    const now = performance.now();
    if (now - this.windowStart >= FLOOD_RATE_WINDOW_MS) { this.windowStart = now; this.windowBytes = 0; }
    this.windowBytes += bytes;
    const allowed = (this.options.floodedBytesPerSecond * FLOOD_RATE_WINDOW_MS) / 1000;
    return this.windowBytes >= allowed ? Math.max(1, Math.ceil(this.windowStart + FLOOD_RATE_WINDOW_MS - now)) : 0;
  }

  private settleFloodTail(): void {
    if (!this.floodTail.length) return;
    this.previous = '';
    for (const raw of this.floodTail) this.remember(this.line(raw));
    this.floodTail = [];
  }

  private addLine(raw: string): void {
    const line = this.line(raw);
    this.remember(line);
    this.budget.add('warn', STDERR_TAG + line); // counted as not shown once the flush is full
  }

  private remember(line: string): void {
    if (this.ring.length < this.options.tailLines) { this.ring.push(line); return; }
    this.ring[this.ringStart] = line;
    this.ringStart = (this.ringStart + 1) % this.ring.length;
  }

  /**
   * A complete line as it is kept and shown: redacted, then cut. Redacting first means a secret that crosses the cut is
   * still masked whole (no prefix of it shows); redactLine also masks a secret split across this line and the previous.
   */
  private line(raw: string): string {
    const text = raw.replace(/\r$/, '');
    const line = this.redactLine(this.bound(text));
    this.previous = text.slice(-this.redactor.longest);
    return line;
  }

  private redactLine(text: string): string {
    const redacted = this.redactor.redactLine(text, this.previous);
    return redacted.length > this.options.maxLineLength ? `${redacted.slice(0, this.options.maxLineLength)}…` : redacted;
  }

  /** Bounded for memory and CPU, with room for a secret that crosses the cut (the line is cut after redaction). */
  private bound(text: string): string {
    const max = this.options.maxLineLength + this.redactor.longest + 1;
    return text.length > max ? text.slice(0, max) : text;
  }
}
