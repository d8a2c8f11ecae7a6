import type {
  AuthorizationServerMetadata, OAuthClientMetadata, OAuthClientProvider, OAuthDiscoveryState,
  StoredOAuthClientInformation, StoredOAuthTokens,
} from '@modelcontextprotocol/client';
import type { ServerOptions } from '../../common/config/types';
import type { Redactor } from '../../common/redact';
import { staticClientSecretKey } from '../../common/secretKeys';
import { isLoopbackHost, isSecureUrl } from '../../common/urls';
import { loadSdk } from '../../sdkLoader';
import type { LogLevel } from '../../servers/logSink';
import { SignInFailedError, SignInRequiredError } from '../errors';
import { issuerExpectations, type PendingFlow, type PendingFlows } from './pendingFlows';
import type { SecretBackend } from './secretBackend';

export type OAuthSettings = NonNullable<ServerOptions['oauth']>;

/** What is stored under `oauthTokens/<secretId>` (one JSON blob). */
export interface StoredTokens {
  readonly v: 1;
  readonly tokens: StoredOAuthTokens;
  readonly obtainedAt: number;
  /** Epoch ms when the access token expires, when the server said. */
  readonly expiresAt?: number;
  /**
   * The protected resource the tokens were issued for (its metadata's `resource`, else the server URL): the token is
   * sent to no URL outside it. Absent in records stored before tokens were bound (see ProviderDeps.adoptLegacyBinding).
   */
  readonly resource?: string;
  /** The authorization server that issued them. */
  readonly issuer?: string;
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
  /** Id of the server's `oauthTokens` record and of its static client secret in SecretStorage. */
  readonly secretId: string;
  /** The MCP endpoint as configured now (the protected resource). */
  readonly serverUrl: string;
  /**
   * Tokens stored before they were bound to a resource are bound to serverUrl once and used (the caller vouches for
   * the URL: a user-owned server); otherwise they are treated as absent (sign in again).
   */
  readonly adoptLegacyBinding: boolean;
  /** Prefix of its client registrations' ids: its owner for a workspace-owned server (none for the user's). */
  readonly registrationScope?: string;
  readonly secrets: SecretBackend;
  readonly settings: OAuthSettings;
  readonly redactor: Redactor;
  readonly log: (level: LogLevel, message: string) => void;
  /** Discovery results by server id (shared by the silent and interactive providers of one server). */
  readonly discovery: Map<string, DiscoveryEntry>;
  readonly clientName?: string;
  readonly now?: () => number;
}

/** A discovery result and the server URL it was found for (a changed URL discovers again). */
export interface DiscoveryEntry { readonly serverUrl: string; readonly state: OAuthDiscoveryState }

/** Redirect URIs on a loopback host are keyed without their port (RFC 8252 §7.3: any port must be accepted). */
export function redirectKey(redirectUri: string): string {
  try {
    const u = new URL(redirectUri);
    if (u.protocol === 'http:' && isLoopbackHost(u.hostname)) {
      u.port = '';
      u.search = '';
    }
    return u.toString();
  } catch {
    return redirectUri;
  }
}

/**
 * `oauthClient` id of a registration: `[<owner> ]<authorizationServer> <redirectUri>` (src/common/secretKeys.ts). A
 * workspace-owned server's registrations carry its owner, so no other workspace reuses (or signs out) them.
 */
export function clientKey(authorizationServer: string, redirectUri: string, scope?: string): string {
  return `${scope ? `${scope} ` : ''}${authorizationServer} ${redirectKey(redirectUri)}`;
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
    return {
      client_name: this.deps.clientName ?? 'MCP Manager for VS Code',
      redirect_uris: [this.redirectUrl],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'none',
      application_type: 'native',
      ...(this.deps.settings.scopes?.length ? { scope: this.deps.settings.scopes.join(' ') } : {}),
    };
  }

  state(): string {
    if (this.mode.kind !== 'interactive') return 'silent';
    this.flow?.cancel();
    this.flow = this.mode.flows.begin(this.deps.serverId, issuerExpectations(this.discoveryState()?.authorizationServerMetadata));
    return this.flow.state;
  }

  async clientInformation(): Promise<StoredOAuthClientInformation | undefined> {
    const { settings, secretId } = this.deps;
    if (settings.clientId) {
      const secret = await this.deps.secrets.get('oauthClient', staticClientSecretKey(secretId));
      this.deps.redactor.add(secret);
      return { client_id: settings.clientId, ...(secret ? { client_secret: secret } : {}) };
    }
    const key = await this.currentClientKey();
    const info = key ? await this.readClient(key) : undefined;
    const issuer = this.discoveryState()?.authorizationServerUrl;
    if (this.mode.kind === 'silent' && (!info || (typeof info.issuer === 'string' && issuer && !sameUrl(info.issuer, issuer)))) {
      // Never register (or open a browser) in the background: no registration with the discovered server needs the user.
      throw new SignInRequiredError(this.deps.serverName, (await this.load()) ? 'its client registration is gone' : 'not signed in');
    }
    return info;
  }

  async saveClientInformation(info: StoredOAuthClientInformation): Promise<void> {
    if (this.deps.settings.clientId) return; // a static client is configuration, not state
    const key = await this.currentClientKey();
    if (!key) throw new Error('no authorization server known for this registration');
    if (this.mode.kind === 'silent' && (await this.readClient(key))?.client_id !== info.client_id) {
      // The background may stamp the registration it used with its issuer, never store a new one.
      throw new SignInRequiredError(this.deps.serverName, 'a new client registration is needed');
    }
    this.deps.redactor.add(info.client_secret);
    await this.deps.secrets.store('oauthClient', key, JSON.stringify(info));
    this.deps.log('info', `stored a client registration for ${key.split(' ')[0]}`);
  }

  /** The tokens for the SDK: only while they are bound to the configured URL (else SignInRequiredError). */
  async tokens(): Promise<StoredOAuthTokens | undefined> {
    return (await this.boundTokens())?.tokens;
  }

  /** The stored record if it may be sent to the configured URL; SignInRequiredError if it was issued for another one. */
  async boundTokens(): Promise<StoredTokens | undefined> {
    const record = await this.load();
    if (!record?.resource) return record;
    const { checkResourceAllowed } = await loadSdk();
    let allowed = false;
    try {
      allowed = checkResourceAllowed({ requestedResource: this.deps.serverUrl, configuredResource: record.resource });
    } catch { /* an unparsable URL is not allowed */ }
    if (allowed) return record;
    const withPath = sameOrigin(record.resource, this.deps.serverUrl);
    throw new SignInRequiredError(this.deps.serverName, `this server's URL changed (was ${describeUrl(record.resource, withPath)}, now ${describeUrl(this.deps.serverUrl, withPath)}); sign in again`);
  }

  async saveTokens(tokens: StoredOAuthTokens): Promise<void> {
    this.deps.redactor.add(tokens.access_token, tokens.refresh_token, tokens.id_token);
    const now = this.now();
    const discovered = this.discoveryState();
    const { resourceUrlFromServerUrl } = await loadSdk();
    const record: StoredTokens = {
      v: 1, tokens, obtainedAt: now,
      ...(typeof tokens.expires_in === 'number' ? { expiresAt: now + tokens.expires_in * 1000 } : {}),
      resource: discovered?.resourceMetadata?.resource ?? resourceUrlFromServerUrl(this.deps.serverUrl).href,
      issuer: tokens.issuer ?? discovered?.authorizationServerUrl,
      ...(this.deps.settings.clientId ? {} : { clientKey: await this.currentClientKey() }),
      redirectUri: this.redirectUrl,
    };
    await this.deps.secrets.store('oauthTokens', this.deps.secretId, JSON.stringify(record));
    this.record = record;
    this.loaded = true;
    this.deps.log('info', `stored tokens (scope: ${tokens.scope ?? '-'}, expires in ${tokens.expires_in ?? '?'} s, refresh token: ${tokens.refresh_token ? 'yes' : 'no'})`);
  }

  redirectToAuthorization(authorizationUrl: URL): Promise<void> {
    if (this.mode.kind !== 'interactive') {
      return Promise.reject(new SignInRequiredError(this.deps.serverName, 'sign-in needed (no valid token)'));
    }
    // The one place a browser is opened: never for a scheme other than https (or http to this machine).
    if (!isSecureUrl(authorizationUrl.href)) {
      return Promise.reject(new UnsafeAuthorizationServerError(`MCP Manager does not open the authorization page ${describeUrl(authorizationUrl.href)}: only https (or http to this machine) is allowed`));
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
    if (scope === 'all' || scope === 'client') {
      const key = await this.currentClientKey();
      if (this.deps.settings.clientId) {
        this.deps.log('warn', `the authorization server rejected the pre-registered client "${this.deps.settings.clientId}": check its id and secret (Set Secret...)`);
      } else if (key) {
        await this.deps.secrets.delete('oauthClient', key);
        this.deps.log('warn', 'the authorization server no longer knows this client: its registration was deleted');
      }
    }
    if (scope === 'tokens' && this.mode.kind === 'silent') {
      // Another window may have refreshed a rotating refresh token first: its new tokens are adopted, not deleted.
      const used = this.record?.tokens.refresh_token;
      this.reload();
      const stored = await this.load();
      if (stored && stored.tokens.refresh_token !== used) {
        this.deps.log('info', 'the tokens were refreshed elsewhere (another window); using those');
        throw new TokensAdoptedSignal();
      }
    }
    if (scope === 'all' || scope === 'tokens') {
      await this.deps.secrets.delete('oauthTokens', this.deps.secretId);
      this.record = undefined;
      this.deps.log('warn', 'stored tokens were rejected and deleted');
    }
    if (scope === 'all') this.deps.discovery.delete(this.deps.serverId);
  }

  discoveryState(): OAuthDiscoveryState | undefined {
    const entry = this.deps.discovery.get(this.deps.serverId);
    return entry?.serverUrl === this.deps.serverUrl ? entry.state : undefined;
  }

  saveDiscoveryState(state: OAuthDiscoveryState): void {
    checkAuthorizationServer(state.authorizationServerUrl, state.authorizationServerMetadata, !state.resourceMetadata);
    this.deps.discovery.set(this.deps.serverId, { serverUrl: this.deps.serverUrl, state });
    if (state.authorizationServerMetadata) this.flow?.expect(issuerExpectations(state.authorizationServerMetadata));
  }

  private async load(): Promise<StoredTokens | undefined> {
    // An interactive sign-in starts from nothing: it must not silently refresh a grant the user wants to replace.
    if (this.loaded || this.mode.kind === 'interactive') return this.record;
    const raw = await this.deps.secrets.get('oauthTokens', this.deps.secretId);
    let record: StoredTokens | undefined;
    try {
      const parsed = raw ? JSON.parse(raw) as StoredTokens : undefined;
      record = parsed?.v === 1 && parsed.tokens?.access_token ? parsed : undefined;
    } catch {
      record = undefined;
    }
    if (record && !record.resource) record = await this.bindLegacy(record);
    if (this.loaded) return this.record; // a concurrent load finished first
    this.record = record;
    this.loaded = true;
    if (this.record) this.deps.redactor.add(this.record.tokens.access_token, this.record.tokens.refresh_token);
    return this.record;
  }

  /** A record stored before tokens were bound to a resource: bound to the configured URL once, if the caller vouches for it. */
  private async bindLegacy(record: StoredTokens): Promise<StoredTokens | undefined> {
    if (!this.deps.adoptLegacyBinding) {
      this.deps.log('info', 'the stored tokens predate binding tokens to a URL; sign in again to use this server');
      return undefined;
    }
    const { resourceUrlFromServerUrl } = await loadSdk();
    const bound: StoredTokens = { ...record, resource: resourceUrlFromServerUrl(this.deps.serverUrl).href, issuer: record.issuer ?? record.tokens.issuer };
    await this.deps.secrets.store('oauthTokens', this.deps.secretId, JSON.stringify(bound));
    this.deps.log('info', `bound the stored tokens to ${describeUrl(bound.resource!)}`);
    return bound;
  }

  /** Forgets what was loaded so the next read comes from SecretStorage (another window changed it). */
  reload(): void { this.loaded = false; this.record = undefined; }

  /**
   * `oauthClient` id of the registration with the authorization server discovery found now (never the stored record's
   * key: a changed server must not read or overwrite another server's registration).
   */
  private async currentClientKey(): Promise<string | undefined> {
    if (this.mode.kind === 'silent') await this.load(); // the redirect URI the tokens were issued with
    const as = this.discoveryState()?.authorizationServerUrl;
    return as ? clientKey(as, this.redirectUrl, this.deps.registrationScope) : undefined;
  }

  private async readClient(key: string): Promise<StoredOAuthClientInformation | undefined> {
    const raw = await this.deps.secrets.get('oauthClient', key);
    if (!raw) return undefined;
    try {
      const info = JSON.parse(raw) as StoredOAuthClientInformation;
      this.deps.redactor.add(info.client_secret);
      return info.client_id ? info : undefined;
    } catch {
      return undefined;
    }
  }
}

/** Thrown out of the SDK's auth() when the rejected tokens were replaced elsewhere and adopted: the request can go on. */
export class TokensAdoptedSignal extends Error {
  constructor() { super('the tokens were refreshed elsewhere'); this.name = 'TokensAdoptedSignal'; }
}

/** An authorization server whose metadata MCP Manager refuses (nothing is sent to it, no browser is opened). */
export class UnsafeAuthorizationServerError extends SignInFailedError {
  constructor(message: string) { super(message); this.name = 'UnsafeAuthorizationServerError'; }
}

/**
 * What an authorization server's metadata must satisfy before anything is sent to it (MCP authorization spec, RFC 8414
 * §3.3): it exists, its issuer is the URL it was discovered at, its endpoints are https (or http to this machine), and
 * it supports PKCE with S256.
 *
 * `legacy`: the server has no protected-resource metadata, so (MCP 2025-03-26) its own origin is the authorization
 * server. There a missing metadata document means the spec's default endpoints on that origin, and the issuer only has
 * to be on that origin (the 2025-03-26 layout serves root metadata for an issuer with a path). No other authorization
 * server is involved, so the mix-up the exact issuer check defends against cannot arise; the scheme rule still applies.
 */
export function checkAuthorizationServer(authorizationServerUrl: string, metadata: AuthorizationServerMetadata | undefined, legacy = false): void {
  const refuse = (why: string): Error => new UnsafeAuthorizationServerError(`The authorization server ${describeUrl(authorizationServerUrl, true)} ${why}; MCP Manager does not sign in there`);
  if (legacy && !isSecureUrl(authorizationServerUrl)) throw refuse('is not https (or http to this machine)');
  if (!metadata) {
    if (legacy) return;
    throw refuse('publishes no metadata (RFC 8414)');
  }
  const issuerOk = legacy ? sameOrigin(metadata.issuer, authorizationServerUrl) : sameUrl(metadata.issuer, authorizationServerUrl);
  if (!issuerOk) throw refuse(`names another issuer (${describeUrl(metadata.issuer, true)}) than the URL it was found at`);
  for (const name of ['authorization_endpoint', 'token_endpoint', 'registration_endpoint'] as const) {
    const url = metadata[name];
    if (url !== undefined && !isSecureUrl(url)) throw refuse(`has an insecure ${name} (${describeUrl(url)}): only https, or http to this machine, is allowed`);
  }
  if (!metadata.code_challenge_methods_supported?.includes('S256')) throw refuse('does not advertise PKCE with S256 (code_challenge_methods_supported)');
}

/** Two URLs are the same, spelled either way and with or without one trailing slash. */
function sameUrl(a: string, b: string): boolean {
  const norm = (u: string): string => { try { return new URL(u).href.replace(/\/$/, ''); } catch { return u.replace(/\/$/, ''); } };
  return norm(a) === norm(b);
}

/** A URL for messages: scheme and host, and the path if asked (never the query). */
function describeUrl(url: string, withPath = false): string {
  try {
    const u = new URL(url);
    return `${u.protocol}${u.host ? `//${u.host}` : ''}${withPath && u.host ? u.pathname.replace(/\/$/, '') : ''}`;
  } catch {
    return 'an invalid URL';
  }
}

function sameOrigin(a: string, b: string): boolean {
  try { return new URL(a).origin === new URL(b).origin; } catch { return false; }
}
