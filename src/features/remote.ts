import * as vscode from 'vscode';
import type { ServerDefinition } from '../common/config/types';
import { EXTENSION_ID, OAUTH_CALLBACK_PATH, SETTINGS_SECTION, SETTINGS, type OAuthRedirectMode } from '../common/contracts';
import { UserCancelledError, errorMessage } from '../common/errors';
import { Disposable, toDisposable } from '../common/lifecycle';
import type { Redactor } from '../common/redact';
import { credentialId, isWorkspaceDefined, ownerKey, ownerOf, type ServerId } from '../common/serverId';
import { cleanServerText } from '../common/serverText';
import type { Logger } from '../log';
import { remoteTransportFactory, TransportMemory } from '../remote/httpTransport';
import { LoopbackRedirect } from '../remote/oauth/loopback';
import { RemoteAuth, type OAuthTarget } from '../remote/oauth/remoteAuth';
import type { SecretBackend } from '../remote/oauth/secretBackend';
import type { TransportFactories } from '../servers/transport';

export interface RemoteFeatureDeps {
  /** The SecretStore (src/vscode-adapters/secretStore.ts): the only door to SecretStorage. */
  readonly secrets: SecretBackend & { readonly onDidChange: vscode.Event<vscode.SecretStorageChangeEvent> };
  readonly redactor: Redactor;
  readonly logger: Logger;
  /** The current definitions (a server's serverOptions.oauth): the ConfigService. */
  readonly definitions: { definition(id: ServerId): ServerDefinition | undefined };
}

/**
 * Remote servers in VS Code, built before the servers: the HTTP/SSE transports (to merge into the server manager's
 * TransportFactories), OAuth with the ONE URI handler (registered here, at activation) and the loopback fallback.
 * The Sign In / Sign Out / Clear All Stored Data commands (src/commands/remoteCommands.ts) drive it.
 */
export class RemoteFeatures extends Disposable {
  readonly transports: TransportFactories;
  private readonly auth: RemoteAuth;
  private readonly log;

  constructor(deps: RemoteFeatureDeps) {
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
        const def = deps.definitions.definition(context.serverId);
        if (!def) throw new Error(`'${context.serverName}' is no longer configured`);
        return this.auth.fetchFor(oauthTarget(def, launch.url));
      },
    });
    this.transports = { http: factory, sse: factory };
    // The one URI handler of the extension: OAuth redirects arrive here.
    this._register(vscode.window.registerUriHandler({
      handleUri: (uri) => {
        if (uri.path !== OAUTH_CALLBACK_PATH) { this.log.warn(`ignored a URI for an unknown path (${cleanServerText(uri.path, 100)})`); return; }
        this.auth.handleCallback(`?${uri.query}`);
      },
    }));
    // Another window signed in or out: what this one read from SecretStorage is read again.
    this._register(deps.secrets.onDidChange(() => this.auth.reloadStored()));
  }

  /**
   * Signs in to a server at `serverUrl` (its resolved URL): URI handler first (unless the setting says loopback);
   * loopback when the authorization server rejects it.
   */
  async signIn(def: ServerDefinition, serverUrl: string, signal: AbortSignal): Promise<void> {
    const target = oauthTarget(def, serverUrl);
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

  /** Deletes a server's tokens (and the registration they were issued to, when no other server uses it). */
  signOut(def: ServerDefinition): Promise<void> {
    return this.auth.signOut({ serverId: def.id, serverName: def.name, secretId: credentialId(def.source, def.name) });
  }

  /** Forgets every cached token, registration and pending sign-in (after Clear All Stored Data). */
  forgetAll(): void {
    this.auth.forgetAll();
  }
}

/** A server as OAuth sees it: the one place that builds an OAuthTarget from a definition. */
function oauthTarget(def: ServerDefinition, url: string): OAuthTarget {
  return {
    // Its credentials and registrations are keyed by its owner (review H1): another checkout of the same name, or
    // another workspace using workspace settings, never reads them.
    serverId: def.id, serverName: def.name, secretId: credentialId(def.source, def.name), url, settings: def.options.oauth,
    ...(isWorkspaceDefined(def.source) ? { registrationScope: ownerKey(ownerOf(def.source)) } : {}),
    // Tokens stored before they were bound to a URL are adopted for the current URL only where the user owns the config.
    adoptLegacyBinding: !isWorkspaceDefined(def.source),
  };
}

/** The authorization server refused the redirect URI (at registration or authorization). */
function redirectRejected(err: unknown): boolean {
  const text = err instanceof Error ? `${err.name} ${err.message} ${(err as { errorCode?: string }).errorCode ?? ''}` : '';
  return /invalid_redirect_uri|invalid_client_metadata|redirect_uri/i.test(text);
}
