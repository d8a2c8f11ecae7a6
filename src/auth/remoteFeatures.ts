import * as vscode from 'vscode';
import type { LaunchResolver, ServerDefinition } from '../common/config/types';
import { EXTENSION_ID, OAUTH_CALLBACK_PATH, SETTINGS_SECTION, SETTINGS, type OAuthRedirectMode } from '../common/contracts';
import { UserCancelledError, errorMessage } from '../common/errors';
import { Disposable, toDisposable } from '../common/lifecycle';
import type { ServerSnapshot, ServersModel } from '../common/model';
import type { Redactor } from '../common/redact';
import type { ServerId } from '../common/serverId';
import type { Logger } from '../log';
import { hasAuthorizationHeader, remoteTransportFactory, TransportMemory } from '../remote/httpTransport';
import { LoopbackRedirect } from '../remote/oauth/loopback';
import { RemoteAuth, type OAuthTarget } from '../remote/oauth/remoteAuth';
import type { SecretBackend } from '../remote/oauth/secretBackend';
import type { TransportFactories } from '../servers/transport';
import { pickServer } from '../commands/pickers';
import type { CommandTable } from '../commands/commandRunner';

export interface RemoteFeatureDeps {
  /** The SecretStore (src/vscode-adapters/secretStore.ts): the only door to SecretStorage. */
  readonly secrets: SecretBackend & { readonly onDidChange: vscode.Event<vscode.SecretStorageChangeEvent>; clearAll(): Promise<number> };
  readonly redactor: Redactor;
  readonly logger: Logger;
  /** The current definition of a server (for its serverOptions.oauth). */
  readonly definitionOf: (id: ServerId) => ServerDefinition | undefined;
  /** Resolves a definition's URL and headers (the config feature's LaunchResolver). */
  readonly resolveLaunch: LaunchResolver;
  /** Other stored data Clear All Stored Data must also forget (remembered consent etc.), if any. */
  readonly clearOtherData?: () => Promise<void>;
}

/** What the commands need of the servers once they exist. */
export interface RemoteServersBinding {
  readonly servers: ServersModel;
  readonly restart: (id: ServerId) => Promise<void>;
  readonly stop: (id: ServerId) => Promise<void>;
}

/**
 * Remote servers in VS Code: the HTTP/SSE transports (to merge into the server manager's TransportFactories), OAuth
 * with the ONE URI handler (registered here, at activation), the loopback fallback, and the Sign In / Sign Out /
 * Clear All Stored Data commands.
 */
export class RemoteFeatures extends Disposable {
  readonly auth: RemoteAuth;
  readonly transports: TransportFactories;
  private binding: RemoteServersBinding | undefined;
  private readonly log;

  constructor(private readonly deps: RemoteFeatureDeps) {
    super();
    this.log = deps.logger.scoped('remote');
    this.auth = new RemoteAuth({
      secrets: deps.secrets, redactor: deps.redactor, clientName: `MCP Manager for ${vscode.env.appName}`,
      log: (level, message) => this.log[level === 'trace' ? 'trace' : level](message),
    });
    this._register(toDisposable(() => this.auth.dispose()));
    const factory = remoteTransportFactory({
      memory: new TransportMemory(),
      oauthFetch: (launch, context) => {
        const def = deps.definitionOf(context.serverId);
        return this.auth.fetchFor({ serverId: context.serverId, serverName: context.serverName, url: launch.url, settings: def?.options.oauth });
      },
    });
    this.transports = { http: factory, sse: factory };
    // The one URI handler of the extension: OAuth redirects arrive here.
    this._register(vscode.window.registerUriHandler({
      handleUri: (uri) => {
        if (uri.path !== OAUTH_CALLBACK_PATH) { this.log.warn(`ignored a URI for an unknown path (${uri.path})`); return; }
        this.auth.handleCallback(`?${uri.query}`);
      },
    }));
    // Another window signed in or out: forget what this one cached.
    this._register(deps.secrets.onDidChange(() => this.auth.forgetAll()));
  }

  /** Called once the server manager exists. */
  bindServers(binding: RemoteServersBinding): void { this.binding = binding; }

  /** Handlers for src/commands/index.ts commandTable. */
  commands(): Pick<CommandTable, 'signIn' | 'signOut' | 'clearAllData'> {
    return {
      signIn: (arg) => this.signInCommand(arg),
      signOut: (arg) => this.signOutCommand(arg),
      clearAllData: () => this.clearAllData(),
    };
  }

  private requireBinding(): RemoteServersBinding {
    if (!this.binding) throw new Error('servers are not ready yet');
    return this.binding;
  }

  private async pickRemote(arg: unknown, placeHolder: string): Promise<{ snapshot: ServerSnapshot; definition: ServerDefinition }> {
    const { servers } = this.requireBinding();
    const snapshot = await pickServer(servers, arg, placeHolder, (s) => s.transport === 'http' || s.transport === 'sse');
    const definition = this.deps.definitionOf(snapshot.id);
    if (!definition) throw new Error(`Server '${snapshot.name}' is no longer configured`);
    return { snapshot, definition };
  }

  private async signInCommand(arg: unknown): Promise<void> {
    const { snapshot, definition } = await this.pickRemote(arg, 'Sign in to which server?');
    const launch = await this.deps.resolveLaunch(definition);
    if (launch.type === 'stdio') throw new Error(`'${snapshot.name}' is not a remote server`);
    if (hasAuthorizationHeader(launch.headers)) {
      void vscode.window.showInformationMessage(`'${snapshot.name}' uses a configured Authorization header; it does not sign in with OAuth.`);
      return;
    }
    const target: OAuthTarget = { serverId: snapshot.id, serverName: snapshot.name, url: launch.url, settings: definition.options.oauth };
    await vscode.window.withProgress({
      location: vscode.ProgressLocation.Notification, title: `Signing in to '${snapshot.name}'… finish in your browser`, cancellable: true,
    }, async (_progress, token) => {
      const abort = new AbortController();
      const sub = token.onCancellationRequested(() => abort.abort());
      try {
        await this.signInWithRedirect(target, abort.signal);
      } finally {
        sub.dispose();
      }
    });
    this.log.info(`${snapshot.name}: signed in; restarting`);
    await this.requireBinding().restart(snapshot.id);
  }

  /** URI handler first (unless the setting says loopback); loopback when the authorization server rejects it. */
  private async signInWithRedirect(target: OAuthTarget, signal: AbortSignal): Promise<void> {
    const mode = vscode.workspace.getConfiguration(SETTINGS_SECTION).get<OAuthRedirectMode>(SETTINGS.oauthRedirect, 'auto');
    const openBrowser = async (url: string): Promise<void> => {
      // A Uri whose toString is the URL as given: openExternal must not re-encode the query (state, PKCE challenge).
      const ok = await vscode.env.openExternal(url as unknown as vscode.Uri);
      if (!ok) throw new UserCancelledError();
    };
    if (mode !== 'loopback') {
      const external = await vscode.env.asExternalUri(vscode.Uri.parse(`${vscode.env.uriScheme}://${EXTENSION_ID}${OAUTH_CALLBACK_PATH}`));
      try {
        await this.auth.signIn(target, { redirectUri: external.toString(true), openBrowser, signal });
        return;
      } catch (err) {
        if (mode === 'uriHandler' || !redirectRejected(err)) throw err;
        this.log.warn(`${target.serverName}: the authorization server rejected the redirect URI (${errorMessage(err)}); using a loopback redirect`);
      }
    }
    const loopback = await LoopbackRedirect.start((url) => this.auth.handleCallback(url));
    try {
      await this.auth.signIn(target, { redirectUri: loopback.redirectUri, openBrowser, signal });
    } finally {
      await loopback.dispose();
    }
  }

  private async signOutCommand(arg: unknown): Promise<void> {
    const { snapshot } = await this.pickRemote(arg, 'Sign out of which server?');
    await this.auth.signOut({ serverId: snapshot.id, serverName: snapshot.name });
    if (snapshot.state.kind === 'running' || snapshot.state.kind === 'starting') await this.requireBinding().stop(snapshot.id);
    void vscode.window.showInformationMessage(`Signed out of '${snapshot.name}'.`);
  }

  private async clearAllData(): Promise<void> {
    const choice = await vscode.window.showWarningMessage('Clear all data MCP Manager stored?', {
      modal: true,
      detail: 'This deletes every stored secret: input values, header values, OAuth tokens and client registrations, and remembered consent. Remote servers will ask you to sign in again.',
    }, 'Clear All');
    if (choice !== 'Clear All') return;
    const count = await this.deps.secrets.clearAll();
    await this.deps.clearOtherData?.();
    this.auth.forgetAll();
    void vscode.window.showInformationMessage(`Cleared ${count} stored item(s).`);
  }
}

/** The authorization server refused the redirect URI (at registration or authorization). */
function redirectRejected(err: unknown): boolean {
  const text = err instanceof Error ? `${err.name} ${err.message} ${(err as { errorCode?: string }).errorCode ?? ''}` : '';
  return /invalid_redirect_uri|invalid_client_metadata|redirect_uri/i.test(text);
}

export function registerRemoteFeatures(deps: RemoteFeatureDeps): RemoteFeatures {
  return new RemoteFeatures(deps);
}
