// The one module with SDK *value* imports on the supervision path: everything else imports SDK types only.
import type {
  CallToolResult, Client, PriorDiscovery, CompleteRequest, CompleteResult, GetPromptResult, LoggingLevel, ReadResourceResult, RequestOptions, Root,
} from '@modelcontextprotocol/client';
import { DEFAULT_REQUEST_TIMEOUT_MS, DEFAULT_STARTUP_TIMEOUT_MS, type ResolvedLaunch, type ServerDefinition } from '../common/config/types';
import { hostSafeSchemaValidator } from '../common/argumentValidation';
import type { TraceLevel } from '../common/contracts';
import { type EraVerdict, type NegotiationMode, negotiationFor, nextVerdict } from '../common/protocolRevision';
import {
  type ElicitContent, type ElicitationAnswer, type ElicitationRequest, type ElicitationUi, type PendingInput, checkElicitationUrl, describeAnswer,
  describeRequest, parseElicitation, pendingInputOf, secretValues,
} from '../common/elicitation';
import { type SignInRequiredError, UserCancelledError, errorMessage, isSignInRequired } from '../common/errors';
import { Disposable, Emitter, toDisposable, type IDisposable } from '../common/lifecycle';
import { type CatalogKind, type CatalogList, EMPTY_CATALOG, type RequestCallOptions, type ServerCatalog } from '../common/model';
import type { Redactor } from '../common/redact';
import type { ServerCapabilities, ServerInfo } from '../common/serverState';
import { CommandNotFoundError, RequestCeilingError, RpcTimeoutError, ServerConnectionLostError, StartupTimeoutError } from './errors';
import { LIST_METHODS, type PageLister, loadCatalog } from './loadCatalog';
import { LogBudget } from './logBudget';
import { RequestClock } from './requestClock';
import { DEFAULT_STDERR_OPTIONS, mcpLevelToLogLevel, type LogLevel, type ServerLogSink } from './logSink';
import { JsonRpcTrace } from './trace';
import { interceptTransport, type ManagedTransport, type TransportExit, type TransportFactory } from './transport';
import type { McpSdk } from '../sdkLoader';

/** Longest `notifications/message` text written to the log (characters). */
const MAX_SERVER_LOG_MESSAGE = 10_000;
/** The `_meta` key of a request's log level (2026-07-28). */
const LOG_LEVEL_META_KEY = 'io.modelcontextprotocol/logLevel';
/** The longest a list is kept before it is listed again, whatever its ttlMs says (the SDK caps ttlMs the same). */
const MAX_FRESH_MS = 86_400_000;
/** Longest wait for the answer to the `server/discover` probe on a local pipe (half the startup timeout if shorter). */
const PROBE_TIMEOUT_MS = 10_000;

/**
 * Progress resets a request's timeout, but a request runs at most this many times its timeout in all (60 s → 10 min);
 * then it is cancelled (`notifications/cancelled`) and fails with a RequestCeilingError.
 */
export const MAX_TOTAL_TIMEOUT_FACTOR = 10;

/** The SDK's own request timeout, kept out of the way (a timer's longest delay, ~24 days): RequestClock decides. */
const SDK_TIMEOUT_OFF_MS = 2 ** 31 - 1;

/** Supplies the client's roots (workspace folders) when a server asks. */
export type RootsProvider = () => readonly Root[] | Promise<readonly Root[]>;

export interface ClientInfo { readonly name: string; readonly version: string }

export interface SessionTiming {
  /** list_changed notifications are coalesced for this long before the catalog is refreshed (ms). */
  readonly listChangedDebounceMs: number;
  /** A list the server says is fresh for less than this is re-listed after this long (ms; its ttlMs is honoured). */
  readonly minFreshRefreshMs: number;
  readonly defaultPingIntervalMs: number;
  readonly defaultPingTimeoutMs: number;
}

export interface McpSessionOptions {
  /** The definition this attempt runs (its name, timeouts and ping options). */
  readonly definition: ServerDefinition;
  readonly launch: ResolvedLaunch;
  readonly transportFactory: TransportFactory;
  readonly sink: ServerLogSink;
  readonly redactor: Redactor;
  readonly clientInfo: ClientInfo;
  /** The MCP SDK, loaded by the supervisor before the first attempt (never at activation: see src/sdk.ts). */
  readonly sdk: McpSdk;
  readonly roots?: RootsProvider;
  /**
   * What earlier attempts learnt of the server's era (`protocol: auto`): read before connecting, written after. Absent:
   * every attempt probes.
   */
  readonly era?: { get(): EraVerdict | undefined; set(verdict: EraVerdict | undefined): void };
  /** Asks the user when the server sends `elicitation/create`; absent: the capability is not declared. */
  readonly elicitation?: ElicitationUi;
  /** `mcpManager.trace`, read per message. Absent: no trace. */
  readonly traceLevel?: () => TraceLevel;
  readonly timing: SessionTiming;
  /** Every process group the transport spawns (the orphan ledger): called even after the session is disposed. */
  readonly onProcessSpawned?: (pid: number) => void;
  readonly onProcessGone?: (pid: number) => void;
}

/** How a connection ended, as the session saw it. */
export interface SessionClose {
  readonly exit: TransportExit | undefined;
  /** Last lines of the server's diagnostics (stderr for stdio), redacted. */
  readonly stderrTail: readonly string[];
  /** Why the session ended the connection itself (startup timeout, unanswered ping, failed initialize), if it did. */
  readonly failure?: string;
}

/** The result of `connect()`. */
export type ConnectOutcome =
  | {
      readonly kind: 'initialized'; readonly serverInfo?: ServerInfo; readonly protocolVersion?: string;
      readonly capabilities?: ServerCapabilities; readonly instructions?: string;
    }
  /** A remote server needs an interactive sign-in first. */
  | { readonly kind: 'signInRequired'; readonly error: SignInRequiredError }
  /** Nothing ran (command not found, refused connection, unsupported transport): a restart cannot help. */
  | { readonly kind: 'notStarted'; readonly reason: string; readonly detail?: string }
  /** The process (or connection) existed and ended before initialize completed. */
  | { readonly kind: 'exited'; readonly close: SessionClose };

/**
 * One connection attempt to one server: the SDK Client, the transport, requests, the catalog with its list_changed
 * debounce, the ping health check, and every timer of these. Created per attempt and disposed when the attempt ends,
 * so nothing of an old process reaches its owner: a disposed session emits nothing (its emitters are disposed with
 * it) and its timers are cleared.
 *
 * Events: `onDidConnect` once (the outcome of `connect()`); then, after `initialized`, `onDidList` once the first
 * listing completed (see `activate`), `onDidChangeCatalog`, `onDidPing`, and `onDidClose` once if the connection ends
 * without `close()`/`kill()` being asked for.
 */
export class McpSession extends Disposable {
  private readonly client: Client;
  private readonly transport: ManagedTransport;
  /** The server's log notifications get stderr's budget: a chatty server costs bounded log volume and memory. */
  private readonly serverLog: LogBudget;
  private readonly timers = new Set<NodeJS.Timeout>();
  private phase: 'new' | 'connecting' | 'open' | 'closed' = 'new';
  private closeInfo: SessionClose | undefined;
  private readonly closeWaiters: ((close: SessionClose) => void)[] = [];
  private failure: string | undefined;
  private _catalog: ServerCatalog = EMPTY_CATALOG;
  private refreshChain: Promise<void> = Promise.resolve();
  private readonly pendingListChanges = new Set<CatalogKind>();
  private listChangedTimer: IDisposable | undefined;
  /** A refresh started by list_changed is running (the next one waits for it). */
  private listChangedRefreshing = false;
  private _listed = false;
  /** The revision the Client negotiated (it tells the transport; see interceptTransport). */
  private protocolVersion: string | undefined;
  /** Re-listings due when a list's ttlMs runs out, by kind. */
  private readonly staleTimers = new Map<CatalogKind, IDisposable>();
  /** 2026-07-28: the log level the user chose (sent with each request instead of logging/setLevel). */
  private logLevel: LoggingLevel | undefined;
  /** How the Client finds the revision (the `protocol` server option; SSE speaks 2025-11-25). */
  private readonly negotiation: NegotiationMode;
  /** The timers of the requests under way: they stand still while the server waits on the user. */
  private readonly clocks = new Set<RequestClock>();
  /** The server's open elicitations, oldest first. */
  private readonly openInputs: { readonly request: ElicitationRequest; readonly since: number }[] = [];
  /** Aborted when the session is disposed: an open elicitation's UI closes. */
  private readonly lifetime = new AbortController();

  private readonly _onDidSpawn = this._register(new Emitter<number>());
  /** The transport spawned its process (pid). */
  readonly onDidSpawn = this._onDidSpawn.event;
  private readonly _onDidConnect = this._register(new Emitter<ConnectOutcome>());
  readonly onDidConnect = this._onDidConnect.event;
  private readonly _onDidList = this._register(new Emitter<void>());
  /** The first listing after `activate()` completed (successfully or not). */
  readonly onDidList = this._onDidList.event;
  private readonly _onDidChangeCatalog = this._register(new Emitter<ServerCatalog>());
  readonly onDidChangeCatalog = this._onDidChangeCatalog.event;
  private readonly _onDidPing = this._register(new Emitter<{ readonly latencyMs: number; readonly at: number }>());
  readonly onDidPing = this._onDidPing.event;
  private readonly _onDidClose = this._register(new Emitter<SessionClose>());
  /** The connection ended after initialize, without close() or kill(). */
  readonly onDidClose = this._onDidClose.event;
  private readonly _onDidChangePendingInput = this._register(new Emitter<PendingInput | undefined>());
  /** An elicitation opened or settled (`pendingInput` says what waits now). */
  readonly onDidChangePendingInput = this._onDidChangePendingInput.event;

  /** Creates the transport (throws what its factory throws). */
  constructor(private readonly options: McpSessionOptions) {
    super();
    this._register(toDisposable(() => {
      for (const t of this.timers) clearTimeout(t);
      this.timers.clear();
      for (const c of this.clocks) c.dispose();
      this.lifetime.abort();
    }));
    const { definition: def, sink, redactor } = options;
    const inner = options.transportFactory(options.launch, {
      serverId: def.id, serverName: def.name, sink, redactor,
      onProcessSpawned: (pid) => { this._onDidSpawn.fire(pid); options.onProcessSpawned?.(pid); },
      onProcessGone: options.onProcessGone,
    });
    const trace = options.traceLevel && new JsonRpcTrace(sink, redactor, options.traceLevel);
    const serverLog = this.serverLog = this._register(new LogBudget(sink, DEFAULT_STDERR_OPTIONS,
      (n) => `[server log] … ${n} messages not shown (the server logs faster than it can be shown)`));
    this.transport = interceptTransport(inner, {
      send: trace ? (m) => trace.message('send', m) : undefined,
      receive: (m) => {
        trace?.message('receive', m);
        // Past the budget a log message is only counted, before the SDK's Client parses it again: most of what a
        // flood of them costs the host (CPU and garbage-collection pauses) is there.
        if ('method' in m && m.method === 'notifications/message' && serverLog.full) { serverLog.drop(); return false; }
        return true;
      },
      closed: trace ? () => trace.reset() : undefined,
      negotiated: (version) => { this.protocolVersion = version; },
    });
    this.negotiation = negotiationFor(options.definition.options.protocol, options.launch.type);
    this.client = this.createClient();
    this.transport.onclose = () => this.onTransportClosed();
  }

  /** The pid of its process, if any (also while it is being stopped). */
  get pid(): number | undefined { return this.transport.pid; }
  /** Initialize completed and the connection is open. */
  get isOpen(): boolean { return this.phase === 'open'; }
  /** The first listing after `activate()` completed. */
  get listed(): boolean { return this._listed; }
  get catalog(): ServerCatalog { return this._catalog; }
  get capabilities(): ServerCapabilities | undefined { return this.client.getServerCapabilities(); }
  /** The server waits on the user (an elicitation is open): the oldest request, and how many are open. */
  get pendingInput(): PendingInput | undefined {
    const first = this.openInputs[0];
    return first && pendingInputOf(first.request, first.since, this.openInputs.length, (t) => this.options.redactor.redact(t));
  }

  /** Spawns/connects and initializes within the startup timeout; the outcome arrives as `onDidConnect`. */
  connect(): void {
    if (this.phase !== 'new') throw new Error('McpSession.connect() called twice');
    this.phase = 'connecting';
    void this.doConnect();
  }

  private async doConnect(): Promise<void> {
    const def = this.options.definition;
    const startupTimeoutMs = def.options.startupTimeoutMs ?? DEFAULT_STARTUP_TIMEOUT_MS;
    const probing = this.negotiation === 'auto';
    const prior = probing ? this.options.era?.get() : undefined;
    const startupTimer = this.timeout(startupTimeoutMs, () => {
      this.failure = new StartupTimeoutError(def.name, startupTimeoutMs).message;
      this.log('error', `${this.failure}; killing it`);
      void this.transport.kill();
    });
    let outcome: ConnectOutcome | undefined;
    try {
      // Our own timer fires first. A prior verdict skips the probe (the SDK adopts a modern one with no round trip).
      await this.client.connect(this.transport, { timeout: startupTimeoutMs + 1_000, ...(prior ? { prior: prior as PriorDiscovery } : {}) });
      startupTimer.dispose();
      if (this.closeInfo) outcome = { kind: 'exited', close: this.closeInfo };
      else {
        this.phase = 'open';
        const discover = this.client.getDiscoverResult();
        if (probing) this.options.era?.set(nextVerdict(prior, { ok: true, verdict: discover ? { kind: 'modern', discover } : { kind: 'legacy' } }));
        if (prior) this.log('debug', `era: ${prior.kind} (known from an earlier attempt; not probed)`);
        const info = this.client.getServerVersion();
        outcome = {
          kind: 'initialized',
          serverInfo: info ? { name: info.name, version: info.version, ...(info.title ? { title: info.title } : {}) } : undefined,
          protocolVersion: this.protocolVersion,
          capabilities: this.client.getServerCapabilities(), instructions: this.client.getInstructions(),
        };
      }
    } catch (err) {
      startupTimer.dispose();
      outcome = await this.connectFailure(err);
      if (probing && outcome?.kind === 'exited') this.options.era?.set(nextVerdict(prior, { ok: false }));
    }
    if (outcome) this._onDidConnect.fire(outcome);
  }

  private async connectFailure(err: unknown): Promise<ConnectOutcome | undefined> {
    // Closed or killed by its owner meanwhile: nobody listens, and the stop in progress must not be cut short.
    if (this.isDisposed) return undefined;
    // A failed version probe: what our transport threw is the SDK error's cause.
    err = this.options.sdk.probeFailureCause(err);
    if (isSignInRequired(err)) return { kind: 'signInRequired', error: err };
    // It exited (or was killed by the startup timer) while initializing: the close says how.
    if (this.closeInfo && (this.transport.pid !== undefined || this.failure)) return { kind: 'exited', close: this.closeInfo };
    // Never spawned (command not found, not executable) or never connected: restarting cannot help.
    if (this.transport.pid === undefined && !this.failure) {
      return { kind: 'notStarted', reason: errorMessage(err), ...(err instanceof CommandNotFoundError ? { detail: err.detail } : {}) };
    }
    // It runs, but initialize failed: end it; how it ended is the outcome.
    this.failure ??= `initialize failed: ${errorMessage(err)}`;
    const closed = this.whenClosed();
    await this.transport.kill();
    return { kind: 'exited', close: await closed };
  }

  /**
   * After `initialized`: re-applies the remembered log level, starts the ping health check and lists the catalog;
   * `onDidList` fires once that first listing completed.
   */
  async activate(logLevel: LoggingLevel | undefined): Promise<void> {
    if (!this.isOpen) return;
    if (logLevel) await this.setLogLevel(logLevel).catch((err: unknown) => this.log('warn', `logging/setLevel failed: ${errorMessage(err)}`));
    if (this.modern) await this.listenForChanges();
    this.startPing();
    await this.refreshCatalog();
    if (this.isDisposed || !this.isOpen) return;
    this._listed = true;
    this._onDidList.fire();
  }

  /** Graceful stop: the client closes the transport (stdin → SIGTERM → SIGKILL for stdio). Emits nothing more. */
  async close(): Promise<void> {
    this.dispose();
    try {
      await this.client.close();
    } catch (err) {
      this.log('warn', `error while stopping: ${errorMessage(err)}`);
    } finally {
      await this.transport.kill(); // no-op when already gone
    }
  }

  /** Kills the connection now, no grace (stdio: the whole process group). Emits nothing more. */
  async kill(): Promise<void> {
    this.dispose();
    await this.transport.kill();
  }

  // ---- requests -------------------------------------------------------------------------------------------------

  callTool(name: string, args: Record<string, unknown> | undefined, options?: RequestCallOptions): Promise<CallToolResult> {
    return this.request(`tools/call ${name}`, (c, o) => this.options.sdk.callTool(c, { name, arguments: args, ...this.meta() }, o, this._catalog.tools.find((t) => t.name === name)), options);
  }

  readResource(uri: string, options?: RequestCallOptions): Promise<ReadResourceResult> {
    return this.request('resources/read', (c, o) => c.readResource({ uri, ...this.meta() }, o), options);
  }

  getPrompt(name: string, args: Record<string, string> | undefined, options?: RequestCallOptions): Promise<GetPromptResult> {
    return this.request(`prompts/get ${name}`, (c, o) => c.getPrompt({ name, arguments: args, ...this.meta() }, o), options);
  }

  complete(params: CompleteRequest['params'], options?: RequestCallOptions): Promise<CompleteResult> {
    return this.request('completion/complete', (c, o) => c.complete({ ...params, ...this.meta() }, o), options);
  }

  /** Sets the server's log level; no-op without the logging capability. */
  async setLogLevel(level: LoggingLevel): Promise<void> {
    if (!this.isOpen || !this.capabilities?.logging) return;
    // 2026-07-28 has no logging/setLevel: the level travels in each request's _meta.
    if (this.modern) { this.logLevel = level; return; }
    await this.request('logging/setLevel', (c, o) => c.setLoggingLevel(level, o));
  }

  /** Tells the server the roots changed (it will ask for them again). */
  async notifyRootsChanged(): Promise<void> {
    if (this.isOpen && this.options.roots) await this.client.sendRootsListChanged().catch(() => undefined);
  }

  /** Re-lists everything (or some kinds) now; waits for the refresh. Refreshes run one at a time. */
  refreshCatalog(kinds: readonly CatalogKind[] = ['tools', 'resources', 'prompts']): Promise<void> {
    if (!this.isOpen) return Promise.resolve();
    this.refreshChain = this.refreshChain.then(() => this.doRefresh(kinds), () => this.doRefresh(kinds));
    return this.refreshChain;
  }

  /** Sends a request with the timeout/progress/cancellation rules and maps failures to typed errors. */
  async request<T>(what: string, fn: (client: Client, options: RequestOptions) => Promise<T>, options: RequestCallOptions = {}): Promise<T> {
    const timeout = options.timeoutMs ?? this.options.definition.options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
    if (options.signal?.aborted) throw new UserCancelledError();
    // Both timeouts are our own timers, not the SDK's: its maxTotalTimeout is checked only when progress arrives and
    // sends no cancellation, and neither of its timers can stand still while the server waits on the user
    // (RequestClock). Aborting the request's signal makes the SDK send notifications/cancelled.
    const ceilingMs = timeout * MAX_TOTAL_TIMEOUT_FACTOR;
    const clock = new RequestClock(timeout, ceilingMs, this.openInputs.length > 0);
    this.clocks.add(clock);
    try {
      return await fn(this.client, {
        timeout: SDK_TIMEOUT_OFF_MS,
        signal: options.signal ? AbortSignal.any([options.signal, clock.signal]) : clock.signal,
        onprogress: options.onProgress ? (p) => { clock.progress(); options.onProgress!(p); } : undefined,
      });
    } catch (err) {
      if (options.signal?.aborted) throw new UserCancelledError();
      const name = this.options.definition.name;
      if (clock.expired === 'ceiling') throw new RequestCeilingError(name, what, ceilingMs);
      if (clock.expired === 'idle') throw new RpcTimeoutError(name, what, timeout);
      if (this.options.sdk.isConnectionClosed(err)) {
        const exit = this.transport.exit;
        throw new ServerConnectionLostError(name, what, exit?.code, exit?.signal);
      }
      if (this.options.sdk.isRequestTimeout(err)) throw new RpcTimeoutError(name, what, timeout);
      // The server's error text (shown by commands and the Call Tool panel) may echo a secret: redacted at the source.
      if (err instanceof Error) err.message = this.options.redactor.redact(err.message);
      throw err;
    } finally {
      clock.dispose();
      this.clocks.delete(clock);
    }
  }

  // ---- internals ------------------------------------------------------------------------------------------------

  /** 2026-07-28: the log level asked for, in a request's `_meta` (absent when none was set). */
  private meta(): { _meta?: Record<string, unknown> } {
    return this.logLevel && this.modern ? { _meta: { [LOG_LEVEL_META_KEY]: this.logLevel } } : {};
  }

  /**
   * A list the server said is fresh for ttlMs (2026-07-28) is listed again when that runs out (coalesced with list
   * changes; no sooner than minFreshRefreshMs, no later than a day): the tree does not go stale on a server that
   * announces no changes. A list without a ttl is not polled.
   */
  private refreshWhenStale(freshForMs: Partial<Record<CatalogKind, number>>): void {
    for (const [kind, ttl] of Object.entries(freshForMs) as [CatalogKind, number][]) {
      this.staleTimers.get(kind)?.dispose();
      const ms = Math.min(Math.max(ttl, this.options.timing.minFreshRefreshMs), MAX_FRESH_MS);
      this.staleTimers.set(kind, this.timeout(ms, () => { this.staleTimers.delete(kind); this.onListChanged(kind); }));
    }
  }

  /** The connection speaks 2026-07-28 (or later). */
  private get modern(): boolean { return this.client.getProtocolEra() === 'modern'; }

  /**
   * 2026-07-28: list changes arrive on a `subscriptions/listen` stream (the SDK dispatches them to the same
   * notification handlers as 2025-11-25's list_changed). Only what the server says it announces is asked for.
   */
  private async listenForChanges(): Promise<void> {
    const caps = this.client.getServerCapabilities();
    const filter = {
      ...(caps?.tools?.listChanged ? { toolsListChanged: true } : {}),
      ...(caps?.prompts?.listChanged ? { promptsListChanged: true } : {}),
      ...(caps?.resources?.listChanged ? { resourcesListChanged: true } : {}),
    };
    if (!Object.keys(filter).length) return;
    try {
      await this.client.listen(filter);
      this.log('debug', `listening for ${Object.keys(filter).join(', ')}`);
    } catch (err) {
      this.log('warn', `subscriptions/listen failed (list changes will not be seen until a refresh): ${errorMessage(err)}`);
    }
  }

  private createClient(): Client {
    const { roots, elicitation, redactor, clientInfo, sdk } = this.options;
    const { serverLog } = this;
    const { Client, onServerNotification, onServerRequest } = sdk;
    const client = new Client(clientInfo, {
      versionNegotiation: {
        mode: this.negotiation,
        // On a local pipe a probe nobody answers means a legacy server (the SDK falls back to initialize): not a long wait.
        probe: { timeoutMs: Math.min(PROBE_TIMEOUT_MS, (this.options.definition.options.startupTimeoutMs ?? DEFAULT_STARTUP_TIMEOUT_MS) / 2) },
      },
      // Honest capabilities: roots and elicitation only when we can supply them; no sampling.
      capabilities: { ...(roots ? { roots: { listChanged: true } } : {}), ...(elicitation ? { elicitation: { form: {}, url: {} } } : {}) },
      jsonSchemaValidator: hostSafeSchemaValidator(sdk),
    });
    if (roots) onServerRequest(client, 'roots/list', async () => ({ roots: [...await roots()] }));
    if (elicitation) onServerRequest(client, 'elicitation/create', (request, { signal }) => this.elicit(elicitation, request.params, signal));
    onServerNotification(client, 'notifications/message', (n) => {
      // The transport's check let a whole chunk of messages through before any reached this handler: the ones past
      // the budget by now are counted here, before they cost a redaction.
      if (serverLog.full) { serverLog.drop(); return; }
      const { level, logger, data } = n.params;
      // Redacted before the cut: a secret that crosses it would no longer match.
      let text = redactor.redact(`[server log${logger ? ` ${logger}` : ''}] ${typeof data === 'string' ? data : JSON.stringify(data)}`);
      if (text.length > MAX_SERVER_LOG_MESSAGE) text = `${text.slice(0, MAX_SERVER_LOG_MESSAGE)}…`;
      serverLog.add(mcpLevelToLogLevel(level), text);
    });
    onServerNotification(client, 'notifications/tools/list_changed', () => this.onListChanged('tools'));
    onServerNotification(client, 'notifications/resources/list_changed', () => this.onListChanged('resources'));
    onServerNotification(client, 'notifications/prompts/list_changed', () => this.onListChanged('prompts'));
    client.onerror = (err) => this.log('debug', `protocol: ${errorMessage(err)}`);
    return client;
  }

  /**
   * An `elicitation/create` from the server: parsed, logged, asked (a URL that may not be opened is declined without
   * asking), logged again with its answer, sensitive values never in clear and registered with the redactor. While it
   * is open the server shows as waiting for input and the timers of our requests stand still. When `serverSignal`
   * aborts (the server cancelled, the connection ended) or the session ends, the UI closes and nothing is answered.
   */
  private async elicit(ui: ElicitationUi, params: unknown, serverSignal: AbortSignal): Promise<{ action: ElicitationAnswer['action']; content?: ElicitContent }> {
    const { id: serverId, name } = this.options.definition;
    const parsed = parseElicitation(params);
    if (!parsed.ok) { this.log('warn', `elicitation: ${name} sent an ${parsed.error}`); throw new Error(parsed.error); }
    const { request } = parsed;
    this.log('info', describeRequest(name, request));
    let answer: ElicitationAnswer;
    const check = request.mode === 'url' ? checkElicitationUrl(request.url) : undefined;
    if (check && !check.ok) {
      this.log('warn', `elicitation: ${name}'s link is not opened: ${check.reason}`);
      ui.refused(name, check.reason);
      answer = { action: 'decline' };
    } else {
      const signal = AbortSignal.any([serverSignal, this.lifetime.signal]);
      const entry = { request, since: Date.now() };
      this.setInputOpen(entry, true);
      try {
        answer = await ui.ask(request, { serverId, serverName: name, signal });
        if (signal.aborted) throw new UserCancelledError();
      } catch (err) {
        this.log(signal.aborted ? 'info' : 'warn', signal.aborted
          ? `elicitation: ${name} withdrew its request, or its connection ended: nothing was answered`
          : `elicitation: asking failed: ${errorMessage(err)}`);
        throw err;
      } finally {
        this.setInputOpen(entry, false);
      }
    }
    this.options.redactor.add(...secretValues(request, answer));
    this.log('info', describeAnswer(name, request, answer));
    return answer.action === 'accept' && request.mode === 'form' ? { action: 'accept', content: answer.content } : { action: answer.action };
  }

  private setInputOpen(entry: (typeof this.openInputs)[number], open: boolean): void {
    if (open) this.openInputs.push(entry); else this.openInputs.splice(this.openInputs.indexOf(entry), 1);
    const waiting = this.openInputs.length > 0;
    for (const c of this.clocks) if (waiting) c.pause(); else c.resume();
    this._onDidChangePendingInput.fire(this.pendingInput);
  }

  private onTransportClosed(): void {
    if (this.closeInfo) return;
    const close: SessionClose = {
      exit: this.transport.exit, stderrTail: this.transport.stderrTail(), ...(this.failure ? { failure: this.failure } : {}),
    };
    this.closeInfo = close;
    const wasOpen = this.phase === 'open';
    this.phase = 'closed';
    for (const w of this.closeWaiters.splice(0)) w(close);
    // During connect, the connect outcome reports it.
    if (wasOpen) this._onDidClose.fire(close);
  }

  private whenClosed(): Promise<SessionClose> {
    if (this.closeInfo) return Promise.resolve(this.closeInfo);
    return new Promise((resolve) => this.closeWaiters.push(resolve));
  }

  /**
   * Notifications are coalesced: the first starts a timer, later ones only add their kind. While the refresh it
   * starts is running, the next timer waits for it, so a storm of notifications costs at most one listing per
   * (debounce + listing time), never a queue of listings that outlives the storm.
   */
  private onListChanged(kind: CatalogKind): void {
    if (!this.isOpen || this.isDisposed) return;
    this.pendingListChanges.add(kind);
    if (!this.listChangedTimer && !this.listChangedRefreshing) this.armListChanged();
  }

  private armListChanged(): void {
    this.listChangedTimer = this.timeout(this.options.timing.listChangedDebounceMs, () => {
      this.listChangedTimer = undefined;
      const kinds = [...this.pendingListChanges];
      this.pendingListChanges.clear();
      this.listChangedRefreshing = true;
      const done = (): void => {
        this.listChangedRefreshing = false;
        if (this.pendingListChanges.size && this.isOpen && !this.isDisposed) this.armListChanged();
      };
      this.refreshCatalog(kinds).then(done, done);
    });
  }

  private async doRefresh(kinds: readonly CatalogKind[]): Promise<void> {
    if (!this.isOpen || this.isDisposed) return;
    const timeoutMs = this.options.definition.options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
    let listing;
    try {
      const { listPage } = this.options.sdk;
      const pages: PageLister = (kind, cursor, o) => listPage(this.client, kind, cursor, o);
      listing = await loadCatalog(pages, this.capabilities, kinds, { timeoutMs });
    } catch (err) {
      if (this.isDisposed) return;
      this.log('warn', `listing ${kinds.join(', ')} failed: ${errorMessage(err)}`);
      this._catalog = { ...this._catalog, updatedAt: Date.now(), error: errorMessage(err) };
      this._onDidChangeCatalog.fire(this._catalog);
      return;
    }
    if (this.isDisposed) return;
    const { error: _previousError, truncated: wasTruncated = {}, ...previous } = this._catalog;
    const { truncated: capped = {}, freshForMs = {}, ...lists } = listing;
    this.refreshWhenStale(freshForMs);
    // The refreshed lists are truncated as this listing says; the others keep their mark. A new truncation is logged once.
    const truncated: Partial<Record<CatalogList, true>> = {};
    for (const list of Object.keys({ ...wasTruncated, ...lists }) as CatalogList[]) {
      const cap = capped[list];
      if (cap && !wasTruncated[list]) this.log('warn', `${LIST_METHODS[list]} truncated after ${cap.pages} pages / ${cap.items} items (the most one list may have)`);
      if (list in lists ? cap : wasTruncated[list]) truncated[list] = true;
    }
    const next: ServerCatalog = { ...previous, ...lists, ...(Object.keys(truncated).length ? { truncated } : {}), updatedAt: Date.now() };
    this._catalog = next;
    this.log('debug', `catalog: ${next.tools.length} tools, ${next.resources.length} resources, ${next.resourceTemplates.length} templates, ${next.prompts.length} prompts`);
    this._onDidChangeCatalog.fire(next);
  }

  private startPing(): void {
    const ping = this.options.definition.options.ping;
    if (ping === false) return;
    const interval = ping?.intervalMs ?? this.options.timing.defaultPingIntervalMs;
    const timeout = ping?.timeoutMs ?? this.options.timing.defaultPingTimeoutMs;
    if (!(interval > 0)) return;
    const schedule = (): void => {
      this.timeout(interval, () => {
        const t0 = performance.now();
        this.client.ping({ timeout }).then(
          () => {
            if (this.isDisposed) return;
            this._onDidPing.fire({ latencyMs: Math.round((performance.now() - t0) * 10) / 10, at: Date.now() });
            schedule();
          },
          (err: unknown) => {
            if (this.isDisposed || !this.isOpen) return;
            if (this.options.sdk.isRequestTimeout(err)) {
              this.failure = `did not answer a ping within ${timeout} ms (hung)`;
              this.log('error', `${this.failure}; killing it`);
              void this.transport.kill();
              return;
            }
            // Any answer (even an error) proves the server is alive.
            schedule();
          });
      });
    };
    schedule();
  }

  /** A timer owned by this session: cleared when it is disposed (the set only holds pending timers). */
  private timeout(ms: number, fn: () => void): IDisposable {
    if (this.isDisposed) return toDisposable(() => undefined);
    const t = setTimeout(() => { this.timers.delete(t); fn(); }, ms);
    this.timers.add(t);
    return toDisposable(() => { clearTimeout(t); this.timers.delete(t); });
  }

  private log(level: LogLevel, message: string): void {
    this.options.sink.append(level, [this.options.redactor.redact(`[supervisor] ${message}`)]);
  }
}

