import type { IDisposable } from '../common/lifecycle';
import type { LogLevel, ServerLogSink } from './logSink';

export interface LogBudgetOptions {
  /** Lines are batched and written to the sink at most this often (ms). */
  readonly flushIntervalMs: number;
  /** At most this many lines per flush reach the sink; the rest are counted and reported as not shown. */
  readonly maxLinesPerFlush: number;
  /** At most this many bytes (UTF-8) of lines per flush reach the sink; the rest are counted likewise. */
  readonly maxBytesPerFlush: number;
  /**
   * The sustained budget: at most this many lines and bytes per `windowMs` (absent: no limit beyond the flush's).
   * A flush's budget is a burst; this keeps a server that writes without end from writing the log (a file, and the
   * Output view) at the burst's rate for ever.
   */
  readonly window?: { readonly ms: number; readonly maxLines: number; readonly maxBytes: number };
}

/**
 * The line and byte budget of one server output stream (stderr, `notifications/message`): lines are queued, written
 * in one sink call per level run per flush, and whatever does not fit in a flush is only counted, then reported with
 * `notShown(n)`. Memory and log volume stay bounded whatever the server writes.
 */
export class LogBudget implements IDisposable {
  private pending: { level: LogLevel; line: string }[] = [];
  private pendingBytes = 0;
  private dropped = 0;
  private windowStart = 0;
  private windowLines = 0;
  private windowBytes = 0;
  private timer: NodeJS.Timeout | undefined;
  private disposed = false;

  constructor(
    private readonly sink: ServerLogSink,
    private readonly options: LogBudgetOptions,
    /** The line that reports `n` lines left out of a flush. */
    private readonly notShown: (n: number) => string,
  ) {}

  /** This flush is full: count further lines with `drop()` rather than formatting them. */
  get full(): boolean {
    return this.pending.length >= this.options.maxLinesPerFlush || this.pendingBytes >= this.options.maxBytesPerFlush
      || this.windowFull();
  }

  /** Queues a line (already redacted and tagged) for the next flush, or counts it when the flush is full. */
  add(level: LogLevel, line: string): void {
    if (this.disposed) return;
    if (this.full) { this.drop(); return; }
    const bytes = Buffer.byteLength(line);
    this.pending.push({ level, line });
    this.pendingBytes += bytes;
    this.windowLines++;
    this.windowBytes += bytes;
    this.schedule();
  }

  /** Counts `n` lines that are not shown. */
  drop(n = 1): void {
    if (this.disposed) return;
    this.dropped += n;
    this.schedule();
  }

  /** Writes what is pending now: one sink call per run of lines of one level, the "not shown" count last. */
  flush(): void {
    if (this.timer) { clearTimeout(this.timer); this.timer = undefined; }
    if (!this.pending.length && !this.dropped) return;
    const runs: { level: LogLevel; lines: string[] }[] = [];
    for (const { level, line } of this.pending) {
      const last = runs.at(-1);
      if (last?.level === level) last.lines.push(line); else runs.push({ level, lines: [line] });
    }
    if (this.dropped) {
      const note = this.notShown(this.dropped);
      const last = runs.at(-1);
      if (last?.level === 'warn') last.lines.push(note); else runs.push({ level: 'warn', lines: [note] });
    }
    this.pending = [];
    this.pendingBytes = 0;
    this.dropped = 0;
    for (const run of runs) this.sink.append(run.level, run.lines);
  }

  dispose(): void {
    if (this.disposed) return;
    this.flush();
    this.disposed = true;
  }

  private windowFull(): boolean {
    const { window } = this.options;
    if (!window) return false;
    const now = performance.now();
    if (now - this.windowStart >= window.ms) { this.windowStart = now; this.windowLines = 0; this.windowBytes = 0; }
    return this.windowLines >= window.maxLines || this.windowBytes >= window.maxBytes;
  }

  private schedule(): void {
    if (this.timer || this.disposed) return;
    this.timer = setTimeout(() => { this.timer = undefined; this.flush(); }, this.options.flushIntervalMs);
  }
}
