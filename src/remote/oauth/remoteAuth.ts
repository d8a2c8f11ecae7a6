import type { FetchLike } from '@modelcontextprotocol/client';
import { UserCancelledError, errorMessage } from '../../common/errors';
import { Emitter } from '../../common/lifecycle';
import type { Redactor } from '../../common/redact';
import { loadSdk } from '../../sdkLoader';
import type { LogLevel } from '../../servers/logSink';
import { SignInFailedError, SignInRequiredError, isSignInRequired } from '../errors';
import {
  CallbackRejectedError, PendingFlows, callbackParamsFromUrl, issuerExpectations, issuerRejection, type AuthorizationResponse, type CallbackOutcome,
  type CallbackParams,
} from './pendingFlows';
import { McpOAuthProvider, TokensAdoptedSignal, type DiscoveryEntry, type OAuthSettings, type ProviderMode, type StoredTokens } from './provider';
import type { SecretBackend } from './secretBackend';

/** Tokens are refreshed this long before they expire (ms; at most half their lifetime). */
export const REFRESH_SKEW_MS = 60_000;

/** A refresh before expiry waits a random time up to this (ms), so windows sharing the tokens do not refresh at once. */
export const REFRESH_JITTER_MS = 1_000;

export interface RemoteAuthDeps {
  readonly secrets: SecretBackend;
  readonly redactor: Redactor;
  readonly log: (level: LogLevel, message: string) => void;
  readonly flows?: PendingFlows;
  readonly clientName?: string;
  readonly now?: () => number;
  /** Upper bound of the random wait before a refresh ahead of expiry (ms; default REFRESH_JITTER_MS). */
  readonly refreshJitterMs?: number;
  /** The network (defaults to the global fetch, resolved per call so the extension host's proxy support applies). */
  readonly fetch?: FetchLike;
}

/** One server as OAuth sees it. */
export interface OAuthTarget {
  /** For logs, discovery and pending flows. */
  readonly serverId: string;
  readonly serverName: string;
  /** Where its credentials live: the id of its `oauthTokens` record and of its static client secret in SecretStorage. */
  readonly secretId: string;
  /** The MCP endpoint (the protected resource). */
  readonly url: string;
  readonly settings?: OAuthSettings;
  /**
   * Tokens stored before they were bound to the URL they were issued for are bound to `url` once and used: the caller
   * vouches for the URL (a user-owned server). When false they count as absent (sign in again).
   */
  readonly adoptLegacyBinding: boolean;
  /** Prefix of its client registrations' ids (its owner, for a workspace-owned server). */
  readonly registrationScope?: string;
}

export interface SignInOptions {
  readonly redirectUri: string;
  /** Opens the authorization URL (the browser in VS Code; a redirect-following fetch in the conformance client). */
  readonly openBrowser: (authorizationUrl: string) => Promise<void>;
  readonly signal?: AbortSignal;
  /** Extra scope (step-up); defaults to one a server asked for with 403 insufficient_scope. */
  readonly scope?: string;
}

export interface SignInRequiredEvent { readonly serverId: string; readonly reason: string; readonly scope?: string }

/**
 * OAuth for remote MCP servers, on the SDK's `auth()` and our OAuthClientProvider. Silent side: an OAuth-aware
 * fetch per server that adds the bearer token, refreshes before expiry and on 401, and turns anything that needs the
 * user into SignInRequiredError (never a browser mid-request). Interactive side: `signIn`, which runs the SDK flow
 * with a pending-flow state and waits for the one callback (URI handler, loopback or browserless fetch).
 */
export class RemoteAuth {
  readonly flows: PendingFlows;
  private readonly discovery = new Map<string, DiscoveryEntry>();
  private readonly silentProviders = new Map<string, { readonly target: OAuthTarget; readonly provider: McpOAuthProvider }>();
  private readonly refreshing = new Map<string, Promise<void>>();
  /** Scopes servers asked for with 403 insufficient_scope, kept for the next sign-in. */
  private readonly stepUpScopes = new Map<string, string>();
  private readonly _onDidRequireSignIn = new Emitter<SignInRequiredEvent>();
  readonly onDidRequireSignIn = this._onDidRequireSignIn.event;
  private readonly _onDidSignIn = new Emitter<{ readonly serverId: string }>();
  readonly onDidSignIn = this._onDidSignIn.event;

  constructor(private readonly deps: RemoteAuthDeps) {
    this.flows = deps.flows ?? new PendingFlows();
  }

  private get net(): FetchLike {
    return this.deps.fetch ?? ((input, init) => globalThis.fetch(input, init));
  }

  /** Handles an OAuth redirect (full URL or query). Logs the outcome without code, state or URL. */
  handleCallback(urlOrParams: string | CallbackParams): CallbackOutcome {
    const params = typeof urlOrParams === 'string' ? callbackParamsFromUrl(urlOrParams) : urlOrParams;
    this.deps.redactor.add(params.code, params.state);
    const outcome = this.flows.handle(params);
    if (outcome.ok) this.deps.log('info', `[oauth] sign-in callback accepted${outcome.serverId ? ` for ${outcome.serverId}` : ''}`);
    else this.deps.log('warn', `[oauth] sign-in callback rejected (${outcome.reason}): ${outcome.message}`);
    return outcome;
  }

  /** The fetch a transport uses for an OAuth-protected server. */
  fetchFor(target: OAuthTarget): FetchLike {
    return this.createFetch(target, () => this.silentProvider(target), async (provider, challenge) => {
      if (challenge.kind === 'insufficientScope') {
        this.stepUpScopes.set(target.serverId, (await stepUpScope(provider, challenge.scope)) ?? '');
        throw this.requireSignIn(target, `the server needs additional permission${challenge.scope ? ` (${challenge.scope})` : ''}`, challenge.scope);
      }
      await this.silentAuth(target, provider, challenge.resourceMetadataUrl, challenge.scope);
    });
  }

  /**
   * An interactive fetch (the conformance client): 401 and 403 insufficient_scope run a whole sign-in inside the
   * request, then retry it once.
   */
  interactiveFetch(target: OAuthTarget, options: Omit<SignInOptions, 'scope'>): FetchLike {
    let provider: McpOAuthProvider | undefined;
    const get = (): McpOAuthProvider => (provider ??= this.provider(target, {
      kind: 'interactive', redirectUri: options.redirectUri, flows: this.flows, openBrowser: options.openBrowser,
    }));
    return this.createFetch(target, get, async (p, challenge) => {
      let scope = challenge.scope;
      if (challenge.kind === 'insufficientScope') {
        scope = await stepUpScope(p, challenge.scope);
        await p.invalidateCredentials('tokens');
      }
      await this.runInteractive(target, p, { ...options, scope }, challenge.resourceMetadataUrl);
    });
  }

  /** Interactive sign-in: runs the SDK flow, waits for the callback, stores tokens and registration. */
  async signIn(target: OAuthTarget, options: SignInOptions): Promise<void> {
    const provider = this.provider(target, {
      kind: 'interactive', redirectUri: options.redirectUri, flows: this.flows, openBrowser: options.openBrowser,
    });
    const scope = options.scope ?? (this.stepUpScopes.get(target.serverId) || undefined);
    try {
      await this.runInteractive(target, provider, { ...options, scope });
    } catch (err) {
      // A dynamic registration made for narrower scopes: register again with the new scope (step-up), once.
      if (!(err instanceof ScopeRejectedError) || !scope || target.settings?.clientId) throw err;
      this.deps.log('info', `[oauth] ${target.serverName}: the registration does not allow scope ${scope}; registering again`);
      await provider.invalidateCredentials('client');
      await this.runInteractive(target, provider, { ...options, scope });
    }
  }

  /**
   * Deletes this server's tokens, and the client registration they were issued to unless other stored tokens were
   * issued to it too: servers on one authorization server share its registration, so Sign Out removes this server's
   * tokens, and the registration only when this server was its last user.
   */
  async signOut(target: Pick<OAuthTarget, 'serverId' | 'serverName' | 'secretId'>): Promise<void> {
    const key = (await this.readRecord(target.secretId))?.clientKey;
    await this.deps.secrets.delete('oauthTokens', target.secretId);
    if (key && !(await this.clientInUse(key))) await this.deps.secrets.delete('oauthClient', key);
    this.forget(target.serverId);
    this.deps.log('info', `[oauth] signed out of ${target.serverName}`);
  }

  /** Drops in-memory state of a server (after sign-out, or when another window changed its secrets). */
  forget(serverId: string): void {
    this.silentProviders.get(serverId)?.provider.reload();
    this.silentProviders.delete(serverId);
    this.discovery.delete(serverId);
    this.stepUpScopes.delete(serverId);
  }

  /**
   * SecretStorage changed (another window signed in or out, or this one stored something): what was read from it is
   * read again. Discovery results and sign-ins in progress stay: they are not stored, and a sign-in's code leg needs
   * the discovery its authorization request was made with.
   */
  reloadStored(): void {
    for (const { provider } of this.silentProviders.values()) provider.reload();
  }

  /** Everything in memory (Clear All Stored Data). */
  forgetAll(): void {
    for (const id of [...this.silentProviders.keys()]) this.forget(id);
    this.discovery.clear();
    this.flows.cancelAll();
  }

  dispose(): void {
    this.flows.cancelAll();
    this._onDidRequireSignIn.dispose();
    this._onDidSignIn.dispose();
  }

  // ---- internals --------------------------------------------------------------------------------------------------

  private provider(target: OAuthTarget, mode: ProviderMode): McpOAuthProvider {
    return new McpOAuthProvider({
      serverId: target.serverId, serverName: target.serverName, secretId: target.secretId, serverUrl: target.url,
      adoptLegacyBinding: target.adoptLegacyBinding, ...(target.registrationScope ? { registrationScope: target.registrationScope } : {}), secrets: this.deps.secrets, settings: target.settings ?? {},
      redactor: this.deps.redactor, discovery: this.discovery, clientName: this.deps.clientName, now: this.deps.now,
      log: (level, message) => this.deps.log(level, `[oauth] ${target.serverName}: ${message}`),
    }, mode);
  }

  private silentProvider(target: OAuthTarget): McpOAuthProvider {
    const cached = this.silentProviders.get(target.serverId);
    if (cached && cached.target.url === target.url && cached.target.secretId === target.secretId
      && cached.target.adoptLegacyBinding === target.adoptLegacyBinding && cached.target.registrationScope === target.registrationScope) return cached.provider;
    const provider = this.provider(target, { kind: 'silent' });
    this.silentProviders.set(target.serverId, { target, provider });
    return provider;
  }

  private async readRecord(secretId: string): Promise<StoredTokens | undefined> {
    const raw = await this.deps.secrets.get('oauthTokens', secretId);
    try {
      return raw ? JSON.parse(raw) as StoredTokens : undefined;
    } catch {
      return undefined;
    }
  }

  /** Whether any stored tokens were issued to this registration. */
  private async clientInUse(key: string): Promise<boolean> {
    for (const { id } of await this.deps.secrets.list('oauthTokens')) {
      if ((await this.readRecord(id))?.clientKey === key) return true;
    }
    return false;
  }

  private requireSignIn(target: OAuthTarget, reason: string, scope?: string): SignInRequiredError {
    const err = new SignInRequiredError(target.serverName, reason, scope);
    this.deps.log('warn', `[oauth] ${target.serverName}: ${reason}`);
    this._onDidRequireSignIn.fire({ serverId: target.serverId, reason, scope });
    return err;
  }

  /** Silent auth: refresh (single flight per server); anything interactive becomes SignInRequiredError. */
  private silentAuth(target: OAuthTarget, provider: McpOAuthProvider, resourceMetadataUrl?: URL, scope?: string): Promise<void> {
    let running = this.refreshing.get(target.serverId);
    if (!running) {
      running = (async () => {
        try {
          const { authorize } = await loadSdk(); // the SDK's OAuth client, loaded at first use
          const result = await authorize(provider, { serverUrl: target.url, resourceMetadataUrl, scope, fetchFn: this.net });
          if (result !== 'AUTHORIZED') throw new SignInRequiredError(target.serverName, 'sign-in needed');
          this.deps.log('info', `[oauth] ${target.serverName}: token refreshed`);
        } catch (err) {
          if (err instanceof TokensAdoptedSignal) return;
          if (isSignInRequired(err)) {
            provider.reload();
            throw this.requireSignIn(target, err.reason, scope);
          }
          throw err;
        }
      })().finally(() => this.refreshing.delete(target.serverId));
      this.refreshing.set(target.serverId, running);
    }
    return running;
  }

  private async runInteractive(target: OAuthTarget, provider: McpOAuthProvider, options: SignInOptions, resourceMetadataUrl?: URL): Promise<void> {
    const { signal, scope } = options;
    if (signal?.aborted) throw new UserCancelledError();
    this.deps.log('info', `[oauth] ${target.serverName}: signing in${scope ? ` (scope ${scope})` : ''}`);
    const { authorize, exchangeCode, isInvalidClientError } = await loadSdk();
    let result = await authorize(provider, { serverUrl: target.url, resourceMetadataUrl, scope, fetchFn: this.net });
    if (result === 'REDIRECT') {
      const flow = provider.pendingFlow;
      if (!flow) throw new SignInFailedError('The sign-in did not start');
      const onAbort = (): void => flow.cancel(new UserCancelledError());
      signal?.addEventListener('abort', onAbort, { once: true });
      let response: AuthorizationResponse;
      try {
        response = await flow.response;
      } catch (err) {
        if (err instanceof UserCancelledError) throw err;
        if (err instanceof CallbackRejectedError && err.oauthError === 'invalid_scope') throw new ScopeRejectedError(err.message);
        throw new SignInFailedError(`Sign-in to '${target.serverName}' failed: ${err instanceof CallbackRejectedError ? err.message : errorMessage(err)}`);
      } finally {
        signal?.removeEventListener('abort', onAbort);
      }
      this.deps.redactor.add(response.code);
      // RFC 9207 where the code is exchanged, against the metadata it is exchanged with: nothing is sent on a mismatch.
      const rejected = issuerRejection(response.iss, issuerExpectations(provider.discoveryState()?.authorizationServerMetadata));
      if (rejected) {
        this.deps.log('warn', `[oauth] ${target.serverName}: authorization response refused (${rejected.reason}): ${rejected.message}`);
        throw new SignInFailedError(`Sign-in to '${target.serverName}' failed: ${rejected.message}`);
      }
      try {
        result = await exchangeCode(provider, { serverUrl: target.url, resourceMetadataUrl, scope, fetchFn: this.net, ...response });
      } catch (err) {
        // A pre-registered client the server does not accept: most often a missing or wrong client secret.
        const hint = isInvalidClientError(err) && target.settings?.clientId
          ? ` (client "${target.settings.clientId}" from mcpManager.serverOptions: set its secret with Set Secret..., or check the client id)` : '';
        throw new SignInFailedError(`Sign-in to '${target.serverName}' failed at the token endpoint: ${errorMessage(err)}${hint}`);
      }
    }
    if (result !== 'AUTHORIZED') throw new SignInFailedError(`Sign-in to '${target.serverName}' did not complete`);
    this.stepUpScopes.delete(target.serverId);
    this.silentProviders.get(target.serverId)?.provider.reload();
    this.deps.log('info', `[oauth] ${target.serverName}: signed in`);
    this._onDidSignIn.fire({ serverId: target.serverId });
  }

  private createFetch(
    target: OAuthTarget,
    getProvider: () => McpOAuthProvider,
    onChallenge: (provider: McpOAuthProvider, challenge: Challenge) => Promise<void>,
  ): FetchLike {
    const withToken = async (input: string | URL, init?: RequestInit): Promise<{ response: Response; sent: boolean }> => {
      const headers = new Headers(init?.headers);
      const tokens = await getProvider().tokens();
      if (tokens) headers.set('Authorization', `Bearer ${tokens.access_token}`);
      return { response: await this.net(input, { ...init, headers }), sent: !!tokens };
    };
    return async (input, init) => {
      const provider = getProvider();
      // Tokens issued for another URL (the server's URL changed) are never sent; the user signs in again.
      const bound = (): Promise<StoredTokens | undefined> => provider.boundTokens().catch((err: unknown) => {
        throw isSignInRequired(err) ? this.requireSignIn(target, err.reason) : err;
      });
      const now = this.deps.now ?? Date.now;
      const due = (r: StoredTokens | undefined): r is StoredTokens & { expiresAt: number } => r?.expiresAt !== undefined && !!r.tokens.refresh_token
        && now() >= r.expiresAt - Math.min(REFRESH_SKEW_MS, (r.expiresAt - r.obtainedAt) / 2);
      let record = await bound();
      if (due(record) && now() < record.expiresAt && provider.mode.kind === 'silent' && !this.refreshing.has(target.serverId)) {
        // Still valid: wait a little, then look again (another window sharing the tokens may have refreshed them).
        await sleep(Math.random() * (this.deps.refreshJitterMs ?? REFRESH_JITTER_MS));
        provider.reload();
        record = await bound();
      }
      if (due(record)) {
        // Before expiry: refresh silently. A failure here is not fatal yet; the request's 401 decides.
        await this.silentAuth(target, provider).catch((err: unknown) => {
          if (isSignInRequired(err)) throw err;
          this.deps.log('warn', `[oauth] ${target.serverName}: refresh before expiry failed: ${errorMessage(err)}`);
        });
      }
      const first = await withToken(input, init);
      const challenge = await challengeOf(first.response);
      if (!challenge) return first.response;
      await first.response.body?.cancel().catch(() => undefined);
      // A token we sent was rejected: the server may have moved to another authorization server (its resource
      // metadata says so), which is discovered again. Tokens and registrations stay keyed by the issuer: the SDK sends
      // no refresh token to an issuer it was not issued by, and a registration with the new one needs a sign-in.
      if (first.sent && challenge.kind !== 'insufficientScope') this.discovery.delete(target.serverId);
      await onChallenge(provider, challenge);
      return (await withToken(input, init)).response;
    };
  }
}

class ScopeRejectedError extends SignInFailedError {}

function sleep(ms: number): Promise<void> {
  return ms > 0 ? new Promise((resolve) => setTimeout(resolve, ms)) : Promise.resolve();
}

type Challenge =
  | { readonly kind: 'unauthorized'; readonly resourceMetadataUrl?: URL; readonly scope?: string }
  | { readonly kind: 'insufficientScope'; readonly resourceMetadataUrl?: URL; readonly scope?: string };

async function challengeOf(response: Response): Promise<Challenge | undefined> {
  if (response.status !== 401 && response.status !== 403) return undefined;
  const { extractWWWAuthenticateParams } = await loadSdk();
  if (response.status === 401) {
    const { resourceMetadataUrl, scope } = extractWWWAuthenticateParams(response);
    return { kind: 'unauthorized', resourceMetadataUrl, scope };
  }
  if (response.status === 403) {
    const { resourceMetadataUrl, scope, error } = extractWWWAuthenticateParams(response);
    if (error === 'insufficient_scope') return { kind: 'insufficientScope', resourceMetadataUrl, scope };
  }
  return undefined;
}

/**
 * The scope a step-up sign-in asks for (SEP-2350): the scope the current tokens were granted plus the one the server's
 * 403 insufficient_scope challenge names, so re-authorization does not drop what was granted before.
 */
async function stepUpScope(provider: McpOAuthProvider, challenged: string | undefined): Promise<string | undefined> {
  const granted = (await provider.tokens().catch(() => undefined))?.scope;
  const { computeScopeUnion } = await loadSdk();
  return computeScopeUnion(granted, challenged);
}
