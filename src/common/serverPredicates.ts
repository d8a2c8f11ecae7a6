import type { ServerSnapshot } from './model';
import { type DefinitionState, type RuntimeState, assertNever } from './serverState';

/**
 * What the user may do with a server, derived from its two states. The one definition of these questions: the tree's
 * context values, the palette pickers, the status bar menu and Set Secret... all ask here.
 */

type WithStatus = Pick<ServerSnapshot, 'status'>;

/** Whether the definition can be started: ok, or a configuration that did not resolve at the last start (it may now). */
export function isRunnable(definition: DefinitionState): boolean {
  switch (definition.kind) {
    case 'ok': return true;
    case 'configError': return definition.atStart === true;
    case 'shadowed': case 'needsTrust': return false;
    default: return assertNever(definition);
  }
}

/** Its process runs or is on its way (starting, running, restarting): Stop applies. */
export function isActive(runtime: RuntimeState): boolean {
  switch (runtime.kind) {
    case 'starting': case 'running': case 'restarting': return true;
    case 'stopped': case 'failed': case 'needsSignIn': return false;
    default: return assertNever(runtime);
  }
}

/**
 * Started and not stopped since: active, or failed (it gave up on the configuration it started with). A restart of a
 * live server applies a changed secret or configuration.
 */
export function isLive({ status }: WithStatus): boolean {
  return isActive(status.runtime) || status.runtime.kind === 'failed';
}

/** Start applies: a runnable definition, and nothing running (stopped, failed, or waiting for a sign-in). */
export function canStart({ status }: WithStatus): boolean {
  return isRunnable(status.definition) && !isActive(status.runtime);
}

/** Stop applies: its process (or a pending restart) is alive. */
export function canStop({ status }: WithStatus): boolean {
  return isActive(status.runtime);
}

/** Restart applies: a live server whose definition can run. */
export function canRestart(s: WithStatus): boolean {
  return isRunnable(s.status.definition) && isLive(s);
}

/** Sign In applies: a remote server whose definition can run. */
export function canSignIn(s: Pick<ServerSnapshot, 'status' | 'transport'>): boolean {
  return (s.transport === 'http' || s.transport === 'sse') && isRunnable(s.status.definition);
}
