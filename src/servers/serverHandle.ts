import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { RequestOptions } from '@modelcontextprotocol/sdk/shared/protocol.js';
import type {
  CallToolResult, CompleteRequest, CompleteResult, GetPromptResult, LoggingLevel, Prompt, ReadResourceResult, Resource,
  ResourceTemplate, Root, Tool,
} from '@modelcontextprotocol/sdk/types.js';
import {
  DEFAULT_REQUEST_TIMEOUT_MS, DEFAULT_STARTUP_TIMEOUT_MS, type LaunchResolver, type ResolvedLaunch, type ServerDefinition,
} from '../common/config/types';
import { SignInRequiredError, UserCancelledError, errorMessage, isSignInRequired } from '../common/errors';
import { Disposable, Emitter, toDisposable, type IDisposable } from '../common/lifecycle';
import { looksLikeSecretName, type Redactor } from '../common/redact';
import { RestartPolicy } from '../common/restartPolicy';
import type { ServerState } from '../common/serverState';
import { reduceServerState, type SupervisionEvent } from '../common/serverTransitions';
import { loadSdk, type McpSdk } from '../sdkLoader';
import {
  CommandNotFoundError, RpcTimeoutError, ServerConnectionLostError, ServerNotRunningError, ServerStartError,
  StartupTimeoutError, describeExit,
} from './errors';
import { mcpLevelToLogLevel, type LogLevel, type ServerLogSink } from './logSink';
import type { ManagedTransport, TransportContext, TransportFactories } from './transport';

/** Default ping health-check interval (ms) when ServerOptions.ping does not say. */
export const DEFAULT_PING_INTERVAL_MS = 30_000;
/** Default time a ping may take before the server counts as hung (ms). */
export const DEFAULT_PING_TIMEOUT_MS = 10_000;
/** list_changed notifications are coalesced for this long before the catalog is refreshed (ms). */
export const DEFAULT_LIST_CHANGED_DEBOUNCE_MS = 150;
/** Longest `notifications/message` text written to the log (characters). */
const MAX_SERVER_LOG_MESSAGE = 10_000;

export type CatalogKind = 'tools' | 'resources' | 'prompts';

/** Everything a running server offers, as last listed. Replaced (not mutated) on every refresh. */
export interface ServerCatalog {
  readonly tools: readonly Tool[];
  readonly resources: readonly Resource[];
  readonly resourceTemplates: readonly ResourceTemplate[];
  readonly prompts: readonly Prompt[];
  /** Epoch ms of the last successful refresh; 0 when never listed (or the server is not running). */
  readonly updatedAt: number;
}

export const EMPTY_CATALOG: ServerCatalog = { tools: [], resources: [], resourceTemplates: [], prompts: [], updatedAt: 0 };

export interface ServerHealth {
  readonly lastPingLatencyMs?: number;
  /** Automatic restarts since the user last started it. */
  readonly restarts?: number;
  /** How the previous process or connection ended (e.g. "exited with code 3"). */
  readonly lastExit?: string;
  readonly lastPingAt?: number;
}

/** Supplies the client's roots (workspace folders) when a server asks. */
export type RootsProvider = () => readonly Root[] | Promise<readonly Root[]>;

export interface RequestCallOptions {
  /** Overrides ServerOptions.requestTimeoutMs; progress notifications reset it. */
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
  readonly onProgress?: (progress: { progress: number; total?: number; message?: string }) => void;
}

export interface ServerHandleTiming {
  readonly listChangedDebounceMs: number;
  readonly defaultPingIntervalMs: number;
  readonly defaultPingTimeoutMs: number;
}

export interface ServerHandleOptions {
  readonly definition: ServerDefinition;
  readonly resolveLaunch: LaunchResolver;
  readonly transports: TransportFactories;
  readonly sink: ServerLogSink;
  readonly redactor: Redactor;
  readonly roots?: RootsProvider;
  readonly clientInfo?: { readonly name: string; readonly version: string };
  readonly onProcessSpawned?: TransportContext['onProcessSpawned'];
  readonly onProcessGone?: TransportContext['onProcessGone'];
  readonly timing?: Partial<ServerHandleTiming>;
  /** Randomness for backoff jitter (tests pass a constant). */
  readonly random?: () => number;
}

/** One connection attempt's resources: cleared as a whole when the process goes away (per-process lifetime). */
class Connection extends Disposable {
  stopRequested = false;
  /** Why the supervisor ended this connection (startup timeout, failed ping, failed initialize). */
  failure: string | undefined;
  initialized = false;
  private readonly timers = new Set<NodeJS.Timeout>();
  constructor(readonly generation: number, readonly client: Client, readonly transport: ManagedTransport, readonly sdk: McpSdk) {
    super();
    this._register(toDisposable(() => { for (const t of this.timers) clearTimeout(t); this.timers.clear(); }));
  }
  /** A timer owned by this connection: cleared when it goes away (the set only holds pending timers). */
  timeout(ms: number, fn: () => void): IDisposable {
    if (this.isDisposed) return toDisposable(() => undefined);
    const t = setTimeout(() => { this.timers.delete(t); fn(); }, ms);
    this.timers.add(t);
    return toDisposable(() => { clearTimeout(t); this.timers.delete(t); });
  }
}

interface Waiter { resolve(): void; reject(err: Error): void }

/**
 * One server: its state (derived from process and protocol events), its connection, restart policy, health check and
 * catalog. Extension lifetime lives in the manager; everything per process lives in a `Connection` that is disposed
 * when that process goes away.
 */
export class ServerHandle extends Disposable {
  private _definition: ServerDefinition;
  private _state: ServerState = { kind: 'stopped' };
  private _catalog: ServerCatalog = EMPTY_CATALOG;
  private _health: ServerHealth = {};
  private conn: Connection | undefined;
  private generation = 0;
  private restartTimer: NodeJS.Timeout | undefined;
  private waiters: Waiter[] = [];
  private stopping: Promise<void> | undefined;
  private refreshChain: Promise<void> = Promise.resolve();
  private logLevel: LoggingLevel | undefined;
  private readonly policy: RestartPolicy;
  private readonly timing: ServerHandleTiming;

  private readonly _onDidChangeState = this._register(new Emitter<ServerState>());
  readonly onDidChangeState = this._onDidChangeState.event;
  private readonly _onDidChangeCatalog = this._register(new Emitter<ServerCatalog>());
  readonly onDidChangeCatalog = this._onDidChangeCatalog.event;
  private readonly _onDidPing = this._register(new Emitter<ServerHealth>());
  readonly onDidPing = this._onDidPing.event;

  constructor(private readonly options: ServerHandleOptions) {
    super();
    this._definition = options.definition;
    this.policy = new RestartPolicy(options.definition.options.restart, options.random);
    this.timing = {
      listChangedDebounceMs: DEFAULT_LIST_CHANGED_DEBOUNCE_MS,
      defaultPingIntervalMs: DEFAULT_PING_INTERVAL_MS,
      defaultPingTimeoutMs: DEFAULT_PING_TIMEOUT_MS,
      ...options.timing,
    };
    this._register(toDisposable(() => {
      this.generation++;
      this.clearRestartTimer();
      const conn = this.conn;
      this.conn = undefined;
      if (conn) { conn.stopRequested = true; void conn.transport.kill(); conn.dispose(); }
      this.rejectWaiters(new UserCancelledError());
    }));
  }

  get id(): ServerDefinition['id'] { return this._definition.id; }
  get name(): string { return this._definition.name; }
  get definition(): ServerDefinition { return this._definition; }
  get state(): ServerState { return this._state; }
  get catalog(): ServerCatalog { return this._catalog; }
  get health(): ServerHealth { return this._health; }
  /** The pid of the current process, if any. */
  get pid(): number | undefined { return this.conn?.transport.pid; }

  /** Takes effect at the next start. */
  updateDefinition(definition: ServerDefinition): void { this._definition = definition; }

  /**
   * Starts the server (an explicit start: the crash budget is reset). Resolves when it is running and listed; rejects
   * with ServerStartError when it ends `failed`, UserCancelledError when stopped meanwhile.
   */
  start(): Promise<void> {
    if (this.isDisposed) return Promise.reject(new UserCancelledError());
    if (this.stopping) return this.stopping.then(() => this.start());
    const kind = this._state.kind;
    if (kind === 'running' && this.conn?.initialized && !this.waiters.length) return Promise.resolve();
    const wait = new Promise<void>((resolve, reject) => this.waiters.push({ resolve, reject }));
    if (kind === 'restarting') { this.clearRestartTimer(); this.userStarted(); void this.attempt(); }
    else if (kind !== 'starting' && kind !== 'running') { this.userStarted(); void this.attempt(); }
    return wait;
  }

  /** Stops the server (never restarted). A second call while stopping kills at once. */
  stop(): Promise<void> {
    this.generation++;
    this.clearRestartTimer();
    const conn = this.conn;
    if (!conn) {
      if (this._state.kind !== 'stopped' && this._state.kind !== 'failed') this.transition({ type: 'stopped' });
      this.rejectWaiters(new UserCancelledError());
      return this.stopping ?? Promise.resolve();
    }
    conn.stopRequested = true;
    if (this.stopping) { void conn.transport.kill(); return this.stopping; }
    this.log('info', 'stopping');
    this.stopping = (async () => {
      try {
        await conn.client.close();
      } catch (err) {
        this.log('warn', `error while stopping: ${errorMessage(err)}`);
      } finally {
        await conn.transport.kill(); // no-op when already gone
        this.releaseConnection(conn);
        this.stopping = undefined;
        if (this.conn === undefined && (this._state.kind === 'starting' || this._state.kind === 'running' || this._state.kind === 'restarting')) {
          this.transition({ type: 'stopped' });
        }
        this.rejectWaiters(new UserCancelledError());
      }
    })();
    return this.stopping;
  }

  /** Kills at once, no grace (deactivate's last resort). */
  forceStop(): Promise<void> {
    if (!this.conn) return this.stop();
    if (!this.stopping) void this.stop();
    return this.stop();
  }

  async restart(): Promise<void> {
    await this.stop();
    await this.start();
  }

  // ---- requests -------------------------------------------------------------------------------------------------

  callTool(name: string, args: Record<string, unknown> | undefined, options?: RequestCallOptions): Promise<CallToolResult> {
    return this.request(`tools/call ${name}`, (c, o) => c.callTool({ name, arguments: args }, undefined, o) as Promise<CallToolResult>, options);
  }

  readResource(uri: string, options?: RequestCallOptions): Promise<ReadResourceResult> {
    return this.request('resources/read', (c, o) => c.readResource({ uri }, o), options);
  }

  getPrompt(name: string, args: Record<string, string> | undefined, options?: RequestCallOptions): Promise<GetPromptResult> {
    return this.request(`prompts/get ${name}`, (c, o) => c.getPrompt({ name, arguments: args }, o), options);
  }

  complete(params: CompleteRequest['params'], options?: RequestCallOptions): Promise<CompleteResult> {
    return this.request('completion/complete', (c, o) => c.complete(params, o), options);
  }

  /** Sets the server's log level (remembered and re-applied after restarts). No-op without the logging capability. */
  async setLogLevel(level: LoggingLevel): Promise<void> {
    this.logLevel = level;
    const conn = this.conn;
    if (conn?.initialized && conn.client.getServerCapabilities()?.logging) {
      await this.request('logging/setLevel', (c, o) => c.setLoggingLevel(level, o));
    }
  }

  /** Tells the server the roots changed (it will ask for them again). */
  async notifyRootsChanged(): Promise<void> {
    const conn = this.conn;
    if (conn?.initialized && this.options.roots) await conn.client.sendRootsListChanged().catch(() => undefined);
  }

  /** Re-lists everything (or some kinds) now; waits for the refresh. */
  refreshCatalog(kinds: readonly CatalogKind[] = ['tools', 'resources', 'prompts']): Promise<void> {
    const conn = this.conn;
    if (!conn?.initialized) return Promise.resolve();
    this.refreshChain = this.refreshChain.then(() => this.doRefresh(conn, kinds), () => this.doRefresh(conn, kinds));
    return this.refreshChain;
  }

  /** Sends a request with the timeout/progress/cancellation rules and maps failures to typed errors. */
  async request<T>(what: string, fn: (client: Client, options: RequestOptions) => Promise<T>, options: RequestCallOptions = {}): Promise<T> {
    const conn = this.conn;
    if (!conn?.initialized || this._state.kind !== 'running') throw new ServerNotRunningError(this.name, this._state.kind);
    const timeout = options.timeoutMs ?? this._definition.options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
    if (options.signal?.aborted) throw new UserCancelledError();
    try {
      return await fn(conn.client, {
        timeout, resetTimeoutOnProgress: true, signal: options.signal,
        onprogress: options.onProgress ? (p) => options.onProgress!(p) : undefined,
      });
    } catch (err) {
      if (options.signal?.aborted) throw new UserCancelledError();
      if (conn.sdk.isConnectionClosed(err)) {
        const exit = conn.transport.exit;
        throw new ServerConnectionLostError(this.name, what, exit?.code, exit?.signal);
      }
      if (conn.sdk.isRequestTimeout(err)) throw new RpcTimeoutError(this.name, what, timeout);
      throw err;
    }
  }

  // ---- supervision ----------------------------------------------------------------------------------------------

  private async attempt(): Promise<void> {
    const generation = ++this.generation;
    this.restartTimer = undefined;
    const def = this._definition;
    this.transition({ type: 'startRequested', now: Date.now() });
    let launch: ResolvedLaunch;
    try {
      launch = await this.options.resolveLaunch(def);
    } catch (err) {
      if (generation !== this.generation) return;
      if (err instanceof UserCancelledError) { this.transition({ type: 'stopped' }); this.rejectWaiters(err); return; }
      this.failStart(`could not resolve its configuration: ${errorMessage(err)}`);
      return;
    }
    if (generation !== this.generation) return;
    if (launch.type === 'stdio') {
      for (const [k, v] of Object.entries(launch.env)) if (looksLikeSecretName(k)) this.options.redactor.add(v);
      this.log('info', `starting: ${[launch.command, ...launch.args].join(' ')} (cwd ${launch.cwd}, ${Object.keys(launch.env).length} env vars)`);
    } else {
      for (const [k, v] of Object.entries(launch.headers)) if (looksLikeSecretName(k)) this.options.redactor.add(v);
      this.log('info', `connecting: ${launch.url}`);
    }
    const factory = this.options.transports[launch.type];
    if (!factory) { this.failStart(`'${launch.type}' servers are not supported yet`); return; }

    let transport: ManagedTransport;
    try {
      transport = factory(launch, {
        serverId: def.id, serverName: def.name, sink: this.options.sink, redactor: this.options.redactor,
        onProcessSpawned: (pid) => {
          if (this.conn?.transport === transport) this.transition({ type: 'spawned', pid });
          this.options.onProcessSpawned?.(pid);
        },
        onProcessGone: this.options.onProcessGone,
      });
    } catch (err) {
      this.failStart(errorMessage(err));
      return;
    }
    let sdk: McpSdk;
    let client: Client;
    try {
      sdk = await loadSdk(); // the first start loads the SDK (not activation)
      client = this.createClient(sdk);
    } catch (err) {
      void transport.kill(); // never started: nothing runs yet
      if (generation === this.generation) this.failStart(errorMessage(err));
      return;
    }
    if (generation !== this.generation) { void transport.kill(); return; }
    const conn = new Connection(generation, client, transport, sdk);
    this.conn = conn;
    transport.onclose = () => this.onConnectionClosed(conn);

    const startupTimeoutMs = def.options.startupTimeoutMs ?? DEFAULT_STARTUP_TIMEOUT_MS;
    const startupTimer = conn.timeout(startupTimeoutMs, () => {
      conn.failure = new StartupTimeoutError(def.name, startupTimeoutMs).message;
      this.log('error', `${conn.failure}; killing it`);
      void transport.kill();
    });
    try {
      await client.connect(transport, { timeout: startupTimeoutMs + 1_000 }); // our own timer fires first
    } catch (err) {
      startupTimer.dispose();
      if (generation !== this.generation || conn.stopRequested) return;
      if (isSignInRequired(err)) {
        this.releaseConnection(conn);
        this.log('warn', err.message);
        this.transition({ type: 'signInRequired', reason: err.reason });
        this.rejectWaiters(err);
        return;
      }
      if (transport.pid === undefined) {
        // Never spawned (command not found, not executable): restarting cannot help.
        this.releaseConnection(conn);
        this.failStart(errorMessage(err), err instanceof CommandNotFoundError ? err.detail : undefined);
        return;
      }
      // The process exists but initialize failed: end it; its close event takes the crash path.
      conn.failure ??= `initialize failed: ${errorMessage(err)}`;
      await transport.kill();
      return;
    }
    startupTimer.dispose();
    if (generation !== this.generation || conn.stopRequested || this.conn !== conn) return;
    conn.initialized = true;
    const info = client.getServerVersion();
    const caps = client.getServerCapabilities();
    this.transition({
      type: 'initialized', now: Date.now(),
      serverInfo: info ? { name: info.name, version: info.version, ...(info.title ? { title: info.title } : {}) } : undefined,
      capabilities: caps, instructions: client.getInstructions(),
    });
    this.log('info', `running: ${info?.name ?? '?'} ${info?.version ?? ''} (pid ${transport.pid ?? '-'})`);
    if (this.logLevel && caps?.logging) {
      await this.request('logging/setLevel', (c, o) => c.setLoggingLevel(this.logLevel!, o)).catch((err: unknown) => this.log('warn', `logging/setLevel failed: ${errorMessage(err)}`));
    }
    this.startPing(conn);
    await this.refreshCatalog();
    if (this.conn === conn && this._state.kind === 'running') this.resolveWaiters();
  }

  private createClient(sdk: McpSdk): Client {
    const {
      Client, ListRootsRequestSchema, LoggingMessageNotificationSchema, ToolListChangedNotificationSchema,
      ResourceListChangedNotificationSchema, PromptListChangedNotificationSchema,
    } = sdk;
    const client = new Client(
      this.options.clientInfo ?? { name: 'mcp-manager', version: '0.1.0' },
      // Honest capabilities: roots only when we can supply them; no sampling, no elicitation.
      { capabilities: this.options.roots ? { roots: { listChanged: true } } : {} },
    );
    const roots = this.options.roots;
    if (roots) client.setRequestHandler(ListRootsRequestSchema, async () => ({ roots: [...await roots()] }));
    client.setNotificationHandler(LoggingMessageNotificationSchema, (n) => {
      const { level, logger, data } = n.params;
      let text = typeof data === 'string' ? data : JSON.stringify(data);
      if (text.length > MAX_SERVER_LOG_MESSAGE) text = `${text.slice(0, MAX_SERVER_LOG_MESSAGE)}…`;
      this.options.sink.append(mcpLevelToLogLevel(level), [this.options.redactor.redact(`[server log${logger ? ` ${logger}` : ''}] ${text}`)]);
    });
    client.setNotificationHandler(ToolListChangedNotificationSchema, () => this.onListChanged('tools'));
    client.setNotificationHandler(ResourceListChangedNotificationSchema, () => this.onListChanged('resources'));
    client.setNotificationHandler(PromptListChangedNotificationSchema, () => this.onListChanged('prompts'));
    client.onerror = (err) => this.log('debug', `protocol: ${errorMessage(err)}`);
    return client;
  }

  private readonly pendingListChanges = new Set<CatalogKind>();
  private listChangedTimer: IDisposable | undefined;

  private onListChanged(kind: CatalogKind): void {
    const conn = this.conn;
    if (!conn?.initialized) return;
    this.pendingListChanges.add(kind);
    if (this.listChangedTimer) return;
    this.listChangedTimer = conn.timeout(this.timing.listChangedDebounceMs, () => {
      this.listChangedTimer = undefined;
      const kinds = [...this.pendingListChanges];
      this.pendingListChanges.clear();
      void this.refreshCatalog(kinds);
    });
  }

  private async doRefresh(conn: Connection, kinds: readonly CatalogKind[]): Promise<void> {
    if (this.conn !== conn || !conn.initialized) return;
    const caps = conn.client.getServerCapabilities() ?? {};
    const next: { -readonly [K in keyof ServerCatalog]: ServerCatalog[K] } = { ...this._catalog };
    const opts: RequestOptions = { timeout: this._definition.options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS };
    try {
      if (kinds.includes('tools')) next.tools = caps.tools ? await paginate((cursor) => conn.client.listTools({ cursor }, opts), (r) => r.tools) : [];
      if (kinds.includes('resources')) {
        next.resources = caps.resources ? await paginate((cursor) => conn.client.listResources({ cursor }, opts), (r) => r.resources) : [];
        next.resourceTemplates = caps.resources
          ? await paginate((cursor) => conn.client.listResourceTemplates({ cursor }, opts), (r) => r.resourceTemplates) : [];
      }
      if (kinds.includes('prompts')) next.prompts = caps.prompts ? await paginate((cursor) => conn.client.listPrompts({ cursor }, opts), (r) => r.prompts) : [];
    } catch (err) {
      if (this.conn === conn) this.log('warn', `listing ${kinds.join(', ')} failed: ${errorMessage(err)}`);
      return;
    }
    if (this.conn !== conn) return;
    next.updatedAt = Date.now();
    this._catalog = next;
    this.log('debug', `catalog: ${next.tools.length} tools, ${next.resources.length} resources, ${next.resourceTemplates.length} templates, ${next.prompts.length} prompts`);
    this._onDidChangeCatalog.fire(next);
  }

  private startPing(conn: Connection): void {
    const ping = this._definition.options.ping;
    if (ping === false) return;
    const interval = ping?.intervalMs ?? this.timing.defaultPingIntervalMs;
    const timeout = ping?.timeoutMs ?? this.timing.defaultPingTimeoutMs;
    if (!(interval > 0)) return;
    const schedule = (): void => {
      conn.timeout(interval, () => {
        if (this.conn !== conn) return;
        const t0 = performance.now();
        conn.client.ping({ timeout }).then(
          () => {
            this._health = { ...this._health, lastPingLatencyMs: Math.round((performance.now() - t0) * 10) / 10, lastPingAt: Date.now() };
            this._onDidPing.fire(this._health);
            schedule();
          },
          (err: unknown) => {
            if (this.conn !== conn) return;
            if (conn.sdk.isRequestTimeout(err)) {
              conn.failure = `did not answer a ping within ${timeout} ms (hung)`;
              this.log('error', `${conn.failure}; killing it`);
              void conn.transport.kill();
              return;
            }
            // Any answer (even an error) proves the server is alive.
            schedule();
          });
      });
    };
    schedule();
  }

  private onConnectionClosed(conn: Connection): void {
    if (this.conn !== conn) return;
    const exit = conn.transport.exit;
    const stderrTail = conn.transport.stderrTail();
    this.releaseConnection(conn);
    if (conn.stopRequested) return;
    if (exit?.signInRequired) {
      this.log('warn', `needs sign-in: ${exit.signInRequired}`);
      this.transition({ type: 'signInRequired', reason: exit.signInRequired });
      this.rejectWaiters(new SignInRequiredError(this.name, exit.signInRequired));
      return;
    }
    const wasStarting = this._state.kind === 'starting';
    // A remote connection that closes before initialize finished: client.connect() rejects with the real cause (an
    // HTTP status, a refused connection), and the start path reports that instead of a bare "closed".
    if (wasStarting && !conn.initialized && conn.transport.pid === undefined && !conn.failure) return;
    const reason = conn.failure ?? (this.definition.config.type === 'stdio'
      ? `Process ${describeExit(exit?.code, exit?.signal)}${wasStarting ? ' during startup' : ''}`
      : `The connection closed${wasStarting ? ' during startup' : ''}`);
    const decision = this.policy.onExit('unexpected', Date.now());
    this._health = { ...this._health, lastExit: describeExit(exit?.code, exit?.signal), restarts: (this._health.restarts ?? 0) + (decision.action === 'restart' ? 1 : 0) };
    this.log(decision.action === 'restart' ? 'warn' : 'error',
      `${reason}${decision.action === 'restart' ? `; restart ${decision.attempt} in ${decision.delayMs} ms` : '; giving up'}`);
    this.transition({ type: 'exited', now: Date.now(), reason, decision, exitCode: exit?.code, signal: exit?.signal, stderrTail });
    if (decision.action === 'restart') {
      const generation = this.generation;
      this.restartTimer = setTimeout(() => { if (generation === this.generation) void this.attempt(); }, decision.delayMs);
    }
  }

  private releaseConnection(conn: Connection): void {
    if (this.conn === conn) {
      this.conn = undefined;
      this.listChangedTimer = undefined;
      this.pendingListChanges.clear();
      if (this._catalog !== EMPTY_CATALOG) { this._catalog = EMPTY_CATALOG; this._onDidChangeCatalog.fire(EMPTY_CATALOG); }
    }
    conn.dispose();
  }

  private failStart(reason: string, detail?: string): void {
    this.log('error', `failed to start: ${reason}${detail ? ` (${detail})` : ''}`);
    this.transition({ type: 'startFailed', reason });
  }

  private transition(event: SupervisionEvent): void {
    const next = reduceServerState(this._state, event);
    if (next === this._state) return;
    this._state = next;
    this._onDidChangeState.fire(next);
    if (next.kind === 'failed') this.rejectWaiters(new ServerStartError(this.name, next.reason));
  }

  private resolveWaiters(): void {
    for (const w of this.waiters.splice(0)) w.resolve();
  }

  private rejectWaiters(err: Error): void {
    for (const w of this.waiters.splice(0)) w.reject(err);
  }

  /** A start the user asked for: a fresh crash budget and restart count. */
  private userStarted(): void {
    this.policy.reset();
    this._health = { ...this._health, restarts: 0 };
  }

  private clearRestartTimer(): void {
    if (this.restartTimer) { clearTimeout(this.restartTimer); this.restartTimer = undefined; }
  }

  private log(level: LogLevel, message: string): void {
    this.options.sink.append(level, [this.options.redactor.redact(`[supervisor] ${message}`)]);
  }
}

/** Lists every page: follows nextCursor (guarding against servers that repeat a cursor). */
async function paginate<R extends { nextCursor?: string }, T>(list: (cursor: string | undefined) => Promise<R>, items: (r: R) => readonly T[]): Promise<T[]> {
  const out: T[] = [];
  const seen = new Set<string>();
  let cursor: string | undefined;
  for (;;) {
    const page = await list(cursor);
    out.push(...items(page));
    cursor = page.nextCursor;
    if (!cursor || seen.has(cursor)) return out;
    seen.add(cursor);
  }
}
