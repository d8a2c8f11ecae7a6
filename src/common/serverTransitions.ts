import type { LaunchPreparation, ResolvedLaunch } from './config/types';
import type { RestartDecision } from './restartPolicy';
import { type RuntimeState, type ServerCapabilities, type ServerInfo, STOPPED, assertNever } from './serverState';

/** What happened to a supervised server. Every runtime state change is one of these, from process/protocol events. */
export type RuntimeEvent =
  /** An explicit start (a user command, auto-start): a fresh crash budget. */
  | { readonly type: 'startRequested'; readonly now: number }
  /** The restart timer fired. */
  | { readonly type: 'restartDue'; readonly now: number }
  /** The start gate answered: a launch to run, or why not. */
  | { readonly type: 'prepared'; readonly preparation: LaunchPreparation }
  /** Nothing ran, in a way a restart cannot fix (command not found, unsupported transport, refused connection). */
  | { readonly type: 'startFailed'; readonly reason: string }
  | { readonly type: 'spawned'; readonly pid: number | undefined }
  | {
      readonly type: 'initialized';
      readonly now: number;
      readonly serverInfo?: ServerInfo;
      readonly protocolVersion?: string;
      readonly capabilities?: ServerCapabilities;
      readonly instructions?: string;
    }
  /** The first listing of the catalog after initialize completed. */
  | { readonly type: 'listed' }
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
  /** A remote server needs an interactive sign-in (no tokens, refresh rejected, step-up): never restarted. */
  | { readonly type: 'signInRequired'; readonly reason: string }
  /** A graceful stop was asked for. */
  | { readonly type: 'stopRequested' }
  /** The stop finished: the process (if there was one) is gone. */
  | { readonly type: 'stopped' };

export type RuntimeEventType = RuntimeEvent['type'];

/** Why the callers waiting for a start are let down. */
export type StartRejection =
  | { readonly kind: 'cancelled' }
  | { readonly kind: 'failed'; readonly reason: string }
  | { readonly kind: 'signInRequired'; readonly reason: string }
  | { readonly kind: 'needsTrust' }
  | { readonly kind: 'configError'; readonly reason: string };

/** What the supervisor does about a transition; it runs them in order, after the new state is set. */
export type RuntimeEffect =
  /** Forget past crashes and the restart count (an explicit start). */
  | { readonly type: 'resetRestartBudget' }
  /** Ask the start gate for a launch of the current definition (answers with `prepared`). */
  | { readonly type: 'prepare' }
  /** Open a session for this launch: spawn or connect, then initialize (answers with spawned/initialized/exited…). */
  | { readonly type: 'connect'; readonly launch: ResolvedLaunch }
  /** The session initialized: log level, ping, first listing (answers with `listed`). */
  | { readonly type: 'activate' }
  /** Restart after `delayMs` (answers with `restartDue`). */
  | { readonly type: 'scheduleRestart'; readonly delayMs: number }
  | { readonly type: 'cancelRestart' }
  /** Drop the answer of a start gate still at work. */
  | { readonly type: 'cancelPreparation' }
  /** Close the session gracefully, if there is one (answers with `stopped` once its process is gone, or at once). */
  | { readonly type: 'closeSession' }
  | { readonly type: 'resolveWaiters' }
  | { readonly type: 'rejectWaiters'; readonly because: StartRejection }
  /** Resolving the configuration for a start failed: the definition shows `configError` until the next start. */
  | { readonly type: 'reportConfigError'; readonly reason: string };

export interface Transition {
  readonly state: RuntimeState;
  readonly effects: readonly RuntimeEffect[];
}

type Of<K extends RuntimeState['kind']> = Extract<RuntimeState, { readonly kind: K }>;

const stay = (state: RuntimeState): Transition => ({ state, effects: [] });
const to = (state: RuntimeState, ...effects: RuntimeEffect[]): Transition => ({ state, effects });
const reject = (because: StartRejection): RuntimeEffect => ({ type: 'rejectWaiters', because });
const CANCELLED = reject({ kind: 'cancelled' });
const starting = (now: number): RuntimeState => ({ kind: 'starting', since: now });

/**
 * The runtime reducer: a total state × event table. Each state lists every event; an event that does not apply to a
 * state (a late event of an old process, a timer that lost a race) leaves it unchanged and does nothing. Pure: the
 * effects are run by the supervisor.
 */
export function transition(state: RuntimeState, event: RuntimeEvent): Transition {
  switch (state.kind) {
    case 'stopped': return fromIdle(state, event);
    case 'failed': return fromIdle(state, event);
    case 'needsSignIn': return fromIdle(state, event);
    case 'starting': return fromStarting(state, event);
    case 'running': return fromRunning(state, event);
    case 'restarting': return fromRestarting(state, event);
    default: return assertNever(state);
  }
}

/** The state part of `transition`. */
export function reduceServerState(state: RuntimeState, event: RuntimeEvent): RuntimeState {
  return transition(state, event).state;
}

/** No process, nothing pending: stopped, failed, needsSignIn. */
function fromIdle(state: Of<'stopped' | 'failed' | 'needsSignIn'>, event: RuntimeEvent): Transition {
  switch (event.type) {
    case 'startRequested': return to(starting(event.now), { type: 'resetRestartBudget' }, { type: 'prepare' });
    // A stop leaves a failed server failed (its reason stays visible) and ends the wait for a sign-in.
    case 'stopRequested': case 'stopped': return to(state.kind === 'needsSignIn' ? STOPPED : state, CANCELLED);
    case 'restartDue': case 'prepared': case 'startFailed': case 'spawned': case 'initialized': case 'listed':
    case 'exited': case 'signInRequired':
      return stay(state);
    default: return assertNever(event);
  }
}

function fromStarting(state: Of<'starting'>, event: RuntimeEvent): Transition {
  switch (event.type) {
    case 'prepared': {
      const p = event.preparation;
      switch (p.kind) {
        case 'ready': return to(state, { type: 'connect', launch: p.launch });
        case 'cancelled': return to(STOPPED, CANCELLED);
        case 'needsTrust': return to(STOPPED, reject({ kind: 'needsTrust' }));
        case 'configError': return to(STOPPED, { type: 'reportConfigError', reason: p.reason }, reject({ kind: 'configError', reason: p.reason }));
        default: return assertNever(p);
      }
    }
    case 'startFailed': return to({ kind: 'failed', reason: event.reason }, reject({ kind: 'failed', reason: event.reason }));
    case 'spawned': return to({ kind: 'starting', since: state.since, pid: event.pid });
    case 'initialized':
      return to({
        kind: 'running', since: event.now, pid: state.pid,
        serverInfo: event.serverInfo, ...(event.protocolVersion ? { protocolVersion: event.protocolVersion } : {}),
        capabilities: event.capabilities, instructions: event.instructions,
      }, { type: 'activate' });
    case 'exited': return exited(event);
    case 'signInRequired': return to({ kind: 'needsSignIn', reason: event.reason }, reject({ kind: 'signInRequired', reason: event.reason }));
    // It keeps its state until the process is gone (the gate may still be asking; the session may be initializing).
    case 'stopRequested': return to(state, { type: 'cancelPreparation' }, { type: 'closeSession' });
    case 'stopped': return to(STOPPED, CANCELLED);
    // Already on its way: a second start waits for this one.
    case 'startRequested': case 'restartDue': case 'listed':
      return stay(state);
    default: return assertNever(event);
  }
}

function fromRunning(state: Of<'running'>, event: RuntimeEvent): Transition {
  switch (event.type) {
    case 'listed': return to(state, { type: 'resolveWaiters' });
    case 'exited': return exited(event);
    case 'signInRequired': return to({ kind: 'needsSignIn', reason: event.reason }, reject({ kind: 'signInRequired', reason: event.reason }));
    case 'stopRequested': return to(state, { type: 'closeSession' });
    case 'stopped': return to(STOPPED, CANCELLED);
    case 'startRequested': case 'restartDue': case 'prepared': case 'startFailed': case 'spawned': case 'initialized':
      return stay(state);
    default: return assertNever(event);
  }
}

function fromRestarting(state: Of<'restarting'>, event: RuntimeEvent): Transition {
  switch (event.type) {
    case 'startRequested': return to(starting(event.now), { type: 'cancelRestart' }, { type: 'resetRestartBudget' }, { type: 'prepare' });
    case 'restartDue': return to(starting(event.now), { type: 'prepare' });
    // No process while waiting to restart: stopping is cancelling the restart.
    case 'stopRequested': case 'stopped': return to(STOPPED, { type: 'cancelRestart' }, CANCELLED);
    case 'prepared': case 'startFailed': case 'spawned': case 'initialized': case 'listed': case 'exited': case 'signInRequired':
      return stay(state);
    default: return assertNever(event);
  }
}

/** An unexpected end of a starting or running server, as the restart policy decided. */
function exited(event: Extract<RuntimeEvent, { type: 'exited' }>): Transition {
  const d = event.decision;
  switch (d.action) {
    case 'restart':
      return to({ kind: 'restarting', attempt: d.attempt, nextTryAt: event.now + d.delayMs, reason: event.reason }, { type: 'scheduleRestart', delayMs: d.delayMs });
    case 'giveUp': {
      const loop = d.crashes > 1 ? ` (${d.crashes} crashes within ${Math.round(d.windowMs / 1000)} s; not restarting)` : '';
      const reason = `${event.reason}${loop}`;
      return to({ kind: 'failed', reason, exitCode: event.exitCode, signal: event.signal, stderrTail: event.stderrTail }, reject({ kind: 'failed', reason }));
    }
    case 'none': return to(STOPPED, CANCELLED);
    default: return assertNever(d);
  }
}
