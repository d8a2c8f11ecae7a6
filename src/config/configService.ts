import * as os from 'node:os';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { SETTINGS, SETTINGS_SECTION, settingId } from '../common/contracts';
import { errorMessage } from '../common/errors';
import { Disposable, type IDisposable, toDisposable } from '../common/lifecycle';
import { type ConfiguredServer, type MergedConfig, mergeSources, parseServerOptions, runnableDefinitions } from '../common/config/merge';
import { ROOT_MCP_JSON, copilotMcpConfigPath } from '../common/config/importers';
import { type ConfigDiagnostic, type ParsedSource, parseSettingsValues } from '../common/config/parse';
import { parseConfigFileText } from '../common/config/portable';
import { type ConfigPlan, computePlan, isEmptyPlan } from '../common/config/plan';
import { ReloadQueue } from '../common/config/reloadQueue';
import type { InputDefinition, ServerDefinition } from '../common/config/types';
import { type ServerId, type ServerSource, sourceKey } from '../common/serverId';
import type { ComponentLogger } from '../log';

/** What every reload hands to listeners: the whole configured list, the plan against the previous one, the runnable ones. */
export interface ConfigChange {
  readonly servers: readonly ConfiguredServer[];
  readonly definitions: readonly ServerDefinition[];
  readonly plan: ConfigPlan;
}

/** A listener may return a promise: the next reload waits for it (plans are applied one at a time, in order). */
export type ConfigChangeListener = (change: ConfigChange) => void | Promise<void>;

export const MCP_JSON_RELATIVE = '.vscode/mcp.json';
/** The files a workspace folder's servers are read from, relative to it: VS Code's format, and the portable `.mcp.json`. */
const FOLDER_FILES = [MCP_JSON_RELATIVE, ROOT_MCP_JSON] as const;
/** The `source` of every diagnostic the configuration publishes. */
export const DIAGNOSTIC_SOURCE = 'MCP Manager';

/** The user profile's mcp.json: `<profile>/mcp.json`, where globalStorageUri is `<profile>/globalStorage/<extension id>`. */
export function userMcpJsonUri(globalStorageUri: vscode.Uri): vscode.Uri {
  return vscode.Uri.joinPath(globalStorageUri, '..', '..', 'mcp.json');
}

/** The Copilot user file of this machine: `$COPILOT_HOME/mcp-config.json`, else `~/.copilot/mcp-config.json`. */
export function copilotMcpConfigUri(): vscode.Uri {
  return vscode.Uri.file(copilotMcpConfigPath(process.platform, os.homedir(), process.env));
}

/** The user-level files read besides settings (absent: not read). */
export interface UserConfigFiles {
  readonly userMcpJson?: vscode.Uri;
  readonly copilotMcpConfig?: vscode.Uri;
}

/**
 * Reads every configuration source (per workspace folder its .vscode/mcp.json and .mcp.json, settings, the user
 * mcp.json, the Copilot user file), merges them, shows problems as diagnostics, and re-reads on every edit. Reloads
 * are serialized and coalesced; each one computes a plan against the last applied configuration and waits for
 * listeners to apply it before the next one starts.
 */
export class ConfigService extends Disposable {
  private merged: MergedConfig = { servers: [], inputs: new Map() };
  private sources: readonly ParsedSource[] = [];
  /** The last parse without a file error, per file: a file saved mid-edit with a syntax error keeps its servers. */
  private readonly lastGood = new Map<string, ParsedSource>();
  private readonly listeners = new Set<ConfigChangeListener>();
  private readonly diagnostics = this._register(vscode.languages.createDiagnosticCollection('mcpManager'));
  private readonly folderWatchers: IDisposable[] = [];
  private readonly reloads = new ReloadQueue(() => this.doReload());
  private loadedOnce = false;
  /** Resolves after the first load. */
  readonly ready: Promise<void>;

  constructor(private readonly files: UserConfigFiles, private readonly log: ComponentLogger) {
    super();
    this._register(toDisposable(() => { for (const w of this.folderWatchers.splice(0)) w.dispose(); }));
    this.watchFolders();
    // A file outside the workspace is watched through a pattern on its own folder.
    for (const file of [files.userMcpJson, files.copilotMcpConfig]) {
      if (!file) continue;
      const dir = vscode.Uri.joinPath(file, '..');
      for (const d of this.watch(new vscode.RelativePattern(dir, path.posix.basename(file.path)))) this._register(d);
    }
    this._register(vscode.workspace.onDidChangeConfiguration((e) => {
      if ([SETTINGS.servers, SETTINGS.inputs, SETTINGS.serverOptions].some((k) => e.affectsConfiguration(settingId(k)))) void this.reload();
    }));
    this._register(vscode.workspace.onDidChangeWorkspaceFolders(() => { this.watchFolders(); void this.reload(); }));
    this.ready = this.reload();
  }

  /** Every configured entry (valid, broken, shadowed). */
  get servers(): readonly ConfiguredServer[] { return this.merged.servers; }
  /** The entries that can run (neither configError nor shadowed). */
  get definitions(): ServerDefinition[] { return runnableDefinitions(this.merged.servers); }
  /** The runnable definition with this id, if any. */
  definition(id: ServerId): ServerDefinition | undefined { return this.definitions.find((d) => d.id === id); }
  /** Inputs of one source: `${input:id}` resolves against these only. */
  inputsFor(source: ServerSource): readonly InputDefinition[] { return this.merged.inputs.get(sourceKey(source)) ?? []; }
  /** Each read source with its inputs (for Set Secret...). */
  get parsedSources(): readonly ParsedSource[] { return this.sources; }
  /** The source a file was read as, if it is one of the configuration files read (by its path). */
  sourceOfFile(uri: vscode.Uri): ServerSource | undefined {
    return uri.scheme === 'file' ? this.sources.find((s) => s.file === uri.fsPath)?.source : undefined;
  }

  onDidChange(listener: ConfigChangeListener): IDisposable {
    this.listeners.add(listener);
    return toDisposable(() => this.listeners.delete(listener));
  }

  /** Re-reads everything. Calls made while a reload is waiting to start share it. Never rejects. */
  reload(): Promise<void> {
    return this.reloads.request();
  }

  private async doReload(): Promise<void> {
    if (this.isDisposed) return;
    const started = Date.now();
    let sources: ParsedSource[];
    let options: ReturnType<typeof parseServerOptions>;
    try {
      [sources, options] = await Promise.all([this.readSources(), Promise.resolve(parseServerOptions(vscode.workspace.getConfiguration(SETTINGS_SECTION).get(SETTINGS.serverOptions)))]);
    } catch (err) {
      this.log.error(`reading the configuration failed: ${errorMessage(err)}`);
      return;
    }
    if (this.isDisposed) return;
    const merged = mergeSources(sources, options.options);
    const plan = computePlan(this.merged.servers, merged.servers);
    this.merged = merged;
    this.sources = sources;
    this.publishDiagnostics(sources);
    for (const w of options.warnings) this.log.warn(w);
    const problems = merged.servers.filter((s) => s.problem?.kind === 'configError').length;
    this.log.info(`configuration: ${merged.servers.length} server(s) from ${sources.length} source(s), ${problems} with errors; plan +${plan.added.length} -${plan.removed.length} ~${plan.changed.length} (${Date.now() - started} ms)`);
    for (const s of [...plan.added, ...plan.changed.map((c) => c.after)]) {
      if (s.problem?.kind === 'configError') this.log.warn(`${s.id}: ${s.problem.reason}`);
      for (const w of s.warnings) this.log.warn(`${s.id}: ${w}`);
    }
    const first = !this.loadedOnce;
    this.loadedOnce = true;
    if (isEmptyPlan(plan) && !first) return;
    const change: ConfigChange = { servers: merged.servers, definitions: runnableDefinitions(merged.servers), plan };
    for (const listener of [...this.listeners]) {
      try { await listener(change); } catch (err) { this.log.error(`applying a configuration change failed: ${errorMessage(err)}`); }
    }
  }

  private async readSources(): Promise<ParsedSource[]> {
    const folders = vscode.workspace.workspaceFolders ?? [];
    const { userMcpJson, copilotMcpConfig } = this.files;
    const fileSources = await Promise.all([
      ...folders.flatMap((f) => [
        this.readFileSource(vscode.Uri.joinPath(f.uri, '.vscode', 'mcp.json'), folderSource(f)),
        this.readFileSource(vscode.Uri.joinPath(f.uri, ROOT_MCP_JSON), folderRootSource(f)),
      ]),
      userMcpJson ? this.readFileSource(userMcpJson, { kind: 'userMcpJson' }) : Promise.resolve(undefined),
      copilotMcpConfig ? this.readFileSource(copilotMcpConfig, { kind: 'copilotMcpConfig' }) : Promise.resolve(undefined),
    ]);
    const config = vscode.workspace.getConfiguration(SETTINGS_SECTION);
    const servers = config.inspect(SETTINGS.servers);
    const inputs = config.inspect(SETTINGS.inputs);
    const settingsSources = [
      parseSettingsValues(servers?.workspaceValue, inputs?.workspaceValue, workspaceSettingsSource()),
      parseSettingsValues(servers?.globalValue, inputs?.globalValue, { kind: 'userSettings' }),
    ];
    return [...fileSources.filter((s): s is ParsedSource => !!s), ...settingsSources];
  }

  /** Undefined when the file does not exist. */
  private async readFileSource(uri: vscode.Uri, source: ServerSource): Promise<ParsedSource | undefined> {
    const file = uri.fsPath;
    let text: string;
    try {
      text = new TextDecoder().decode(await vscode.workspace.fs.readFile(uri)).replace(/^\uFEFF/, '');
    } catch (err) {
      this.lastGood.delete(file);
      if (err instanceof vscode.FileSystemError && (err.code === 'FileNotFound' || err.code === 'EntryNotFound')) return undefined;
      const reason = `Cannot read ${file}: ${errorMessage(err)}`;
      return { source, file, entries: [], inputs: [], diagnostics: [], fileError: reason };
    }
    const parsed = parseConfigFileText(text, source, file);
    if (parsed.fileError === undefined) { this.lastGood.set(file, parsed); return parsed; }
    const good = this.lastGood.get(file);
    return good ? { ...good, diagnostics: parsed.diagnostics, fileError: `${parsed.fileError} (servers from the last valid version are kept)` } : parsed;
  }

  private publishDiagnostics(sources: readonly ParsedSource[]): void {
    this.diagnostics.clear();
    for (const s of sources) {
      if (s.file === undefined) {
        for (const d of s.diagnostics) this.log.warn(`${sourceKey(s.source)}: ${d.message}`);
        continue;
      }
      this.diagnostics.set(vscode.Uri.file(s.file), s.diagnostics.map(toDiagnostic));
    }
  }

  private watchFolders(): void {
    for (const w of this.folderWatchers.splice(0)) w.dispose();
    for (const folder of vscode.workspace.workspaceFolders ?? []) {
      for (const rel of FOLDER_FILES) this.folderWatchers.push(...this.watch(new vscode.RelativePattern(folder, rel)));
    }
  }

  private watch(pattern: vscode.RelativePattern): IDisposable[] {
    const watcher = vscode.workspace.createFileSystemWatcher(pattern);
    const onEvent = () => { void this.reload(); };
    return [watcher, watcher.onDidCreate(onEvent), watcher.onDidChange(onEvent), watcher.onDidDelete(onEvent)];
  }

  override dispose(): void {
    this.listeners.clear();
    super.dispose();
  }
}

/** The source of a folder's .vscode/mcp.json; its owner is the folder's URI. */
export function folderSource(folder: vscode.WorkspaceFolder): ServerSource {
  return { kind: 'workspaceMcpJson', folder: folder.name, folderUri: folder.uri.toString() };
}

/** The source of a folder's root .mcp.json; like its .vscode/mcp.json, its owner is the folder's URI. */
export function folderRootSource(folder: vscode.WorkspaceFolder): ServerSource {
  return { kind: 'workspaceRootMcpJson', folder: folder.name, folderUri: folder.uri.toString() };
}

/** Workspace settings; their owner is where they live: the .code-workspace file, else the single folder. */
export function workspaceSettingsSource(): ServerSource {
  const owner = vscode.workspace.workspaceFile ?? vscode.workspace.workspaceFolders?.[0]?.uri;
  return { kind: 'workspaceSettings', workspaceUri: owner?.toString() ?? 'empty-window:' };
}

function toDiagnostic(d: ConfigDiagnostic): vscode.Diagnostic {
  const r = d.range ?? { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };
  const diag = new vscode.Diagnostic(
    new vscode.Range(r.start.line, r.start.character, r.end.line, r.end.character),
    d.message,
    d.severity === 'error' ? vscode.DiagnosticSeverity.Error : vscode.DiagnosticSeverity.Warning,
  );
  diag.source = DIAGNOSTIC_SOURCE;
  if (d.code) diag.code = d.code;
  return diag;
}
