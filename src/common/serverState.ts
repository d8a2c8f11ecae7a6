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

/**
 * What the server's process (or connection) is doing: the supervisor's state, changed only by the runtime reducer
 * (serverTransitions.ts) from process and protocol events, never by polling.
 */
export type RuntimeState =
  | { readonly kind: 'stopped' }
  | { readonly kind: 'starting'; readonly since: number; readonly pid?: number }
  | {
      readonly kind: 'running';
      readonly since: number;
      readonly pid?: number;
      readonly serverInfo?: ServerInfo;
      /** The MCP revision the connection negotiated (e.g. `2025-11-25`), when the SDK said. */
      readonly protocolVersion?: string;
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
  | { readonly kind: 'needsSignIn'; readonly reason?: string };

/**
 * Whether the server's definition can run, from configuration and trust: `ok`; a `configError` (found when the
 * configuration was read, or when it was resolved for a start); `shadowed` by a same-named entry of higher precedence;
 * or `needsTrust` (defined by the workspace, which is in Restricted Mode).
 */
export type DefinitionState =
  | { readonly kind: 'ok' }
  | {
      readonly kind: 'configError';
      readonly reason: string;
      /** Found when a start resolved the configuration (unknown folder, unreadable envFile…): a later start may work. */
      readonly atStart?: true;
    }
  | { readonly kind: 'shadowed'; readonly by: ServerId }
  | { readonly kind: 'needsTrust' };

/** One server's two states. Predicates (serverPredicates.ts) and the presented state are derived from both. */
export interface ServerStatus {
  readonly definition: DefinitionState;
  readonly runtime: RuntimeState;
}

/**
 * The state the user sees, one of the nine contract states (README "Contracts"): the runtime state, except that a
 * stopped server whose definition cannot run shows why (configError, shadowed, needsTrust).
 */
export type ServerState = RuntimeState | Exclude<DefinitionState, { readonly kind: 'ok' }>;

export type ServerStateKind = ServerState['kind'];
export type RuntimeStateKind = RuntimeState['kind'];
export type DefinitionStateKind = DefinitionState['kind'];

export const STOPPED: RuntimeState = { kind: 'stopped' };
export const DEFINITION_OK: DefinitionState = { kind: 'ok' };

/** The presented state of a status (see ServerState). */
export function presentedState(status: ServerStatus): ServerState {
  return status.runtime.kind === 'stopped' && status.definition.kind !== 'ok' ? status.definition : status.runtime;
}

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

export const ALL_RUNTIME_STATE_KINDS: readonly RuntimeStateKind[] = ['stopped', 'starting', 'running', 'restarting', 'failed', 'needsSignIn'];
export const ALL_DEFINITION_STATE_KINDS: readonly DefinitionStateKind[] = ['ok', 'configError', 'shadowed', 'needsTrust'];
export const ALL_STATE_KINDS: readonly ServerStateKind[] = [
  'stopped', 'starting', 'running', 'restarting', 'failed', 'needsTrust', 'needsSignIn', 'configError', 'shadowed',
];
