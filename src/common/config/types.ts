import type { ProtocolSetting } from '../protocolRevision';
import type { PinPolicy } from '../definitions';
import type { ServerId, ServerSource } from '../serverId';

/** A server entry as written in `.vscode/mcp.json` `servers` / `mcpManager.servers` (VS Code's own format). */
export interface StdioServerConfig {
  readonly type: 'stdio';
  readonly command: string;
  readonly args: readonly string[];
  /** `null` removes an inherited variable. */
  readonly env: Readonly<Record<string, string | null>>;
  readonly envFile?: string;
  readonly cwd?: string;
}

export interface RemoteServerConfig {
  readonly type: 'http' | 'sse';
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
}

export type ServerConfig = StdioServerConfig | RemoteServerConfig;
export type Transport = ServerConfig['type'];

/** `mcpManager.inputs` / mcp.json `inputs`. */
export interface PromptStringInput {
  readonly type: 'promptString';
  readonly id: string;
  readonly description?: string;
  readonly password?: boolean;
  readonly default?: string;
}
export interface PickStringInput {
  readonly type: 'pickString';
  readonly id: string;
  readonly description?: string;
  readonly options: readonly string[];
  readonly default?: string;
}
export type InputDefinition = PromptStringInput | PickStringInput;

export interface RestartPolicyOptions {
  /** Crashes tolerated inside `windowMs` before giving up (default 5). */
  readonly maxRestarts?: number;
  /** Crash-loop window (default 180000 = 3 min). */
  readonly windowMs?: number;
  readonly backoffBaseMs?: number;
  readonly backoffMaxMs?: number;
}

/** `mcpManager.serverOptions[name]`: options only this extension understands, kept out of mcp.json. */
export interface ServerOptions {
  readonly autoStart?: boolean;
  readonly startupTimeoutMs?: number;
  readonly requestTimeoutMs?: number;
  /** Ping health check; `false` (or intervalMs 0) turns it off. */
  readonly ping?: false | { readonly intervalMs?: number; readonly timeoutMs?: number };
  readonly restart?: RestartPolicyOptions | false;
  readonly oauth?: { readonly clientId?: string; readonly scopes?: readonly string[]; readonly clientMetadataUrl?: string };
  /** The MCP revision to speak (default 'auto'). */
  readonly protocol?: ProtocolSetting;
  /** Tool-definition pinning (default 'warn'; src/servers/definitionTracker.ts). */
  readonly pinTools?: PinPolicy;
}

export const DEFAULT_STARTUP_TIMEOUT_MS = 30_000;
export const DEFAULT_REQUEST_TIMEOUT_MS = 60_000;
/** Default ping health-check interval (ms) when ServerOptions.ping does not say. */
export const DEFAULT_PING_INTERVAL_MS = 30_000;
/** Default time a ping may take before the server counts as hung (ms). */
export const DEFAULT_PING_TIMEOUT_MS = 10_000;

/** One server as defined by one source, before variable resolution. */
export interface ServerDefinition {
  readonly id: ServerId;
  readonly name: string;
  readonly source: ServerSource;
  /** Absolute path of the defining file, when there is one (for diagnostics, tooltips, Open Configuration). */
  readonly file?: string;
  readonly config: ServerConfig;
  readonly options: ServerOptions;
}

/** A definition after variable/input/envFile resolution: exactly what a transport needs to start or connect. */
export type ResolvedLaunch =
  | {
      readonly type: 'stdio';
      readonly command: string;
      readonly args: readonly string[];
      /** The complete environment of the child (inherited + envFile + env, PATH entries from env first). */
      readonly env: Readonly<Record<string, string>>;
      readonly cwd: string;
      /** The envFile the environment was read from: for the first-start dialog (names) and its fingerprint (digest). */
      readonly envFile?: { readonly path: string; readonly names: readonly string[]; readonly digest: string };
    }
  | { readonly type: 'http' | 'sse'; readonly url: string; readonly headers: Readonly<Record<string, string>> };

/** Resolves a definition when a server starts (inputs may prompt; secrets come from SecretStorage). */
export type LaunchResolver = (definition: ServerDefinition) => Promise<ResolvedLaunch>;

/**
 * What preparing a start yields (the trust / first-start gate, then resolution). Expected outcomes are values, not
 * exceptions: the supervisor turns each into a state.
 */
export type LaunchPreparation =
  | { readonly kind: 'ready'; readonly launch: ResolvedLaunch }
  /** Workspace-defined server in Restricted Mode: it shows `needsTrust`; start it again once trust is granted. */
  | { readonly kind: 'needsTrust' }
  /** The user cancelled an input prompt or declined the first-start confirmation: it stays stopped. */
  | { readonly kind: 'cancelled' }
  /** Resolution failed (unknown folder, unreadable envFile…): it shows `configError` with the reason. */
  | { readonly kind: 'configError'; readonly reason: string };

/** Prepares a start of a definition (the start gate). Expected outcomes are values; it rejects only on a defect. */
export type StartPreparer = (definition: ServerDefinition) => Promise<LaunchPreparation>;
