import type { CallToolResult, CompleteRequest, CompleteResult, GetPromptResult, LoggingLevel, ReadResourceResult } from '@modelcontextprotocol/sdk/types.js';
import { DEFAULT_PING_INTERVAL_MS, DEFAULT_PING_TIMEOUT_MS, type LaunchResolver, type ResolvedLaunch, type ServerDefinition } from '../common/config/types';
import type { TraceLevel } from '../common/contracts';
import { SignInRequiredError, UserCancelledError, errorMessage } from '../common/errors';
import { Disposable, Emitter, type IDisposable, disposableTimeout, toDisposable } from '../common/lifecycle';
import { type CatalogKind, EMPTY_CATALOG, type RequestCallOptions, type ServerCatalog, type ServerHealth } from '../common/model';
import { looksLikeSecretName, type Redactor } from '../common/redact';
import { RestartPolicy } from '../common/restartPolicy';
import type { ServerState } from '../common/serverState';
import { reduceServerState, type SupervisionEvent } from '../common/serverTransitions';
import { ServerNotRunningError, ServerStartError, describeExit } from './errors';
import type { LogLevel, ServerLogSink } from './logSink';
import { type ClientInfo, type ConnectOutcome, McpSession, type RootsProvider, type SessionClose, type SessionTiming } from './mcpSession';
import type { TransportContext, TransportFactories } from './transport';

export type { ClientInfo, RootsProvider } from './mcpSession';

/** list_changed notifications are coalesced for this long before the catalog is refreshed (ms). */
export const DEFAULT_LIST_CHANGED_DEBOUNCE_MS = 150;

export type SupervisorTiming = SessionTiming;

export interface ServerSupervisorOptions {
  readonly definition: ServerDefinition;
  readonly resolveLaunch: LaunchResolver;
  readonly transports: TransportFactories;
  readonly sink: ServerLogSink;
  readonly redactor: Redactor;
  readonly roots?: RootsProvider;
  /** Who we are in `initialize` (the extension's name and version, from its manifest). */
  readonly clientInfo: ClientInfo;
  readonly onProcessSpawned?: TransportContext['onProcessSpawned'];
  readonly onProcessGone?: TransportContext['onProcessGone'];
  /** `mcpManager.trace`, read per message (a change applies to the running connection). Absent: no trace. */
  readonly traceLevel?: () => TraceLevel;
  readonly timing?: Partial<SupervisorTiming>;
  /** Randomness for backoff jitter (tests pass a constant). */
  readonly random?: () => number;
}

interface Waiter { resolve(): void; reject(err: Error): void }

/**
 * One server: its state (derived from process and protocol events), its restart policy and waiters, and at most one
 * McpSession (the current attempt's connection, catalog and health check). Extension lifetime lives in the manager;
 * everything of one process lives in its session, which is disposed when that process goes away.
 */
export class ServerSupervisor extends Disposable {
  private _definition: ServerDefinition;
  private _state: ServerState = { kind: 'stopped' };
  private _health: ServerHealth = {};
  private session: McpSession | undefined;
  /** The launch resolution of the attempt under way, if any: cancelled by stop/dispose. */
  private preparing: { cancelled: boolean } | undefined;
  /** The pending automatic restart, if any. */
  private restartTimer: IDisposable | undefined;
  private waiters: Waiter[] = [];
  private stopping: Promise<void> | undefined;
  private logLevel: LoggingLevel | undefined;
  private readonly policy: RestartPolicy;
  private readonly timing: SupervisorTiming;

  private readonly _onDidChangeState = this._register(new Emitter<ServerState>());
  readonly onDidChangeState = this._onDidChangeState.event;
  private readonly _onDidChangeCatalog = this._register(new Emitter<ServerCatalog>());
  readonly onDidChangeCatalog = this._onDidChangeCatalog.event;
  private readonly _onDidPing = this._register(new Emitter<ServerHealth>());
  readonly onDidPing = this._onDidPing.event;

  constructor(private readonly options: ServerSupervisorOptions) {
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
      this.cancelPending();
      const session = this.session;
      this.session = undefined;
      if (session) void session.kill();
      this.rejectWaiters(new UserCancelledError());
    }));
  }

  get id(): ServerDefinition['id'] { return this._definition.id; }
  get name(): string { return this._definition.name; }
  get definition(): ServerDefinition { return this._definition; }
  get state(): ServerState { return this._state; }
  get catalog(): ServerCatalog { return this.session?.catalog ?? EMPTY_CATALOG; }
  get health(): ServerHealth { return this._health; }
  /** The pid of the current process, if any. */
  get pid(): number | undefined { return this.session?.pid; }

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
    if (kind === 'running' && this.session?.isOpen && !this.waiters.length) return Promise.resolve();
    const wait = new Promise<void>((resolve, reject) => this.waiters.push({ resolve, reject }));
    if (kind === 'restarting') { this.clearRestartTimer(); this.userStarted(); void this.attempt(); }
    else if (kind !== 'starting' && kind !== 'running') { this.userStarted(); void this.attempt(); }
    return wait;
  }

  /** Stops the server (never restarted). A second call while stopping kills at once. */
  stop(): Promise<void> {
    this.cancelPending();
    const session = this.session;
    if (!session) {
      if (this._state.kind !== 'stopped' && this._state.kind !== 'failed') this.transition({ type: 'stopped' });
      this.rejectWaiters(new UserCancelledError());
      return this.stopping ?? Promise.resolve();
    }
    if (this.stopping) { void session.kill(); return this.stopping; }
    this.log('info', 'stopping');
    this.stopping = (async () => {
      try {
        await session.close();
      } finally {
        this.releaseSession();
        this.stopping = undefined;
        if (this._state.kind === 'starting' || this._state.kind === 'running' || this._state.kind === 'restarting') {
          this.transition({ type: 'stopped' });
        }
        this.rejectWaiters(new UserCancelledError());
      }
    })();
    return this.stopping;
  }

  /** Stops at once, no grace: the process group is killed (deactivate's last resort). Resolves when it is gone. */
  forceStop(): Promise<void> {
    const stopped = this.stop();
    void this.session?.kill();
    return stopped;
  }

  async restart(): Promise<void> {
    await this.stop();
    await this.start();
  }

  // ---- requests -------------------------------------------------------------------------------------------------

  async callTool(name: string, args: Record<string, unknown> | undefined, options?: RequestCallOptions): Promise<CallToolResult> {
    return this.runningSession().callTool(name, args, options);
  }

  async readResource(uri: string, options?: RequestCallOptions): Promise<ReadResourceResult> {
    return this.runningSession().readResource(uri, options);
  }

  async getPrompt(name: string, args: Record<string, string> | undefined, options?: RequestCallOptions): Promise<GetPromptResult> {
    return this.runningSession().getPrompt(name, args, options);
  }

  async complete(params: CompleteRequest['params'], options?: RequestCallOptions): Promise<CompleteResult> {
    return this.runningSession().complete(params, options);
  }

  /** Sets the server's log level (remembered and re-applied after restarts). No-op without the logging capability. */
  async setLogLevel(level: LoggingLevel): Promise<void> {
    this.logLevel = level;
    if (this.session?.isOpen) await this.runningSession().setLogLevel(level);
  }

  /** Tells the server the roots changed (it will ask for them again). */
  async notifyRootsChanged(): Promise<void> {
    await this.session?.notifyRootsChanged();
  }

  /** Re-lists everything (or some kinds) now; waits for the refresh. */
  refreshCatalog(kinds?: readonly CatalogKind[]): Promise<void> {
    return this.session?.refreshCatalog(kinds) ?? Promise.resolve();
  }

  private runningSession(): McpSession {
    const session = this.session;
    if (!session?.isOpen || this._state.kind !== 'running') throw new ServerNotRunningError(this.name, this._state.kind);
    return session;
  }

  // ---- supervision ----------------------------------------------------------------------------------------------

  private async attempt(): Promise<void> {
    const def = this._definition;
    this.transition({ type: 'startRequested', now: Date.now() });
    const preparing = this.preparing = { cancelled: false };
    let launch: ResolvedLaunch;
    try {
      launch = await this.options.resolveLaunch(def);
    } catch (err) {
      if (preparing.cancelled) return;
      this.preparing = undefined;
      if (err instanceof UserCancelledError) { this.transition({ type: 'stopped' }); this.rejectWaiters(err); return; }
      this.failStart(`could not resolve its configuration: ${errorMessage(err)}`);
      return;
    }
    if (preparing.cancelled) return;
    this.preparing = undefined;
    this.connect(def, launch);
  }

  private connect(def: ServerDefinition, launch: ResolvedLaunch): void {
    if (launch.type === 'stdio') {
      for (const [k, v] of Object.entries(launch.env)) if (looksLikeSecretName(k)) this.options.redactor.add(v);
      this.log('info', `starting: ${[launch.command, ...launch.args].join(' ')} (cwd ${launch.cwd}, ${Object.keys(launch.env).length} env vars)`);
    } else {
      for (const [k, v] of Object.entries(launch.headers)) if (looksLikeSecretName(k)) this.options.redactor.add(v);
      this.log('info', `connecting: ${launch.url}`);
    }
    const transportFactory = this.options.transports[launch.type];
    if (!transportFactory) { this.failStart(`'${launch.type}' servers are not supported yet`); return; }
    let session: McpSession;
    try {
      session = new McpSession({
        definition: def, launch, transportFactory,
        sink: this.options.sink, redactor: this.options.redactor,
        clientInfo: this.options.clientInfo,
        roots: this.options.roots, traceLevel: this.options.traceLevel, timing: this.timing,
        onProcessSpawned: this.options.onProcessSpawned, onProcessGone: this.options.onProcessGone,
      });
    } catch (err) {
      this.failStart(errorMessage(err));
      return;
    }
    this.session = session;
    // The session's emitters go with it: nothing below can arrive from a session that was released.
    session.onDidSpawn((pid) => this.transition({ type: 'spawned', pid }));
    session.onDidConnect((outcome) => this.onConnected(session, outcome));
    session.onDidList(() => { if (this._state.kind === 'running') this.resolveWaiters(); });
    session.onDidChangeCatalog((catalog) => this._onDidChangeCatalog.fire(catalog));
    session.onDidPing(({ latencyMs, at }) => {
      this._health = { ...this._health, lastPingLatencyMs: latencyMs, lastPingAt: at };
      this._onDidPing.fire(this._health);
    });
    session.onDidClose((close) => { this.releaseSession(); this.onExit(close); });
    session.connect();
  }

  private onConnected(session: McpSession, outcome: ConnectOutcome): void {
    switch (outcome.kind) {
      case 'initialized': {
        this.transition({ type: 'initialized', now: Date.now(), serverInfo: outcome.serverInfo, capabilities: outcome.capabilities, instructions: outcome.instructions });
        this.log('info', `running: ${outcome.serverInfo?.name ?? '?'} ${outcome.serverInfo?.version ?? ''} (pid ${session.pid ?? '-'})`);
        void session.activate(this.logLevel);
        return;
      }
      case 'signInRequired':
        this.releaseSession();
        this.log('warn', outcome.error.message);
        this.transition({ type: 'signInRequired', reason: outcome.error.reason });
        this.rejectWaiters(outcome.error);
        return;
      case 'notStarted':
        this.releaseSession();
        this.failStart(outcome.reason, outcome.detail);
        return;
      case 'exited':
        this.releaseSession();
        this.onExit(outcome.close);
        return;
    }
  }

  /** The connection ended without a stop: needs sign-in, or a crash the restart policy decides about. */
  private onExit(close: SessionClose): void {
    const exit = close.exit;
    if (exit?.signInRequired) {
      this.log('warn', `needs sign-in: ${exit.signInRequired}`);
      this.transition({ type: 'signInRequired', reason: exit.signInRequired });
      this.rejectWaiters(new SignInRequiredError(this.name, exit.signInRequired));
      return;
    }
    const wasStarting = this._state.kind === 'starting';
    const reason = close.failure ?? (this.definition.config.type === 'stdio'
      ? `Process ${describeExit(exit?.code, exit?.signal)}${wasStarting ? ' during startup' : ''}`
      : `The connection closed${wasStarting ? ' during startup' : ''}`);
    const decision = this.policy.onExit('unexpected', Date.now());
    this._health = { ...this._health, lastExit: describeExit(exit?.code, exit?.signal), restarts: (this._health.restarts ?? 0) + (decision.action === 'restart' ? 1 : 0) };
    this.log(decision.action === 'restart' ? 'warn' : 'error',
      `${reason}${decision.action === 'restart' ? `; restart ${decision.attempt} in ${decision.delayMs} ms` : '; giving up'}`);
    this.transition({ type: 'exited', now: Date.now(), reason, decision, exitCode: exit?.code, signal: exit?.signal, stderrTail: close.stderrTail });
    if (decision.action === 'restart') this.restartTimer = disposableTimeout(decision.delayMs, () => { this.restartTimer = undefined; void this.attempt(); });
  }

  /** Lets go of the current session (its process is gone or going): it emits nothing more; the catalog empties. */
  private releaseSession(): void {
    const session = this.session;
    if (!session) return;
    this.session = undefined;
    session.dispose();
    if (session.catalog !== EMPTY_CATALOG) this._onDidChangeCatalog.fire(EMPTY_CATALOG);
  }

  /** Cancels what would start a process later: a pending restart, a launch being resolved. */
  private cancelPending(): void {
    this.clearRestartTimer();
    if (this.preparing) { this.preparing.cancelled = true; this.preparing = undefined; }
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
    this.restartTimer?.dispose();
    this.restartTimer = undefined;
  }

  private log(level: LogLevel, message: string): void {
    this.options.sink.append(level, [this.options.redactor.redact(`[supervisor] ${message}`)]);
  }
}
