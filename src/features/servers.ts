import * as vscode from 'vscode';
import type { ConfigFeatures } from '../config';
import type { ConfiguredServersModel } from '../common/config/configuredModel';
import type { ServerDefinition } from '../common/config/types';
import type { ElicitationUi } from '../common/elicitation';
import { SETTINGS, SETTINGS_SECTION, type TraceLevel, commandId, settingId } from '../common/contracts';
import { errorMessage } from '../common/errors';
import { Disposable } from '../common/lifecycle';
import type { ServerSnapshot, ServersModel } from '../common/model';
import type { Redactor } from '../common/redact';
import type { ServerId } from '../common/serverId';
import { canStart } from '../common/serverPredicates';
import type { Logger } from '../log';
import { ProcessLedger } from '../servers/ledger';
import { ProcessSampler } from '../servers/processUsage';
import { ServerManager, stdioTransportFactory } from '../servers/serverManager';
import type { TransportFactories } from '../servers/transport';
import { MementoDefinitionStore } from '../vscode-adapters/definitionStore';
import { ServerLogs } from '../vscode-adapters/serverLogs';

export interface ServerFeatureDeps {
  readonly context: vscode.ExtensionContext;
  readonly logger: Logger;
  readonly redactor: Redactor;
  readonly config: ConfigFeatures;
  /** Extra transports (HTTP/SSE) merged over stdio. */
  readonly transports?: TransportFactories;
  /** Asks the user when a server sends `elicitation/create` (the servers are offered elicitation only with it). */
  readonly elicitation?: ElicitationUi;
}

/**
 * Servers as one feature: the ServerManager (supervision) fed by the configuration's plans, the view model
 * derived from both, per-server logs, the orphan ledger, and autoStart. Owns everything it creates.
 */
export class ServerFeatures extends Disposable {
  /** The views' model: every configured entry, with the manager's runtime state for the runnable ones. */
  readonly registry: ConfiguredServersModel;
  readonly logs = this._register(new ServerLogs());
  readonly manager: ServerManager;
  /** CPU and memory of the running stdio servers' process trees, sampled while something shows them (a hold). */
  readonly processes: ProcessSampler;
  private readonly log;
  /** `mcpManager.trace`, kept current: every server's trace reads it per message. */
  private traceLevel = readTraceLevel();

  constructor(private readonly deps: ServerFeatureDeps) {
    super();
    this.log = deps.logger.scoped('servers');
    const ledger = new ProcessLedger(vscode.Uri.joinPath(deps.context.globalStorageUri, 'process-ledger.json').fsPath);
    this.manager = this._register(new ServerManager({
      prepareStart: deps.config.prepareStart,
      transports: { stdio: stdioTransportFactory(), ...deps.transports },
      sinkFor: (def) => this.logs.sinkFor(def),
      redactor: deps.redactor,
      ledger,
      roots: () => (vscode.workspace.workspaceFolders ?? []).map((f) => ({ uri: f.uri.toString(), name: f.name })),
      elicitation: deps.elicitation,
      clientInfo: { name: 'mcp-manager', version: (deps.context.extension.packageJSON as { version: string }).version },
      traceLevel: () => this.traceLevel,
      definitionStore: new MementoDefinitionStore(deps.context.globalState),
    }));
    this._register(vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration(settingId(SETTINGS.trace))) this.traceLevel = readTraceLevel();
    }));
    this.processes = this._register(new ProcessSampler({ pids: () => this.runningPids() }));
    this.registry = deps.config.createServersModel(this.manager);
    this._register(vscode.workspace.onDidChangeWorkspaceFolders(() => { void this.manager.notifyRootsChanged(); }));
    this._register(deps.config.service.onDidChange(async (change) => {
      const changedRunning = await this.manager.commit(change.plan);
      for (const id of changedRunning) {
        this.log.info(`${id}: configuration changed, restarting`);
        this.manager.restart(id).catch((err: unknown) => this.log.warn(`${id}: restart after a configuration change failed: ${errorMessage(err)}`));
      }
    }));
    this._register(deps.config.onDidGrantTrust(() => this.autoStart()));
    this.ready = this.initialize(ledger);
  }

  /** Resolves once orphans were reaped and the manager knows the configured servers. Never rejects. */
  readonly ready: Promise<void>;

  private async initialize(ledger: ProcessLedger): Promise<void> {
    try {
      await vscode.workspace.fs.createDirectory(this.deps.context.globalStorageUri);
      const reaped = await ledger.reapOrphans();
      if (reaped.killed.length) this.log.warn(`reaped ${reaped.killed.length} orphaned server process group(s) left by a window that is gone: ${reaped.killed.map((e) => `${e.serverId} (pid ${e.pid})`).join(', ')}`);
      else this.log.debug(`orphan check: none to reap (${reaped.kept} entries of live windows kept, ${reaped.dropped.length} stale dropped)`);
    } catch (err) {
      this.log.warn(`orphan check failed: ${errorMessage(err)}`);
    }
    await this.deps.config.ready;
    try {
      await this.manager.setDefinitions(this.deps.config.service.definitions);
      this.autoStart();
    } catch (err) {
      this.log.error(`could not load the configured servers: ${errorMessage(err)}`);
    }
  }

  private runningPids(): ReadonlyMap<string, number> {
    const pids = new Map<string, number>();
    for (const s of this.manager.list()) {
      const pid = s.transport === 'stdio' && s.state.kind === 'running' ? this.manager.getPid(s.id) : undefined;
      if (pid) pids.set(s.id, pid);
    }
    return pids;
  }

  private definitionOf(id: ServerId): ServerDefinition | undefined {
    return this.deps.config.service.definition(id);
  }

  /** Starts servers that should start with the window (per-server option, else the mcpManager.autoStart setting). */
  private autoStart(): void {
    const setting = vscode.workspace.getConfiguration(SETTINGS_SECTION).get<string>(SETTINGS.autoStart, 'never');
    for (const def of this.deps.config.service.definitions) {
      const wanted = def.options.autoStart ?? setting === 'onStartup';
      const snap = this.registry.get(def.id);
      if (!wanted || !snap || !canStart(snap) || snap.state.kind !== 'stopped') continue;
      this.log.info(`${def.id}: auto-starting`);
      this.manager.start(def.id).catch((err: unknown) => this.log.warn(`${def.id}: auto-start failed: ${errorMessage(err)}`));
    }
  }

  /** Expanding a stopped server starts it (mcpManager.startOnExpand). */
  onExpand(id: ServerId): void {
    const snap = this.registry.get(id);
    const on = vscode.workspace.getConfiguration(SETTINGS_SECTION).get<boolean>(SETTINGS.startOnExpand, true);
    if (on && snap?.state.kind === 'stopped' && this.definitionOf(id)) void vscode.commands.executeCommand(commandId('startServer'), id);
  }

  /** Refresh: re-reads the configuration, then the catalog of every running server. */
  async reloadAll(): Promise<void> {
    await this.deps.config.service.reload();
    await Promise.allSettled(this.registry.list().filter((s) => s.state.kind === 'running').map((s) => this.manager.refreshCatalog(s.id)));
  }

  /** Opens the log of a server; the extension log when there is no such server (or no id). */
  showLog(id?: string): void {
    const snap = this.registry.list().find((s) => s.id === id);
    if (snap) this.logs.show(snap.id, snap.name); else this.deps.logger.show();
  }

  // The servers as the commands drive them (ServerLifecycle in src/commands/serverCommands.ts): the views' model,
  // ready once the manager knows the configured servers, with the manager's operations.
  readonly onDidChange: ServersModel['onDidChange'] = (listener) => this.registry.onDidChange(listener);
  list(): readonly ServerSnapshot[] { return this.registry.list(); }
  get(id: ServerId): ServerSnapshot | undefined { return this.registry.get(id); }
  whenReady(): Promise<void> { return this.ready; }
  start(id: ServerId): Promise<void> { return this.manager.start(id); }
  stop(id: ServerId): Promise<void> { return this.manager.stop(id); }
  restart(id: ServerId): Promise<void> { return this.manager.restart(id); }

  /** deactivate(): every server stopped in parallel within VS Code's shutdown budget. */
  async shutdown(): Promise<void> {
    await this.manager.stopAll();
  }
}

function readTraceLevel(): TraceLevel {
  const value = vscode.workspace.getConfiguration(SETTINGS_SECTION).get<string>(SETTINGS.trace, 'off');
  return value === 'messages' || value === 'verbose' ? value : 'off';
}
