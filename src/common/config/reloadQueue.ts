/**
 * Serializes and coalesces reloads: runs never overlap (`p = p.then(run, run)`), so a slow earlier reload cannot
 * finish after (and undo) a newer one; requests made while a run is still waiting to start share that run.
 */
export class ReloadQueue {
  private queue: Promise<void> = Promise.resolve();
  private pending: Promise<void> | undefined;

  constructor(private readonly run: () => Promise<void>) {}

  /** Never rejects: a failing run is reported by `run` itself and does not block later ones. */
  request(): Promise<void> {
    if (this.pending) return this.pending;
    const step = async () => {
      this.pending = undefined;
      try { await this.run(); } catch { /* the run logs its own failures */ }
    };
    this.pending = this.queue = this.queue.then(step, step);
    return this.pending;
  }
}
