import { monitorEventLoopDelay } from 'node:perf_hooks';

export interface Lag { /** ms */ p99: number; /** ms */ max: number }

/**
 * Measures this process's event-loop lag: how much later than scheduled a timer fires, in ms. Node's histogram
 * records the whole interval between its timer's ticks (its resolution plus the delay: an idle loop reads 10–11 ms at
 * a 10 ms resolution), so the resolution is subtracted here.
 */
export function watchEventLoopLag(resolutionMs = 10): { stop(): Lag } {
  const h = monitorEventLoopDelay({ resolution: resolutionMs });
  h.enable();
  const delay = (ns: number): number => Math.max(0, ns / 1e6 - resolutionMs);
  return {
    stop: () => {
      h.disable();
      return { p99: delay(h.percentile(99)), max: delay(h.max) };
    },
  };
}
