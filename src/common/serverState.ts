import type { ServerId } from './serverId';

/** What a running server told us in its initialize result. */
export interface ServerInfo {
  readonly name: string;
  readonly version: string;
  readonly title?: string;
}

export interface ServerCapabilities {
  readonly tools?: object;
  readonly resources?: object;
  readonly prompts?: object;
  readonly logging?: object;
  readonly completions?: object;
}

/** The one discriminated union of a server's state. Transitions come from events, never from polling. */
export type ServerState =
  | { readonly kind: 'stopped' }
  | { readonly kind: 'starting'; readonly since: number; readonly pid?: number }
  | {
      readonly kind: 'running';
      readonly since: number;
      readonly pid?: number;
      readonly serverInfo?: ServerInfo;
      readonly capabilities?: ServerCapabilities;
      readonly instructions?: string;
    }
  | { readonly kind: 'restarting'; readonly attempt: number; readonly nextTryAt: number; readonly reason: string }
  | {
      readonly kind: 'failed';
      readonly reason: string;
      readonly exitCode?: number | null;
      readonly signal?: string | null;
      readonly stderrTail?: readonly string[];
    }
  | { readonly kind: 'needsTrust' }
  | { readonly kind: 'needsSignIn'; readonly reason?: string }
  | { readonly kind: 'configError'; readonly reason: string }
  | { readonly kind: 'shadowed'; readonly by: ServerId };

export type ServerStateKind = ServerState['kind'];

export function assertNever(value: never): never {
  throw new Error(`unexpected value: ${JSON.stringify(value)}`);
}

interface StatePresentation {
  /** Codicon id (without `$(…)`). */
  readonly icon: string;
  /** Theme color id for the icon, if any. */
  readonly color?: string;
  /** The state's word, for accessibility labels and descriptions. */
  readonly word: string;
}

export function presentState(kind: ServerStateKind): StatePresentation {
  switch (kind) {
    case 'stopped': return { icon: 'circle-large-outline', word: 'stopped' };
    case 'starting': return { icon: 'loading~spin', word: 'starting' };
    case 'running': return { icon: 'pass-filled', color: 'testing.iconPassed', word: 'running' };
    case 'restarting': return { icon: 'sync~spin', color: 'problemsWarningIcon.foreground', word: 'restarting' };
    case 'failed': return { icon: 'error', color: 'problemsErrorIcon.foreground', word: 'failed' };
    case 'needsTrust': return { icon: 'workspace-untrusted', color: 'problemsWarningIcon.foreground', word: 'needs workspace trust' };
    case 'needsSignIn': return { icon: 'account', color: 'problemsWarningIcon.foreground', word: 'needs sign-in' };
    case 'configError': return { icon: 'warning', color: 'problemsErrorIcon.foreground', word: 'configuration error' };
    case 'shadowed': return { icon: 'eye-closed', word: 'shadowed' };
    default: return assertNever(kind);
  }
}

export const ALL_STATE_KINDS: readonly ServerStateKind[] = [
  'stopped', 'starting', 'running', 'restarting', 'failed', 'needsTrust', 'needsSignIn', 'configError', 'shadowed',
];

/** Whether Start makes sense from this state. */
export function canStart(state: ServerState): boolean {
  switch (state.kind) {
    case 'stopped': case 'failed': case 'needsSignIn': return true;
    case 'starting': case 'running': case 'restarting': case 'needsTrust': case 'configError': case 'shadowed': return false;
    default: return assertNever(state);
  }
}

/** Whether the server (or a pending restart) is alive and Stop makes sense. */
export function canStop(state: ServerState): boolean {
  return state.kind === 'starting' || state.kind === 'running' || state.kind === 'restarting';
}
