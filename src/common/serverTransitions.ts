import type { RestartDecision } from './restartPolicy';
import type { ServerCapabilities, ServerInfo, ServerState } from './serverState';

/** What happened to a supervised server. Every state change is one of these, derived from process/protocol events. */
export type SupervisionEvent =
  | { readonly type: 'startRequested'; readonly now: number }
  | { readonly type: 'spawned'; readonly pid: number | undefined }
  | {
      readonly type: 'initialized';
      readonly now: number;
      readonly serverInfo?: ServerInfo;
      readonly capabilities?: ServerCapabilities;
      readonly instructions?: string;
    }
  /** The connection ended without being asked to; `decision` is the restart policy's answer. */
  | {
      readonly type: 'exited';
      readonly now: number;
      readonly reason: string;
      readonly decision: RestartDecision;
      readonly exitCode?: number | null;
      readonly signal?: string | null;
      readonly stderrTail?: readonly string[];
    }
  /** A start failed before a process existed in a way a restart cannot fix (command not found, bad config). */
  | { readonly type: 'startFailed'; readonly reason: string }
  /** A remote server needs an interactive sign-in (no tokens, refresh rejected, step-up): never restarted. */
  | { readonly type: 'signInRequired'; readonly reason: string }
  /** Stop finished (or a pending restart was cancelled). */
  | { readonly type: 'stopped' };

/**
 * The pure transition function of one server's state. Unexpected events for a state leave it unchanged, so a late
 * event from an old process cannot move a newer one.
 */
export function reduceServerState(state: ServerState, event: SupervisionEvent): ServerState {
  switch (event.type) {
    case 'startRequested':
      return { kind: 'starting', since: event.now };
    case 'spawned':
      return state.kind === 'starting' ? { kind: 'starting', since: state.since, pid: event.pid } : state;
    case 'initialized':
      if (state.kind !== 'starting') return state;
      return {
        kind: 'running',
        since: event.now,
        pid: state.pid,
        serverInfo: event.serverInfo,
        capabilities: event.capabilities,
        instructions: event.instructions,
      };
    case 'exited': {
      if (state.kind !== 'starting' && state.kind !== 'running') return state;
      const d = event.decision;
      switch (d.action) {
        case 'restart':
          return { kind: 'restarting', attempt: d.attempt, nextTryAt: event.now + d.delayMs, reason: event.reason };
        case 'giveUp': {
          const loop = d.crashes > 1 ? ` (${d.crashes} crashes within ${Math.round(d.windowMs / 1000)} s; not restarting)` : '';
          return {
            kind: 'failed',
            reason: `${event.reason}${loop}`,
            exitCode: event.exitCode,
            signal: event.signal,
            stderrTail: event.stderrTail,
          };
        }
        case 'none':
          return { kind: 'stopped' };
      }
      return state;
    }
    case 'startFailed':
      return { kind: 'failed', reason: event.reason };
    case 'signInRequired':
      return state.kind === 'starting' || state.kind === 'running' || state.kind === 'restarting' ? { kind: 'needsSignIn', reason: event.reason } : state;
    case 'stopped':
      return { kind: 'stopped' };
  }
}
