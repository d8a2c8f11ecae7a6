/**
 * The two timers of one request, ours rather than the SDK's (its timer cannot be paused): the idle timeout, which
 * progress resets, and the ceiling of all its time. Both stand still while the server waits on the user (an
 * elicitation is open: the server owns that wait's timeout, and the user may take minutes). On resume the idle timeout
 * starts afresh and the ceiling goes on with what it had left. `signal` aborts when one runs out (`expired` says which).
 */
export class RequestClock {
  private readonly controller = new AbortController();
  readonly signal = this.controller.signal;
  expired: 'idle' | 'ceiling' | undefined;
  private idle: NodeJS.Timeout | undefined;
  private ceiling: NodeJS.Timeout | undefined;
  private ceilingLeftMs: number;
  private resumedAt = 0;

  constructor(private readonly idleMs: number, ceilingMs: number, paused = false) {
    this.ceilingLeftMs = ceilingMs;
    if (!paused) this.resume();
  }

  resume(): void {
    if (this.ceiling || this.expired) return;
    this.resumedAt = performance.now();
    this.ceiling = setTimeout(() => this.expire('ceiling'), Math.max(0, this.ceilingLeftMs));
    this.armIdle();
  }

  pause(): void {
    if (!this.ceiling) return;
    this.ceilingLeftMs -= performance.now() - this.resumedAt;
    this.stop();
  }

  /** A progress notification: the idle timeout starts again (not while paused). */
  progress(): void {
    if (this.ceiling) this.armIdle();
  }

  dispose(): void { this.stop(); }

  private armIdle(): void {
    clearTimeout(this.idle);
    this.idle = setTimeout(() => this.expire('idle'), this.idleMs);
  }

  private expire(which: 'idle' | 'ceiling'): void {
    this.stop();
    this.expired = which;
    this.controller.abort(new Error(which === 'idle' ? `no answer within ${this.idleMs} ms` : 'exceeded its time in all'));
  }

  private stop(): void {
    clearTimeout(this.idle);
    clearTimeout(this.ceiling);
    this.idle = this.ceiling = undefined;
  }
}
