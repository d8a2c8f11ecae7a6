import type { RestartPolicyOptions } from './config/types';

/** Crashes tolerated inside the crash-loop window; one more and the server is given up on. */
export const DEFAULT_MAX_RESTARTS = 5;
/** The crash-loop window, in milliseconds (3 minutes). */
export const DEFAULT_RESTART_WINDOW_MS = 180_000;
/** Backoff before the first restart, in milliseconds; doubles per crash inside the window. */
export const RESTART_BACKOFF_BASE_MS = 1_000;
/** Upper bound of one backoff delay, in milliseconds. */
export const RESTART_BACKOFF_MAX_MS = 30_000;

/** Why a server's connection ended, as far as the restart policy cares. */
export type ExitCause =
  /** The user (or the extension on their behalf: stop, restart, reload, deactivate) asked for it. */
  | 'requested'
  /** Anything else: a crash, an unexpected exit (even with code 0), a startup failure, a failed health check. */
  | 'unexpected';

export type RestartDecision =
  | { readonly action: 'none' }
  | { readonly action: 'restart'; readonly attempt: number; readonly delayMs: number }
  | { readonly action: 'giveUp'; readonly crashes: number; readonly windowMs: number };

export interface ResolvedRestartPolicy {
  readonly enabled: boolean;
  readonly maxRestarts: number;
  readonly windowMs: number;
  readonly backoffBaseMs: number;
  readonly backoffMaxMs: number;
}

export function resolveRestartPolicy(options: RestartPolicyOptions | false | undefined): ResolvedRestartPolicy {
  const o = options === false ? {} : options ?? {};
  const nonNegative = (v: number | undefined, d: number): number => (v !== undefined && Number.isFinite(v) && v >= 0 ? v : d);
  const backoffBaseMs = nonNegative(o.backoffBaseMs, RESTART_BACKOFF_BASE_MS);
  return {
    enabled: options !== false,
    maxRestarts: Math.floor(nonNegative(o.maxRestarts, DEFAULT_MAX_RESTARTS)),
    windowMs: nonNegative(o.windowMs, DEFAULT_RESTART_WINDOW_MS),
    backoffBaseMs,
    backoffMaxMs: Math.max(backoffBaseMs, nonNegative(o.backoffMaxMs, RESTART_BACKOFF_MAX_MS)),
  };
}

/**
 * Exponential backoff with "equal jitter": half of the exponential delay is fixed, the other half random, so
 * restarts of many servers that crashed together spread out yet never come back immediately.
 * `attempt` starts at 1. `random` returns [0, 1).
 */
export function backoffDelayMs(attempt: number, baseMs: number, maxMs: number, random: () => number): number {
  const exp = Math.min(maxMs, baseMs * 2 ** Math.max(0, Math.min(attempt - 1, 30)));
  const r = Math.min(Math.max(random(), 0), 1);
  return Math.round(exp / 2 + (exp / 2) * r);
}

/**
 * The restart policy of one server: pure bookkeeping of crash times, no timers. The owner asks it what to do after
 * each exit and acts on the answer. More than `maxRestarts` crashes inside `windowMs` → give up.
 */
export class RestartPolicy {
  private _options: ResolvedRestartPolicy;
  private crashes: number[] = [];

  constructor(options: RestartPolicyOptions | false | undefined, private readonly random: () => number = Math.random) {
    this._options = resolveRestartPolicy(options);
  }

  get options(): ResolvedRestartPolicy { return this._options; }

  /** New limits (a changed definition): they apply from the next exit on; crashes already counted stay counted. */
  setOptions(options: RestartPolicyOptions | false | undefined): void {
    this._options = resolveRestartPolicy(options);
  }

  /** Crashes counted inside the window ending at `now`. */
  crashCount(now: number): number {
    this.prune(now);
    return this.crashes.length;
  }

  /** Records an exit and decides. An exit the user asked for is never restarted and is not counted. */
  onExit(cause: ExitCause, now: number): RestartDecision {
    if (cause === 'requested') return { action: 'none' };
    this.prune(now);
    this.crashes.push(now);
    const crashes = this.crashes.length;
    if (!this.options.enabled || crashes > this.options.maxRestarts) {
      return { action: 'giveUp', crashes, windowMs: this.options.windowMs };
    }
    return {
      action: 'restart',
      attempt: crashes,
      delayMs: backoffDelayMs(crashes, this.options.backoffBaseMs, this.options.backoffMaxMs, this.random),
    };
  }

  /** Forgets past crashes: an explicit Start/Restart by the user begins a fresh budget. */
  reset(): void { this.crashes = []; }

  private prune(now: number): void {
    const from = now - this.options.windowMs;
    this.crashes = this.crashes.filter((t) => t > from && t <= now);
  }
}
