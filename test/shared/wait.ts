/** How `until` waits. */
export interface UntilOptions {
  /** Give up (reject) after this long; default 15 s. */
  readonly timeoutMs?: number;
  /** Check again whenever this event fires (no polling), e.g. a ServersModel's onDidChange. */
  readonly on?: (listener: () => void) => { dispose(): unknown };
  /** Without `on`: check again this long after the last check; default 25 ms. */
  readonly intervalMs?: number;
  /** Appended to the timeout error (e.g. every server's state). */
  readonly detail?: () => string;
}

/**
 * The one wait of every test tier: resolves with the first value of `probe` that is neither undefined nor false,
 * checking at once, then on every `on` event or every `intervalMs`. Rejects when `probe` throws, or after `timeoutMs`
 * with "timed out waiting for <what>".
 */
export function until<T>(what: string, probe: () => T | undefined | false | Promise<T | undefined | false>, options: UntilOptions = {}): Promise<T> {
  const { timeoutMs = 15_000, intervalMs = 25, on, detail } = options;
  return new Promise<T>((resolve, reject) => {
    let settled = false;
    let checking = false;
    let recheck = false;
    let poll: NodeJS.Timeout | undefined;
    const settle = (done: () => void): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      clearTimeout(poll);
      subscription?.dispose();
      done();
    };
    const check = async (): Promise<void> => {
      if (settled) return;
      if (checking) { recheck = true; return; }
      checking = true;
      try {
        do {
          recheck = false;
          const value = await probe();
          if (value !== undefined && value !== false) { settle(() => resolve(value)); return; }
        } while (recheck && !settled);
      } catch (err) {
        settle(() => reject(err instanceof Error ? err : new Error(String(err))));
        return;
      } finally {
        checking = false;
      }
      if (!on && !settled) poll = setTimeout(() => { void check(); }, intervalMs);
    };
    const timer = setTimeout(() => settle(() => reject(new Error(`timed out waiting for ${what}${detail ? `; ${detail()}` : ''}`))), timeoutMs);
    const subscription = on?.(() => { void check(); });
    void check();
  });
}
