import type { CallToolResult, CompleteRequest, CompleteResult, GetPromptResult, LoggingLevel, ReadResourceResult } from '@modelcontextprotocol/client';
import {
  DEFAULT_PING_INTERVAL_MS, DEFAULT_PING_TIMEOUT_MS, type LaunchPreparation, type ResolvedLaunch, type ServerDefinition, type StartPreparer,
} from '../common/config/types';
import type { TraceLevel } from '../common/contracts';
import type { ElicitationUi, PendingInput } from '../common/elicitation';
import { WorkspaceTrustRequiredError } from '../common/config/startConfirmation';
import { ConfigResolutionError } from '../common/config/variables';
import { SignInRequiredError, UserCancelledError, errorMessage } from '../common/errors';
import { Disposable, Emitter, type IDisposable, disposableTimeout, toDisposable } from '../common/lifecycle';
import { type CatalogKind, EMPTY_CATALOG, type RequestCallOptions, type ServerCatalog, type ServerHealth } from '../common/model';
import { maskSecretArgs } from '../common/config/secretsInArgs';
import { REDACTED, looksLikeSecretName, type Redactor } from '../common/redact';
import { RestartPolicy } from '../common/restartPolicy';
import { DEFINITION_OK, type DefinitionState, type RuntimeState, STOPPED, type ServerStatus, assertNever } from '../common/serverState';
import { type RuntimeEffect, type RuntimeEvent, type StartRejection, transition } from '../common/serverTransitions';
import { ServerNotRunningError, ServerStartError, describeExit } from './errors';
import type { LogLevel, ServerLogSink } from './logSink';
import { type ClientInfo, type ConnectOutcome, McpSession, type McpSessionOptions, type RootsProvider, type SessionClose, type SessionTiming } from './mcpSession';
import type { EraVerdict } from '../common/protocolRevision';
import type { TransportContext, TransportFactories } from './transport';
import { type McpSdk, loadSdk } from '../sdkLoader';

export type { ClientInfo, RootsProvider } from './mcpSession';

/** list_changed notifications are coalesced for this long before the catalog is refreshed (ms). */
export const DEFAULT_LIST_CHANGED_DEBOUNCE_MS = 150;
/** A server's ttlMs shorter than this does not make MCP Manager list more often (ms). */
export const DEFAULT_MIN_FRESH_REFRESH_MS = 5_000;

export type SupervisorTiming = SessionTiming;

export interface ServerSupervisorOptions {
  readonly definition: ServerDefinition;
  /** The start gate: trust, first-start confirmation, resolution; its answer is a value (ready, cancelled…). */
  readonly prepareStart: StartPreparer;
  readonly transports: TransportFactories;
  readonly sink: ServerLogSink;
  readonly redactor: Redactor;
  readonly roots?: RootsProvider;
  readonly elicitation?: ElicitationUi;
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
 * One server: its runtime state, the restart policy, the callers waiting for a start, and at most one McpSession (the
 * current attempt's connection, catalog and health check). Every decision is the runtime reducer's (`transition` in
 * common/serverTransitions.ts); this class is its interpreter: it turns session and timer events into reducer events
 * and runs the effects the reducer returns. Everything of one process lives in its session, which is disposed when
 * that process goes away, so nothing of an old process can reach the supervisor.
 */
export class ServerSupervisor extends Disposable {
  private _definition: ServerDefinition;
  private _state: RuntimeState = STOPPED;
  private _health: ServerHealth = {};
  private session: McpSession | undefined;
  /** The definition the attempt under way runs (the current one may change meanwhile; it applies next start). */
  private attemptDefinition: ServerDefinition;
  /** The start gate's work for the attempt under way, if any: its answer is dropped once this is cancelled. */
  private preparing: { cancelled: boolean } | undefined;
  /** The MCP SDK, loaded before the first attempt. */
  private era: { readonly launch: string; readonly verdict: EraVerdict | undefined } | undefined;
  private sdk: McpSdk | undefined;
  /** The pending automatic restart, if any. */
  private restartTimer: IDisposable | undefined;
  /** Why resolving the configuration failed at the last start, until the next start or definition change. */
  private launchProblem: string | undefined;
  private waiters: Waiter[] = [];
  private stopping: Promise<void> | undefined;
  private logLevel: LoggingLevel | undefined;
  private readonly queue: RuntimeEvent[] = [];
  private dispatching = false;
  private readonly policy: RestartPolicy;
  private readonly timing: SupervisorTiming;

  private readonly _onDidChangeState = this._register(new Emitter<RuntimeState>());
  readonly onDidChangeState = this._onDidChangeState.event;
  private readonly _onDidChangeCatalog = this._register(new Emitter<ServerCatalog>());
  readonly onDidChangeCatalog = this._onDidChangeCatalog.event;
  private readonly _onDidPing = this._register(new Emitter<ServerHealth>());
  readonly onDidPing = this._onDidPing.event;
  private readonly _onDidChangePendingInput = this._register(new Emitter<PendingInput | undefined>());
  /** The server started or stopped waiting on the user (an elicitation). */
  readonly onDidChangePendingInput = this._onDidChangePendingInput.event;

  constructor(private readonly options: ServerSupervisorOptions) {
    super();
    this._definition = this.attemptDefinition = options.definition;
    this.policy = new RestartPolicy(options.definition.options.restart, options.random);
    this.timing = {
      listChangedDebounceMs: DEFAULT_LIST_CHANGED_DEBOUNCE_MS,
      minFreshRefreshMs: DEFAULT_MIN_FRESH_REFRESH_MS,
      defaultPingIntervalMs: DEFAULT_PING_INTERVAL_MS,
      defaultPingTimeoutMs: DEFAULT_PING_TIMEOUT_MS,
      ...options.timing,
    };
    this._register(toDisposable(() => {
      this.cancelRestart();
      this.cancelPreparation();
      const session = this.session;
      this.session = undefined;
      if (session) void session.kill();
      this.rejectWaiters({ kind: 'cancelled' });
    }));
  }

  get id(): ServerDefinition['id'] { return this._definition.id; }
  get name(): string { return this._definition.name; }
  get definition(): ServerDefinition { return this._definition; }
  get state(): RuntimeState { return this._state; }
  /** The runtime state, and the definition as far as starting it found (a configuration that did not resolve). */
  get status(): ServerStatus {
    const definition: DefinitionState = this.launchProblem !== undefined ? { kind: 'configError', reason: this.launchProblem, atStart: true } : DEFINITION_OK;
    return { definition, runtime: this._state };
  }
  get catalog(): ServerCatalog { return this.session?.catalog ?? EMPTY_CATALOG; }
  get health(): ServerHealth { return this._health; }
  /** The pid of the current process, if any. */
  get pid(): number | undefined { return this.session?.pid; }
  /** What the server waits on the user for, if anything (only a live session can wait). */
  get pendingInput(): PendingInput | undefined { return this.session?.pendingInput; }

  /**
   * A changed definition: the restart policy takes its limits at once; everything else applies at the next start (a
   * running process keeps the launch it started with; requiresRestart says whether to restart it).
   */
  update(definition: ServerDefinition): void {
    this._definition = definition;
    this.policy.setOptions(definition.options.restart);
    this.launchProblem = undefined;
  }

  /**
   * Starts the server (an explicit start: the crash budget is reset). Resolves when it is running and listed; rejects
   * with ServerStartError when it ends `failed`, SignInRequiredError, WorkspaceTrustRequiredError or
   * ConfigResolutionError when it cannot start, UserCancelledError when stopped meanwhile.
   */
  start(): Promise<void> {
    if (this.isDisposed) return Promise.reject(new UserCancelledError());
    if (this.stopping) return this.stopping.then(() => this.start());
    if (this._state.kind === 'running' && this.session?.isOpen && !this.waiters.length) return Promise.resolve();
    const wait = new Promise<void>((resolve, reject) => this.waiters.push({ resolve, reject }));
    this.era = undefined; // a start asked for finds the server's era afresh (it may have been upgraded); crash restarts reuse it
    this.dispatch({ type: 'startRequested', now: Date.now() });
    return wait;
  }

  /** Stops the server (never restarted); resolves once its process is gone. A second call while stopping kills at once. */
  stop(): Promise<void> {
    if (this.stopping) { void this.session?.kill(); return this.stopping; }
    this.dispatch({ type: 'stopRequested' });
    return this.stopping ?? Promise.resolve();
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

  // ---- the interpreter ------------------------------------------------------------------------------------------

  /** Feeds one event to the reducer. Events raised while effects run are queued and handled in order after them. */
  private dispatch(event: RuntimeEvent): void {
    this.queue.push(this.redacted(event));
    if (this.dispatching) return;
    this.dispatching = true;
    try {
      for (let next = this.queue.shift(); next; next = this.queue.shift()) {
        const before = this._state;
        const { state, effects } = transition(before, next);
        this._state = state;
        for (const effect of effects) this.run(effect);
        if (state !== before) this._onDidChangeState.fire(state);
      }
    } finally {
      this.dispatching = false;
    }
  }

  /**
   * A reason becomes the state, the start's error, notifications, tooltips and the exported API: it is redacted once,
   * here, where it enters the state (a server's error text or a URL may quote a secret).
   */
  private redacted(event: RuntimeEvent): RuntimeEvent {
    const redact = (reason: string) => this.options.redactor.redact(reason);
    if ('reason' in event) return { ...event, reason: redact(event.reason) };
    const p = event.type === 'prepared' ? event.preparation : undefined;
    return p?.kind === 'configError' ? { type: 'prepared', preparation: { ...p, reason: redact(p.reason) } } : event;
  }

  private run(effect: RuntimeEffect): void {
    switch (effect.type) {
      case 'resetRestartBudget':
        this.policy.reset();
        this._health = { ...this._health, restarts: 0 };
        return;
      case 'prepare': void this.prepare(); return;
      case 'connect': this.connect(effect.launch); return;
      case 'activate': void this.session?.activate(this.logLevel); return;
      case 'scheduleRestart':
        this.cancelRestart();
        this.restartTimer = disposableTimeout(effect.delayMs, () => {
          this.restartTimer = undefined;
          this.dispatch({ type: 'restartDue', now: Date.now() });
        });
        return;
      case 'cancelRestart': this.cancelRestart(); return;
      case 'cancelPreparation': this.cancelPreparation(); return;
      case 'closeSession': this.closeSession(); return;
      case 'resolveWaiters': for (const w of this.waiters.splice(0)) w.resolve(); return;
      case 'rejectWaiters': this.rejectWaiters(effect.because); return;
      case 'reportConfigError':
        this.launchProblem = effect.reason;
        this.log('error', `failed to start: ${effect.reason}`);
        return;
      default: assertNever(effect);
    }
  }

  /** Asks for a launch of the current definition; the answer becomes `prepared` unless the attempt was cancelled. */
  private async prepare(): Promise<void> {
    this.cancelPreparation();
    this.launchProblem = undefined;
    const def = this.attemptDefinition = this._definition;
    const preparing = this.preparing = { cancelled: false };
    let preparation: LaunchPreparation;
    try {
      preparation = await this.options.prepareStart(def);
    } catch (err) {
      // Not an expected outcome (those are values): a defect of the gate or the resolver.
      if (preparing.cancelled) return;
      this.preparing = undefined;
      this.failStart(`could not resolve its configuration: ${errorMessage(err)}`);
      return;
    }
    if (preparing.cancelled) return;
    if (preparation.kind === 'ready' && !this.sdk) {
      // The first start loads the MCP SDK (activation never does); a failed load is this start's error.
      try {
        this.sdk = await loadSdk();
      } catch (err) {
        if (preparing.cancelled) return;
        this.preparing = undefined;
        this.failStart(errorMessage(err));
        return;
      }
      if (preparing.cancelled) return;
    }
    this.preparing = undefined;
    this.dispatch({ type: 'prepared', preparation });
  }

  /** What this server's attempts learnt of its era (`protocol: auto`), for the launch they ran: another launch probes. */
  private eraMemory(launch: ResolvedLaunch): NonNullable<McpSessionOptions['era']> {
    const key = JSON.stringify(launch);
    return {
      get: () => (this.era?.launch === key ? this.era.verdict : undefined),
      set: (verdict) => { this.era = { launch: key, verdict }; },
    };
  }

  private connect(launch: ResolvedLaunch): void {
    const def = this.attemptDefinition;
    if (launch.type === 'stdio') {
      for (const [k, v] of Object.entries(launch.env)) if (looksLikeSecretName(k)) this.options.redactor.add(v);
      // Secret-looking args are masked as in the tooltip (log() redacts registered values and credential shapes).
      const args = maskSecretArgs(launch.args, [], REDACTED);
      this.log('info', `starting: ${[launch.command, ...args].join(' ')} (cwd ${launch.cwd}, ${Object.keys(launch.env).length} env vars)`);
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
        sink: this.options.sink, redactor: this.options.redactor, clientInfo: this.options.clientInfo, sdk: this.sdk!,
        roots: this.options.roots, elicitation: this.options.elicitation, era: this.eraMemory(launch), traceLevel: this.options.traceLevel, timing: this.timing,
        onProcessSpawned: this.options.onProcessSpawned, onProcessGone: this.options.onProcessGone,
      });
    } catch (err) {
      this.failStart(errorMessage(err));
      return;
    }
    this.session = session;
    // The session's emitters go with it: nothing below can arrive from a session that was released.
    session.onDidSpawn((pid) => this.dispatch({ type: 'spawned', pid }));
    session.onDidConnect((outcome) => this.onConnected(session, outcome));
    session.onDidList(() => this.dispatch({ type: 'listed' }));
    session.onDidChangeCatalog((catalog) => this._onDidChangeCatalog.fire(catalog));
    session.onDidPing(({ latencyMs, at }) => {
      this._health = { ...this._health, lastPingLatencyMs: latencyMs, lastPingAt: at };
      this._onDidPing.fire(this._health);
    });
    session.onDidChangePendingInput((input) => this._onDidChangePendingInput.fire(input));
    session.onDidClose((close) => { this.releaseSession(); this.onExit(close); });
    session.connect();
  }

  private onConnected(session: McpSession, outcome: ConnectOutcome): void {
    switch (outcome.kind) {
      case 'initialized':
        this.log('info', `running: ${outcome.serverInfo?.name ?? '?'} ${outcome.serverInfo?.version ?? ''} (pid ${session.pid ?? '-'}, MCP ${outcome.protocolVersion ?? '?'})`);
        this.dispatch({ type: 'initialized', now: Date.now(), serverInfo: outcome.serverInfo, protocolVersion: outcome.protocolVersion, capabilities: outcome.capabilities, instructions: outcome.instructions });
        return;
      case 'signInRequired':
        this.releaseSession();
        this.log('warn', outcome.error.message);
        this.dispatch({ type: 'signInRequired', reason: outcome.error.reason });
        return;
      case 'notStarted':
        this.releaseSession();
        this.failStart(outcome.reason, outcome.detail);
        return;
      case 'exited':
        this.releaseSession();
        this.onExit(outcome.close);
        return;
      default: assertNever(outcome);
    }
  }

  /** The connection ended without a stop: it needs a sign-in, or it crashed and the restart policy decides. */
  private onExit(close: SessionClose): void {
    const exit = close.exit;
    if (exit?.signInRequired) {
      this.log('warn', `needs sign-in: ${exit.signInRequired}`);
      this.dispatch({ type: 'signInRequired', reason: exit.signInRequired });
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
    this.dispatch({ type: 'exited', now: Date.now(), reason, decision, exitCode: exit?.code, signal: exit?.signal, stderrTail: close.stderrTail });
  }

  /** Graceful stop of the session, then `stopped`; with no session, `stopped` at once. */
  private closeSession(): void {
    const session = this.session;
    if (!session) { this.dispatch({ type: 'stopped' }); return; }
    this.log('info', 'stopping');
    this.stopping = (async () => {
      try {
        await session.close();
      } finally {
        this.releaseSession();
        this.stopping = undefined;
        this.dispatch({ type: 'stopped' });
      }
    })();
  }

  /** Lets go of the current session (its process is gone or going): it emits nothing more; the catalog empties. */
  private releaseSession(): void {
    const session = this.session;
    if (!session) return;
    this.session = undefined;
    const waited = session.pendingInput;
    session.dispose();
    if (session.catalog !== EMPTY_CATALOG) this._onDidChangeCatalog.fire(EMPTY_CATALOG);
    if (waited) this._onDidChangePendingInput.fire(undefined);
  }

  private cancelRestart(): void {
    this.restartTimer?.dispose();
    this.restartTimer = undefined;
  }

  private cancelPreparation(): void {
    if (this.preparing) this.preparing.cancelled = true;
    this.preparing = undefined;
  }

  private failStart(reason: string, detail?: string): void {
    this.log('error', `failed to start: ${reason}${detail ? ` (${detail})` : ''}`);
    this.dispatch({ type: 'startFailed', reason });
  }

  private rejectWaiters(because: StartRejection): void {
    const waiters = this.waiters.splice(0);
    if (!waiters.length) return;
    const err = this.rejection(because);
    for (const w of waiters) w.reject(err);
  }

  private rejection(because: StartRejection): Error {
    switch (because.kind) {
      case 'cancelled': return new UserCancelledError();
      case 'failed': return new ServerStartError(this.name, because.reason);
      case 'signInRequired': return new SignInRequiredError(this.name, because.reason);
      case 'needsTrust': return new WorkspaceTrustRequiredError(this.name);
      case 'configError': return new ConfigResolutionError(because.reason);
      default: return assertNever(because);
    }
  }

  private log(level: LogLevel, message: string): void {
    this.options.sink.append(level, [this.options.redactor.redact(`[supervisor] ${message}`)]);
  }
}
