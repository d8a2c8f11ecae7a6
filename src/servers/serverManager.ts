import type { CallToolResult, CompleteRequest, CompleteResult, GetPromptResult, LoggingLevel, ReadResourceResult } from '@modelcontextprotocol/client';
import type { ConfiguredServer } from '../common/config/merge';
import { type ConfigPlan, computePlan, deepEqual, requiresRestart } from '../common/config/plan';
import type { LaunchResolver, ServerDefinition, StartPreparer } from '../common/config/types';
import type { TraceLevel } from '../common/contracts';
import type { ElicitationUi } from '../common/elicitation';
import { UserCancelledError, errorMessage } from '../common/errors';
import { Disposable, Emitter, toDisposable, type IDisposable } from '../common/lifecycle';
import { type CatalogKind, EMPTY_CATALOG, type RequestCallOptions, type ServerCatalog, type ServerHealth, type ServerSnapshot, type ServersModel } from '../common/model';
import { Redactor } from '../common/redact';
import type { ServerId } from '../common/serverId';
import { type RuntimeState, presentedState } from '../common/serverState';
import { UserFacingError } from '../common/errors';
import { type DefinitionChangeEvent, type DefinitionState, type DefinitionStore, DefinitionTracker } from './definitionTracker';
import { ToolBlockedError } from './errors';
import type { ProcessLedger } from './ledger';
import { NULL_LOG_SINK, type LogLevel, type ServerLogSink } from './logSink';
import { type ClientInfo, type RootsProvider, ServerSupervisor, type SupervisorTiming } from './serverSupervisor';
import { StdioTransport, type StdioTransportOptions } from './stdioTransport';
import type { TransportFactories, TransportFactory } from './transport';

/** deactivate()'s budget for stopping every server (ms). */
export const DEFAULT_STOP_ALL_DEADLINE_MS = 4_000;
/** Share of the stopAll budget spent on graceful stops before every remaining process group is killed. */
const STOP_ALL_GRACEFUL_SHARE = 0.75;

export interface ServerManagerOptions {
  /** The start gate (trust, first-start confirmation, resolution), asked before every start and restart. */
  readonly prepareStart: StartPreparer;
  /** Transports by launch type. Defaults to `{ stdio: stdioTransportFactory() }`; HTTP/SSE plug in here. */
  readonly transports?: TransportFactories;
  /** The log of one server (e.g. its own LogOutputChannel). Called once per server. */
  readonly sinkFor?: (definition: ServerDefinition) => ServerLogSink;
  /** The shared redactor (secrets registered anywhere are masked in server output too). */
  readonly redactor?: Redactor;
  /** Records spawned process groups so a later window can reap them if this one dies. */
  readonly ledger?: ProcessLedger;
  readonly roots?: RootsProvider;
  /** Asks the user when a server sends `elicitation/create`; absent: no server is offered elicitation. */
  readonly elicitation?: ElicitationUi;
  /** Who we are in `initialize`: the extension's name and version (from its manifest). */
  readonly clientInfo: ClientInfo;
  /** `mcpManager.trace`, read per message. */
  readonly traceLevel?: () => TraceLevel;
  readonly timing?: Partial<SupervisorTiming>;
  readonly random?: () => number;
  /** Where approved tool definitions are kept (the extension's global state). Absent: in memory, for this manager's life. */
  readonly definitionStore?: DefinitionStore;
}

/** A DefinitionStore in memory (tests; a manager given none). */
export function memoryDefinitionStore(): DefinitionStore {
  const records = new Map<string, NonNullable<ReturnType<DefinitionStore['get']>>>();
  return {
    get: (key) => records.get(key),
    set: (key, record) => { if (record) records.set(key, record); else records.delete(key); return Promise.resolve(); },
    clear: () => { records.clear(); return Promise.resolve(); },
  };
}

export function stdioTransportFactory(options?: StdioTransportOptions): TransportFactory {
  return (launch, context) => {
    if (launch.type !== 'stdio') throw new Error(`the stdio transport cannot connect to a '${launch.type}' server`);
    return new StdioTransport(launch, context, options);
  };
}

/**
 * A StartPreparer over a plain LaunchResolver (no gate): every launch it resolves is ready, a UserCancelledError is a
 * cancelled start, and any other error fails the start.
 */
export function launchesFrom(resolve: LaunchResolver): StartPreparer {
  return async (definition) => {
    try {
      return { kind: 'ready', launch: await resolve(definition) };
    } catch (err) {
      if (err instanceof UserCancelledError) return { kind: 'cancelled' };
      throw err;
    }
  };
}

export class UnknownServerError extends UserFacingError {
  constructor(readonly id: string) { super(`No server with id '${id}'`); this.name = 'UnknownServerError'; }
}

/**
 * All servers: the service the UI uses. Takes definitions (from config) and a launch resolver, owns one ServerSupervisor
 * per definition, and exposes state and catalog as events. Implements the views' ServersModel.
 */
export class ServerManager extends Disposable implements ServersModel {
  private readonly supervisors = new Map<ServerId, { supervisor: ServerSupervisor; subscriptions: IDisposable[]; sink: ServerLogSink }>();
  /** Tool-definition tracking and pinning: every listing is compared with what the user approved; calls are gated. */
  readonly definitions: DefinitionTracker;
  private readonly transports: TransportFactories;
  private readonly redactor: Redactor;

  private readonly _onDidChangeState = this._register(new Emitter<{ readonly id: ServerId; readonly state: RuntimeState }>());
  readonly onDidChangeState = this._onDidChangeState.event;
  private readonly _onDidChangeCatalog = this._register(new Emitter<{ readonly id: ServerId; readonly catalog: ServerCatalog }>());
  readonly onDidChangeCatalog = this._onDidChangeCatalog.event;
  private readonly _onDidChangeHealth = this._register(new Emitter<{ readonly id: ServerId; readonly health: ServerHealth }>());
  /** A ping answered (latency recorded): tooltips showing health and uptime can refresh. */
  readonly onDidChangeHealth = this._onDidChangeHealth.event;
  private readonly _onDidChange = this._register(new Emitter<readonly ServerId[] | 'all'>());
  /** ServersModel: fires the ids whose snapshot changed, or 'all' after a commit. */
  readonly onDidChange = this._onDidChange.event;
  /** Tools or prompts of a server differ from what the user approved (each change once). */
  readonly onDidDetectDefinitionChanges: (listener: (e: DefinitionChangeEvent) => void) => IDisposable;

  constructor(private readonly options: ServerManagerOptions) {
    super();
    this.transports = options.transports ?? { stdio: stdioTransportFactory() };
    this.redactor = options.redactor ?? new Redactor();
    this.definitions = this._register(new DefinitionTracker({
      store: options.definitionStore ?? memoryDefinitionStore(),
      redact: (text) => this.redactor.redact(text),
      log: (id, level, message) => this.logTo(id, level, message, 'definitions'),
    }));
    this.onDidDetectDefinitionChanges = this.definitions.onDidDetectChanges;
    this._register(this.definitions.onDidChange((id) => this._onDidChange.fire([id])));
    this._register(toDisposable(() => {
      for (const { supervisor, subscriptions } of this.supervisors.values()) { subscriptions.forEach((s) => s.dispose()); supervisor.dispose(); }
      this.supervisors.clear();
    }));
  }

  /**
   * Commits a configuration plan (ConfigService computes it): a supervisor for every added entry that can run; removed
   * entries, and changed ones that can no longer run (config error, shadowed), are stopped and forgotten; changed ones
   * take their new definition. A process keeps the launch it started with: the result lists the servers with a process
   * (or waiting for a sign-in) whose change needs a restart to apply (requiresRestart). Resolves once removed servers
   * are stopped.
   */
  async commit(plan: ConfigPlan): Promise<ServerId[]> {
    const removals: Promise<void>[] = [];
    const restart: ServerId[] = [];
    const drop = (id: ServerId): void => {
      const entry = this.supervisors.get(id);
      if (!entry) return;
      this.supervisors.delete(id);
      entry.subscriptions.forEach((s) => s.dispose());
      this.definitions.drop(id);
      removals.push(entry.supervisor.stop().finally(() => entry.supervisor.dispose()));
    };
    const put = (def: ServerDefinition): void => {
      const entry = this.supervisors.get(def.id);
      if (!entry) { this.supervisors.set(def.id, this.createSupervisor(def)); return; }
      const before = entry.supervisor.definition;
      if (deepEqual(before, def)) return;
      entry.supervisor.update(def);
      this.definitions.update(def, entry.supervisor.catalog);
      const runtime = entry.supervisor.state.kind;
      if (runtime !== 'stopped' && runtime !== 'failed' && requiresRestart(before, def)) restart.push(def.id);
    };
    for (const s of plan.removed) drop(s.id);
    for (const s of [...plan.added, ...plan.changed.map((c) => c.after)]) {
      if (s.definition && !s.problem) put(s.definition);
      else drop(s.id);
    }
    this._onDidChange.fire('all');
    await Promise.allSettled(removals);
    return restart;
  }

  /** Replaces the whole set of definitions: commits the plan from what it supervises now to these (see commit). */
  setDefinitions(definitions: readonly ServerDefinition[]): Promise<ServerId[]> {
    const current = [...this.supervisors.values()].map(({ supervisor }) => configured(supervisor.definition));
    return this.commit(computePlan(current, definitions.map(configured)));
  }

  // ---- ServersModel ------------------------------------------------------------------------------------------------

  list(): readonly ServerSnapshot[] {
    return [...this.supervisors.values()].map(({ supervisor }) => snapshot(supervisor));
  }

  get(id: ServerId): ServerSnapshot | undefined {
    const entry = this.supervisors.get(id);
    return entry && snapshot(entry.supervisor);
  }

  // ---- lifecycle ---------------------------------------------------------------------------------------------------

  /** Resolves when running and listed; rejects with ServerStartError / CommandNotFoundError detail / UserCancelledError. */
  start(id: ServerId): Promise<void> { return this.supervisor(id).start(); }
  /** Graceful stop; called again while stopping, kills at once. */
  stop(id: ServerId): Promise<void> { return this.supervisor(id).stop(); }
  restart(id: ServerId): Promise<void> { return this.supervisor(id).restart(); }

  /**
   * Stops every server in parallel within `deadlineMs` (deactivate): graceful ladders first, then, at 75 % of the
   * budget, every remaining process group is killed. Never takes (much) longer than the deadline.
   */
  async stopAll(deadlineMs = DEFAULT_STOP_ALL_DEADLINE_MS): Promise<void> {
    const supervisors = [...this.supervisors.values()].map((e) => e.supervisor);
    const all = Promise.allSettled(supervisors.map((s) => s.stop()));
    let timer: NodeJS.Timeout | undefined;
    let deadline: NodeJS.Timeout | undefined;
    const forced = new Promise<void>((resolve) => {
      timer = setTimeout(() => { void Promise.allSettled(supervisors.map((s) => s.forceStop())).then(() => resolve()); }, deadlineMs * STOP_ALL_GRACEFUL_SHARE);
      deadline = setTimeout(resolve, deadlineMs);
    });
    try {
      await Promise.race([all, forced]);
    } finally {
      clearTimeout(timer);
      clearTimeout(deadline);
    }
  }

  // ---- queries -----------------------------------------------------------------------------------------------------

  getState(id: ServerId): RuntimeState { return this.supervisor(id).state; }
  getCatalog(id: ServerId): ServerCatalog { return this.supervisors.get(id)?.supervisor.catalog ?? EMPTY_CATALOG; }
  getHealth(id: ServerId): ServerHealth { return this.supervisors.get(id)?.supervisor.health ?? {}; }
  getPid(id: ServerId): number | undefined { return this.supervisors.get(id)?.supervisor.pid; }
  refreshCatalog(id: ServerId, kinds?: readonly CatalogKind[]): Promise<void> { return this.supervisor(id).refreshCatalog(kinds); }
  /** A running server's definitions against what was approved (undefined: not listed, or pinTools off). */
  getDefinitions(id: ServerId): DefinitionState | undefined { return this.definitions.get(id); }
  /** The texts Review Tool Changes shows for one item: as approved, and as listed now. */
  definitionTexts(id: ServerId, itemId: string): { readonly approved?: string; readonly current?: string } {
    return this.definitions.reviewTexts(this.supervisor(id).definition, itemId);
  }
  /** Approves items as the user saw them (id → hash shown, null for a removal); returns the ids approved. */
  approveDefinitions(id: ServerId, seen: Readonly<Record<string, string | null>>): readonly string[] {
    return this.definitions.approve(this.supervisor(id).definition, seen);
  }
  /** Forgets every approval (Clear All Stored Data): each running server's lists are taken as they are now. */
  async forgetApprovals(): Promise<void> {
    await this.definitions.forgetAll();
    for (const { supervisor } of this.supervisors.values()) this.definitions.update(supervisor.definition, supervisor.catalog);
  }
  /** Keeps tools blocked as the user saw them; returns the ids kept blocked. */
  keepToolsBlocked(id: ServerId, seen: Readonly<Record<string, string | null>>): readonly string[] {
    return this.definitions.keepBlocked(this.supervisor(id).definition, seen);
  }

  // ---- requests ----------------------------------------------------------------------------------------------------

  /** Refused with ToolBlockedError when the pinning policy blocks the tool (definitionTracker.ts). */
  callTool(id: ServerId, name: string, args?: Record<string, unknown>, options?: RequestCallOptions): Promise<CallToolResult> {
    const supervisor = this.supervisor(id);
    const decision = this.definitions.decideCall(supervisor.definition, name);
    if (!decision.allowed) return Promise.reject(new ToolBlockedError(id, name, decision.reason));
    return supervisor.callTool(name, args, options);
  }

  /** Throws ToolBlockedError when a call of this tool would be refused now (Call Tool... asks before opening its form). */
  checkToolCall(id: ServerId, name: string): void {
    const decision = this.definitions.decideCall(this.supervisor(id).definition, name, true);
    if (!decision.allowed) throw new ToolBlockedError(id, name, decision.reason);
  }
  readResource(id: ServerId, uri: string, options?: RequestCallOptions): Promise<ReadResourceResult> {
    return this.supervisor(id).readResource(uri, options);
  }
  getPrompt(id: ServerId, name: string, args?: Record<string, string>, options?: RequestCallOptions): Promise<GetPromptResult> {
    return this.supervisor(id).getPrompt(name, args, options);
  }
  complete(id: ServerId, params: CompleteRequest['params'], options?: RequestCallOptions): Promise<CompleteResult> {
    return this.supervisor(id).complete(params, options);
  }
  setLogLevel(id: ServerId, level: LoggingLevel): Promise<void> { return this.supervisor(id).setLogLevel(level); }

  /** Appends a line to one server's log, redacted (features acting on a server through the manager: the chat bridge). */
  logTo(id: ServerId, level: LogLevel, message: string, component: string): void {
    const sink = this.supervisors.get(id)?.sink;
    if (sink) logTo(sink, level, this.redactor.redact(message), component);
  }

  /** Workspace folders changed: every running server with roots is told. */
  async notifyRootsChanged(): Promise<void> {
    await Promise.allSettled([...this.supervisors.values()].map((e) => e.supervisor.notifyRootsChanged()));
  }

  // ---- internals ---------------------------------------------------------------------------------------------------

  private supervisor(id: ServerId): ServerSupervisor {
    const entry = this.supervisors.get(id);
    if (!entry) throw new UnknownServerError(id);
    return entry.supervisor;
  }

  private createSupervisor(definition: ServerDefinition): { supervisor: ServerSupervisor; subscriptions: IDisposable[]; sink: ServerLogSink } {
    const sink = this.options.sinkFor?.(definition) ?? NULL_LOG_SINK;
    const ledger = this.options.ledger;
    const supervisor = new ServerSupervisor({
      definition,
      prepareStart: this.options.prepareStart,
      transports: this.transports,
      sink,
      redactor: this.redactor,
      roots: this.options.roots,
      elicitation: this.options.elicitation,
      clientInfo: this.options.clientInfo,
      traceLevel: this.options.traceLevel,
      timing: this.options.timing,
      random: this.options.random,
      onProcessSpawned: ledger && ((pid) => {
        ledger.add(pid, definition.id).catch((err: unknown) => logTo(sink, 'warn', `ledger: ${errorMessage(err)}`));
      }),
      onProcessGone: ledger && ((pid) => {
        ledger.remove(pid).catch((err: unknown) => logTo(sink, 'warn', `ledger: ${errorMessage(err)}`));
      }),
    });
    const id = definition.id;
    const subscriptions = [
      supervisor.onDidChangeState((state) => { this._onDidChangeState.fire({ id, state }); this._onDidChange.fire([id]); }),
      supervisor.onDidChangeCatalog((catalog) => { this.definitions.update(supervisor.definition, catalog); this._onDidChangeCatalog.fire({ id, catalog }); }),
      supervisor.onDidPing((health) => this._onDidChangeHealth.fire({ id, health })),
      supervisor.onDidChangePendingInput(() => this._onDidChange.fire([id])),
    ];
    return { supervisor, subscriptions, sink };
  }
}

/** A runnable definition as a configured entry, for planning. */
function configured(definition: ServerDefinition): ConfiguredServer {
  return {
    id: definition.id, name: definition.name, source: definition.source, file: definition.file,
    transport: definition.config.type, definition, warnings: [],
  };
}

function snapshot(supervisor: ServerSupervisor): ServerSnapshot {
  const d = supervisor.definition;
  const status = supervisor.status;
  const pendingInput = supervisor.pendingInput;
  return {
    id: d.id, name: d.name, source: d.source, file: d.file, transport: d.config.type, status, state: presentedState(status),
    ...(pendingInput ? { pendingInput } : {}),
  };
}

function logTo(sink: ServerLogSink, level: LogLevel, message: string, component = 'supervisor'): void {
  sink.append(level, [`[${component}] ${message}`]);
}
