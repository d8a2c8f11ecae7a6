import type { OAuthClientProvider, OAuthDiscoveryState } from '@modelcontextprotocol/sdk/client/auth.js';
import type {
  OAuthClientInformationMixed, OAuthClientMetadata, OAuthTokens,
} from '@modelcontextprotocol/sdk/shared/auth.js';
import type { ServerOptions } from '../../common/config/types';
import type { Redactor } from '../../common/redact';
import { staticClientSecretKey } from '../../common/secretKeys';
import type { LogLevel } from '../../servers/logSink';
import { SignInRequiredError } from '../errors';
import type { PendingFlow, PendingFlows } from './pendingFlows';
import type { SecretBackend } from './secretBackend';

export type OAuthSettings = NonNullable<ServerOptions['oauth']>;

/** What is stored under `oauthTokens/<serverId>` (one JSON blob). */
export interface StoredTokens {
  readonly v: 1;
  readonly tokens: OAuthTokens;
  readonly obtainedAt: number;
  /** Epoch ms when the access token expires, when the server said. */
  readonly expiresAt?: number;
  /** `oauthClient` id of the registration the tokens were issued to (absent for a static client id). */
  readonly clientKey?: string;
  readonly redirectUri?: string;
}

/** Interactive: a sign-in the user asked for (may open a browser). Silent: connections and refreshes (never does). */
export type ProviderMode =
  | { readonly kind: 'silent' }
  | {
    readonly kind: 'interactive';
    readonly redirectUri: string;
    readonly flows: PendingFlows;
    readonly openBrowser: (authorizationUrl: string) => Promise<void>;
  };

export interface ProviderDeps {
  readonly serverId: string;
  readonly serverName: string;
  readonly secrets: SecretBackend;
  readonly settings: OAuthSettings;
  readonly redactor: Redactor;
  readonly log: (level: LogLevel, message: string) => void;
  /** Discovery results by server id (shared by the silent and interactive providers of one server). */
  readonly discovery: Map<string, OAuthDiscoveryState>;
  readonly clientName?: string;
  readonly now?: () => number;
}

/** Redirect URIs on a loopback host are keyed without their port (RFC 8252 §7.3: any port must be accepted). */
export function redirectKey(redirectUri: string): string {
  try {
    const u = new URL(redirectUri);
    if (u.protocol === 'http:' && (u.hostname === '127.0.0.1' || u.hostname === '[::1]' || u.hostname === 'localhost')) {
      u.port = '';
      u.search = '';
    }
    return u.toString();
  } catch {
    return redirectUri;
  }
}

/** `oauthClient` id of a registration: `<authorizationServer> <redirectUri>` (src/common/secretKeys.ts). */
export function clientKey(authorizationServer: string, redirectUri: string): string {
  return `${authorizationServer} ${redirectKey(redirectUri)}`;
}

const PLACEHOLDER_REDIRECT = 'http://127.0.0.1/oauth/callback';

/**
 * The SDK's OAuthClientProvider over SecretStorage. The SDK runs the protocol (discovery, DCR, PKCE S256, resource
 * indicators, scope selection, refresh); this class only stores and supplies state. Tokens and registrations live in
 * SecretStorage only; the PKCE verifier and discovery results only in memory. Every secret it sees is registered with
 * the Redactor.
 */
export class McpOAuthProvider implements OAuthClientProvider {
  private record: StoredTokens | undefined;
  private loaded = false;
  private verifier: string | undefined;
  private flow: PendingFlow | undefined;
  private readonly now: () => number;

  constructor(private readonly deps: ProviderDeps, readonly mode: ProviderMode) {
    this.now = deps.now ?? Date.now;
  }

  /** The pending flow started by this provider's last authorization redirect. */
  get pendingFlow(): PendingFlow | undefined { return this.flow; }

  get redirectUrl(): string {
    return this.mode.kind === 'interactive' ? this.mode.redirectUri : this.record?.redirectUri ?? PLACEHOLDER_REDIRECT;
  }

  get clientMetadataUrl(): string | undefined {
    const url = this.deps.settings.clientMetadataUrl;
    return url && /^https:\/\//i.test(url) ? url : undefined;
  }

  get clientMetadata(): OAuthClientMetadata {
    const metadata: OAuthClientMetadata & { application_type: 'native' } = {
      client_name: this.deps.clientName ?? 'MCP Manager for VS Code',
      redirect_uris: [this.redirectUrl],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'none',
      application_type: 'native',
      ...(this.deps.settings.scopes?.length ? { scope: this.deps.settings.scopes.join(' ') } : {}),
    };
    return metadata;
  }

  state(): string {
    if (this.mode.kind !== 'interactive') return 'silent';
    this.flow?.cancel();
    const meta = this.deps.discovery.get(this.deps.serverId)?.authorizationServerMetadata;
    this.flow = this.mode.flows.begin(this.deps.serverId, {
      issuer: meta?.issuer,
      issRequired: (meta as { authorization_response_iss_parameter_supported?: boolean } | undefined)?.authorization_response_iss_parameter_supported === true,
    });
    return this.flow.state;
  }

  async clientInformation(): Promise<OAuthClientInformationMixed | undefined> {
    const { settings, serverId } = this.deps;
    if (settings.clientId) {
      const secret = await this.deps.secrets.get('oauthClient', staticClientSecretKey(serverId));
      this.deps.redactor.add(secret);
      return { client_id: settings.clientId, ...(secret ? { client_secret: secret } : {}) };
    }
    const key = await this.currentClientKey();
    const info = key ? await this.readClient(key) : undefined;
    if (!info && this.mode.kind === 'silent') {
      // Never register (or open a browser) in the background.
      throw new SignInRequiredError(this.deps.serverName, (await this.tokens()) ? 'its client registration is gone' : 'not signed in');
    }
    return info;
  }

  async saveClientInformation(info: OAuthClientInformationMixed): Promise<void> {
    if (this.deps.settings.clientId) return; // a static client is configuration, not state
    const key = await this.currentClientKey();
    if (!key) throw new Error('no authorization server known for this registration');
    this.deps.redactor.add(info.client_secret);
    await this.deps.secrets.store('oauthClient', key, JSON.stringify(info));
    this.deps.log('info', `stored a client registration for ${key.split(' ')[0]}`);
  }

  async tokens(): Promise<OAuthTokens | undefined> {
    return (await this.load())?.tokens;
  }

  /** The stored record (expiry, registration), if any. */
  async storedTokens(): Promise<StoredTokens | undefined> { return this.load(); }

  async saveTokens(tokens: OAuthTokens): Promise<void> {
    this.deps.redactor.add(tokens.access_token, tokens.refresh_token, tokens.id_token);
    const now = this.now();
    const record: StoredTokens = {
      v: 1, tokens, obtainedAt: now,
      ...(typeof tokens.expires_in === 'number' ? { expiresAt: now + tokens.expires_in * 1000 } : {}),
      ...(this.deps.settings.clientId ? {} : { clientKey: await this.currentClientKey() }),
      redirectUri: this.redirectUrl,
    };
    await this.deps.secrets.store('oauthTokens', this.deps.serverId, JSON.stringify(record));
    this.record = record;
    this.loaded = true;
    this.deps.log('info', `stored tokens (scope: ${tokens.scope ?? '-'}, expires in ${tokens.expires_in ?? '?'} s, refresh token: ${tokens.refresh_token ? 'yes' : 'no'})`);
  }

  redirectToAuthorization(authorizationUrl: URL): Promise<void> {
    if (this.mode.kind !== 'interactive') {
      return Promise.reject(new SignInRequiredError(this.deps.serverName, 'sign-in needed (no valid token)'));
    }
    this.deps.log('info', `opening the authorization page of ${authorizationUrl.origin}`);
    return this.mode.openBrowser(authorizationUrl.toString());
  }

  saveCodeVerifier(codeVerifier: string): void {
    this.deps.redactor.add(codeVerifier);
    this.verifier = codeVerifier;
  }

  codeVerifier(): string {
    if (!this.verifier) throw new Error('no PKCE code verifier for this sign-in');
    return this.verifier;
  }

  async invalidateCredentials(scope: 'all' | 'client' | 'tokens' | 'verifier' | 'discovery'): Promise<void> {
    if (scope === 'verifier') { this.verifier = undefined; return; }
    if (scope === 'discovery') { this.deps.discovery.delete(this.deps.serverId); return; }
    const record = await this.load();
    if (scope === 'all' || scope === 'client') {
      const keys = new Set([record?.clientKey, await this.currentClientKey()].filter((k): k is string => !!k));
      if (this.deps.settings.clientId) {
        this.deps.log('warn', `the authorization server rejected the pre-registered client "${this.deps.settings.clientId}": check its id and secret (Set Secret...)`);
      } else {
        for (const key of keys) await this.deps.secrets.delete('oauthClient', key);
        this.deps.log('warn', 'the authorization server no longer knows this client: its registration was deleted');
      }
    }
    if (scope === 'all' || scope === 'tokens') {
      await this.deps.secrets.delete('oauthTokens', this.deps.serverId);
      this.record = undefined;
      this.deps.log('warn', 'stored tokens were rejected and deleted');
    }
    if (scope === 'all') this.deps.discovery.delete(this.deps.serverId);
  }

  discoveryState(): OAuthDiscoveryState | undefined {
    return this.deps.discovery.get(this.deps.serverId);
  }

  saveDiscoveryState(state: OAuthDiscoveryState): void {
    this.deps.discovery.set(this.deps.serverId, state);
    const issuer = state.authorizationServerMetadata?.issuer;
    if (issuer) this.flow?.expect({ issuer });
  }

  private async load(): Promise<StoredTokens | undefined> {
    // An interactive sign-in starts from nothing: it must not silently refresh a grant the user wants to replace.
    if (this.loaded || this.mode.kind === 'interactive') return this.record;
    const raw = await this.deps.secrets.get('oauthTokens', this.deps.serverId);
    this.loaded = true;
    try {
      const parsed = raw ? JSON.parse(raw) as StoredTokens : undefined;
      this.record = parsed?.v === 1 && parsed.tokens?.access_token ? parsed : undefined;
    } catch {
      this.record = undefined;
    }
    if (this.record) this.deps.redactor.add(this.record.tokens.access_token, this.record.tokens.refresh_token);
    return this.record;
  }

  /** Forgets what was loaded so the next read comes from SecretStorage (another window changed it). */
  reload(): void { this.loaded = false; this.record = undefined; }

  private async currentClientKey(): Promise<string | undefined> {
    if (this.mode.kind === 'silent') return (await this.load())?.clientKey;
    const as = this.deps.discovery.get(this.deps.serverId)?.authorizationServerUrl;
    return as ? clientKey(as, this.mode.redirectUri) : undefined;
  }

  private async readClient(key: string): Promise<OAuthClientInformationMixed | undefined> {
    const raw = await this.deps.secrets.get('oauthClient', key);
    if (!raw) return undefined;
    try {
      const info = JSON.parse(raw) as OAuthClientInformationMixed;
      this.deps.redactor.add(info.client_secret);
      return info.client_id ? info : undefined;
    } catch {
      return undefined;
    }
  }
}
