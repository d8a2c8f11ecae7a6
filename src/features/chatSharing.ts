import { createHash } from 'node:crypto';
import * as vscode from 'vscode';
import { CHAT_PROVIDER_ID, SETTINGS, SETTINGS_SECTION, settingId } from '../common/contracts';
import { canonicalJson } from '../common/definitions';
import { UserFacingError, errorMessage } from '../common/errors';
import { Disposable } from '../common/lifecycle';
import type { ServerSnapshot, ServersModel } from '../common/model';
import type { ServerId } from '../common/serverId';
import type { ComponentLogger } from '../log';
import { ChatBridge } from '../servers/chatBridge';
import type { ServerManager } from '../servers/serverManager';
import { loadBridgeSdk } from '../sdkLoader';

/** Whether this editor lets extensions give its chat MCP servers (VS Code 1.101+; not every editor built on VS Code). */
export const chatApiAvailable = (): boolean => typeof vscode.lm?.registerMcpServerDefinitionProvider === 'function';

/**
 * Sharing supervised servers with VS Code's own chat (issue 16): the servers listed in `mcpManager.shareWithChat`
 * (user settings only: a workspace cannot share your servers) are offered to chat through an MCP server definition
 * provider while they run, each as a Streamable HTTP definition on this window's loopback bridge (ChatBridge), so chat
 * talks to MCP Manager's process instead of starting its own. A server that stops leaves chat's list; one that starts
 * (or whose tools change: the definition's version) comes back.
 */
export class ChatSharing extends Disposable {
  private readonly changed = this._register(new vscode.EventEmitter<void>());
  private readonly sharedChanged = this._register(new vscode.EventEmitter<void>());
  /** The shared set changed (the tree's rows say which servers are shared). */
  readonly onDidChangeShared = this.sharedChanged.event;
  private readonly bridge: ChatBridge;
  /** What chat was last offered (ids and versions), so an unrelated change does not make it re-read. */
  private offered = '';

  constructor(private readonly servers: ServersModel, private readonly manager: ServerManager, private readonly log: ComponentLogger) {
    super();
    this.bridge = this._register(new ChatBridge({ manager, loadSdk: loadBridgeSdk, log: (level, message) => log[level](message) }));
    this._register(vscode.workspace.onDidChangeConfiguration((e) => { if (e.affectsConfiguration(settingId(SETTINGS.shareWithChat))) this.sharedChanged.fire(); }));
    if (!chatApiAvailable()) { log.info('this editor has no MCP server definition API: sharing with chat is unavailable'); return; }
    this._register(vscode.lm.registerMcpServerDefinitionProvider(CHAT_PROVIDER_ID, {
      onDidChangeMcpServerDefinitions: this.changed.event,
      provideMcpServerDefinitions: () => this.definitions(),
      resolveMcpServerDefinition: (definition) => (this.sharedRunning().some((s) => s.name === definition.label) ? definition : undefined),
    }));
    const check = () => { if (this.signature() !== this.offered) this.changed.fire(); };
    this._register(servers.onDidChange(check));
    this._register(manager.onDidChangeCatalog(check));
    this._register(vscode.workspace.onDidChangeConfiguration((e) => {
      if (!e.affectsConfiguration(settingId(SETTINGS.shareWithChat))) return;
      for (const id of this.bridgedIds) if (!this.sharedIds().has(id)) { this.bridge.unshare(id); this.bridgedIds.delete(id); }
      check();
    }));
  }

  private readonly bridgedIds = new Set<ServerId>();

  isShared(id: ServerId): boolean { return this.sharedIds().has(id); }

  /** Share with VS Code Chat / Stop Sharing with VS Code Chat: the id is added to or removed from the user setting. */
  async setShared(server: ServerSnapshot, shared: boolean): Promise<void> {
    if (!chatApiAvailable()) throw new UserFacingError(`This editor does not let extensions give its chat MCP servers (VS Code 1.101 or later does): '${server.name}' cannot be shared.`);
    const ids = [...this.sharedIds()].filter((id) => id !== server.id);
    if (shared) ids.push(server.id);
    await vscode.workspace.getConfiguration(SETTINGS_SECTION).update(SETTINGS.shareWithChat, ids.length ? ids.sort() : undefined, vscode.ConfigurationTarget.Global);
    this.log.info(`${server.id}: ${shared ? 'shared with' : 'no longer shared with'} VS Code chat`);
    void vscode.window.showInformationMessage(shared
      ? `'${server.name}' is shared with VS Code chat while it runs in MCP Manager: chat uses this process instead of starting its own.`
      : `'${server.name}' is no longer shared with VS Code chat.`);
  }

  private sharedIds(): ReadonlySet<ServerId> {
    const value = vscode.workspace.getConfiguration(SETTINGS_SECTION).get<unknown>(SETTINGS.shareWithChat, []);
    return new Set(Array.isArray(value) ? value.filter((v): v is ServerId => typeof v === 'string') : []);
  }

  private sharedRunning(): ServerSnapshot[] {
    const shared = this.sharedIds();
    return this.servers.list().filter((s) => shared.has(s.id) && s.state.kind === 'running');
  }

  /** Each shared running server: its id and version, so chat re-reads when one starts, stops or changes its tools. */
  private signature(): string {
    return JSON.stringify(this.sharedRunning().map((s) => [s.id, this.version(s)]));
  }

  /** A definition's version: its process's start and a hash of its tools (chat offers to refresh its tools when it changes). */
  private version(s: ServerSnapshot): string {
    const tools = createHash('sha256').update(canonicalJson(this.manager.getCatalog(s.id).tools)).digest('hex').slice(0, 12);
    return `${s.state.kind === 'running' ? s.state.since : 0}-${tools}`;
  }

  private async definitions(): Promise<vscode.McpServerDefinition[]> {
    this.offered = this.signature();
    const out: vscode.McpServerDefinition[] = [];
    for (const s of this.sharedRunning()) {
      try {
        const url = await this.bridge.endpoint(s.id);
        this.bridgedIds.add(s.id);
        out.push(new vscode.McpHttpServerDefinition(s.name, vscode.Uri.parse(url), this.bridge.headers, this.version(s)));
      } catch (err) {
        this.log.warn(`${s.id}: cannot offer it to VS Code chat: ${errorMessage(err)}`);
      }
    }
    return out;
  }
}
