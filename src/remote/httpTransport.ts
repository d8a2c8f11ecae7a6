import type {
  FetchLike, JSONRPCMessage, JSONRPCRequest, OAuthClientProvider, Transport, TransportSendOptions,
} from '@modelcontextprotocol/client';
import type { ResolvedLaunch } from '../common/config/types';
import { errorMessage } from '../common/errors';
import type { Redactor } from '../common/redact';
import { loadSdk, type McpSdk } from '../sdkLoader';
import type { LogLevel } from '../servers/logSink';
import type { ManagedTransport, TransportContext, TransportExit, TransportFactory } from '../servers/transport';
import { type SignInRequiredError, asHttpFailure, isSignInRequired } from './errors';

export type RemoteKind = 'http' | 'sse';
type RemoteLaunch = Extract<ResolvedLaunch, { type: 'http' | 'sse' }>;

/** HTTP statuses of the initialize POST that mean "no Streamable HTTP here": fall back to legacy SSE (not 401). */
export const FALLBACK_STATUSES: readonly number[] = [400, 404, 405];

export interface RecoveryTiming {
  /** Attempts to re-establish a lost session before the transport gives up and closes. */
  readonly maxAttempts: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  /** How long the replayed initialize may take (ms). */
  readonly initializeTimeoutMs: number;
  /** How long the DELETE that ends a session may take on stop (ms). */
  readonly terminateTimeoutMs: number;
}

export const DEFAULT_RECOVERY: RecoveryTiming = {
  maxAttempts: 6, baseDelayMs: 250, maxDelayMs: 5_000, initializeTimeoutMs: 10_000, terminateTimeoutMs: 3_000,
};

/**
 * Remembers, per server and URL, which transport worked (in memory, for the window's lifetime: a server that gains
 * Streamable HTTP support is probed again after a reload, and nothing stale is persisted).
 */
export class TransportMemory {
  private readonly worked = new Map<string, RemoteKind>();
  get(serverId: string, url: string): RemoteKind | undefined { return this.worked.get(`${serverId} ${url}`); }
  set(serverId: string, url: string, kind: RemoteKind): void { this.worked.set(`${serverId} ${url}`, kind); }
}

export interface RemoteTransportOptions {
  /** fetch used for every request (an OAuth-aware fetch when the server uses OAuth). Resolved per call otherwise,
   * so the extension host's proxy-aware global fetch is used. */
  readonly fetch?: FetchLike;
  /** Only for non-interactive SDK providers (client credentials); the product uses `fetch` for OAuth. */
  readonly authProvider?: OAuthClientProvider;
  readonly memory?: TransportMemory;
  readonly recovery?: Partial<RecoveryTiming>;
  readonly serverId?: string;
  readonly log?: (level: LogLevel, message: string) => void;
  readonly redactor?: Redactor;
}

const TAIL_LINES = 20;

/**
 * A remote MCP connection (Streamable HTTP, or legacy SSE) as a supervisor-owned transport. It wraps the SDK's
 * transports and adds what a long-lived connection needs:
 *  - HTTP → SSE fallback when the initialize POST gets 400/404/405, remembered per server;
 *  - re-initialization when the session is gone (404) or the network/stream drops (server restart), with backoff,
 *    replaying the client's initialize so the SDK Client above never notices;
 *  - in-flight requests whose answers were lost fail at once with a ConnectionClosed error (never hang);
 *  - DELETE of the session on stop (`terminateSession()`); SSE retry / Last-Event-ID resumption is the SDK's.
 */
export class RemoteTransport implements ManagedTransport {
  readonly pid = undefined;
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: (message: JSONRPCMessage) => void;

  private _exit: TransportExit | undefined;
  /** The SDK's HTTP and SSE transports and JSON-RPC guards: loaded by start(), not at activation. */
  private sdk: McpSdk | undefined;
  private inner: Transport | undefined;
  private innerGeneration = 0;
  /** A sign-in error our fetch met while the current inner transport was starting (rethrown instead of an SseError). */
  private startSignIn: SignInRequiredError | undefined;
  private kind: RemoteKind;
  private initRequest: JSONRPCRequest | undefined;
  private protocolVersion: string | undefined;
  private initialized = false;
  private closed = false;
  private recovering: Promise<void> | undefined;
  private reinitCount = 0;
  private readonly pending = new Set<string | number>();
  private readonly internal = new Map<string | number, { resolve(m: JSONRPCMessage): void; reject(e: Error): void }>();
  private readonly tail: string[] = [];
  private readonly recovery: RecoveryTiming;

  constructor(private readonly launch: RemoteLaunch, private readonly options: RemoteTransportOptions = {}) {
    this.recovery = { ...DEFAULT_RECOVERY, ...options.recovery };
    this.kind = launch.type === 'sse' ? 'sse' : (options.serverId && options.memory?.get(options.serverId, launch.url)) || 'http';
  }

  get exit(): TransportExit | undefined { return this._exit; }
  /** The transport in use now (after a fallback, 'sse'). */
  get currentKind(): RemoteKind { return this.kind; }
  /** The Streamable HTTP session id, if any. */
  get sessionId(): string | undefined {
    return this.sdk && this.inner instanceof this.sdk.StreamableHTTPClientTransport ? this.inner.sessionId : undefined;
  }

  stderrTail(): readonly string[] { return [...this.tail]; }

  async start(): Promise<void> {
    if (this.inner) throw new Error('RemoteTransport already started');
    this.sdk ??= await loadSdk();
    if (this.closed) throw new Error('The connection to the server is closed');
    this.log('debug', `connecting over ${this.kind === 'http' ? 'Streamable HTTP' : 'SSE'}`);
    await this.startInner(this.kind);
  }

  /**
   * Streamable HTTP opens one POST per request: on 2026-07-28 the Client cancels a request by closing it (the spec's
   * cancellation) instead of sending notifications/cancelled. SSE shares one stream.
   */
  get hasPerRequestStream(): boolean | undefined { return this.inner?.hasPerRequestStream; }

  setProtocolVersion(version: string): void {
    this.protocolVersion = version;
    // 2026-07-28 has no initialize: the Client says the version once the server/discover probe settled the era.
    if (!this.initRequest) this.initialized = true;
    this.inner?.setProtocolVersion?.(version);
  }

  async send(message: JSONRPCMessage, options?: TransportSendOptions): Promise<void> {
    if (this.closed) throw new Error('The connection to the server is closed');
    if (this.recovering) await this.recovering;
    const sdk = this.requireSdk();
    const request = sdk.isJSONRPCRequest(message) ? message : undefined;
    if (request?.method === 'initialize') this.initRequest = request;
    else if (request) this.pending.add(request.id);
    try {
      await this.requireInner().send(message, options);
      if (sdk.isInitializedNotification(message)) this.initialized = true;
    } catch (err) {
      if (request) this.pending.delete(request.id);
      if (this.closed) throw err;
      if (isSignInRequired(err)) {
        this.note('warn', errorMessage(err));
        if (this.initialized) void this.closeWith({ code: null, signal: null, requested: false, signInRequired: err.reason });
        throw err;
      }
      if (!this.initialized) {
        // A probe the server does not know (a 4xx, its JSON-RPC error) is how the SDK tells a legacy server: as it is.
        // Anything else (unreachable, 401/403, 5xx) fails the connection with our plain reason (the SDK keeps it as
        // the cause; McpSession reports that).
        const status = sdk.httpStatusOf(err);
        if (request?.method === 'server/discover' && status !== undefined && status >= 400 && status < 500 && status !== 401 && status !== 403) throw err;
        if (request?.method === 'initialize' && this.kind === 'http' && this.launch.type === 'http' && isFallbackStatus(err, sdk)) {
          this.note('info', `Streamable HTTP not available (${errorMessage(err)}); falling back to SSE`);
          await this.replaceInner('sse');
          return this.send(message, options);
        }
        throw asHttpFailure(err, sdk.httpStatusOf(err), this.triedBoth(), (t) => this.redact(t));
      }
      // An error status mid-session (say 500 on one call) is said with its status, not the SDK's body-only text.
      if (!isSessionGone(err, this.kind, sdk) && !isNetworkError(err)) throw asHttpFailure(err, sdk.httpStatusOf(err), false, (t) => this.redact(t));
      this.note('warn', `${isSessionGone(err, this.kind, sdk) ? 'session not found' : 'network error'}: ${errorMessage(err)}; re-initializing`);
      await this.recover(errorMessage(err));
      if (request) this.pending.add(request.id);
      await this.requireInner().send(message, options);
    }
  }

  /** Graceful stop: DELETE the session (bounded), then close. */
  async terminate(): Promise<void> {
    if (this.closed) return;
    const inner = this.inner;
    if (this.sdk && inner instanceof this.sdk.StreamableHTTPClientTransport && inner.sessionId) {
      try {
        await withTimeout(inner.terminateSession(), this.recovery.terminateTimeoutMs, 'session termination');
        this.log('debug', 'session terminated');
      } catch (err) {
        this.log('debug', `could not terminate the session: ${errorMessage(err)}`);
      }
    }
    await this.closeWith({ code: null, signal: null, requested: true });
  }

  async kill(): Promise<void> {
    await this.closeWith({ code: null, signal: null, requested: true });
  }

  /** The SDK Client's close(): the same as terminate(). */
  close(): Promise<void> { return this.terminate(); }

  // ---- internals --------------------------------------------------------------------------------------------------

  /** Configured as Streamable HTTP, now on SSE: both were tried. */
  private triedBoth(): boolean { return this.kind === 'sse' && this.launch.type === 'http'; }

  private requireSdk(): McpSdk {
    if (!this.sdk) throw new Error('The connection to the server is not open');
    return this.sdk;
  }

  private requireInner(): Transport {
    if (!this.inner) throw new Error('The connection to the server is not open');
    return this.inner;
  }

  private createInner(kind: RemoteKind): Transport {
    const { StreamableHTTPClientTransport, SSEClientTransport } = this.requireSdk();
    const url = new URL(this.launch.url);
    const requestInit: RequestInit = { headers: { ...this.launch.headers } };
    const base: FetchLike = this.options.fetch ?? ((input, init) => globalThis.fetch(input, init));
    // The SSE transport's EventSource turns a failed fetch into a plain SseError: keep the sign-in error to rethrow.
    const fetchFn: FetchLike = async (input, init) => {
      try { return await base(input, init); } catch (err) {
        if (isSignInRequired(err)) this.startSignIn = err;
        throw err;
      }
    };
    const inner: Transport = kind === 'http'
      ? new StreamableHTTPClientTransport(url, {
        requestInit, fetch: fetchFn, authProvider: this.options.authProvider,
        reconnectionOptions: { initialReconnectionDelay: 1_000, maxReconnectionDelay: 30_000, reconnectionDelayGrowFactor: 1.5, maxRetries: 2 },
      })
      : new SSEClientTransport(url, { requestInit, fetch: fetchFn, authProvider: this.options.authProvider });
    const generation = ++this.innerGeneration;
    const current = (): boolean => generation === this.innerGeneration && !this.closed;
    inner.onmessage = (m) => { if (current()) this.onInnerMessage(m); };
    inner.onerror = (e) => { if (current()) this.onInnerError(e); };
    inner.onclose = () => { if (current()) this.onInnerClosed(); };
    return inner;
  }

  private async startInner(kind: RemoteKind): Promise<void> {
    this.kind = kind;
    const inner = this.createInner(kind);
    this.inner = inner;
    if (this.protocolVersion) inner.setProtocolVersion?.(this.protocolVersion);
    this.startSignIn = undefined;
    try {
      await inner.start();
    } catch (err) {
      // A stream that never opened must not keep retrying in the background (EventSource reconnects by itself).
      if (this.inner === inner) { this.innerGeneration++; this.inner = undefined; }
      await inner.close().catch(() => undefined);
      throw this.startSignIn ?? asHttpFailure(err, this.requireSdk().httpStatusOf(err), this.triedBoth(), (t) => this.redact(t));
    }
  }

  private async replaceInner(kind: RemoteKind): Promise<void> {
    const old = this.inner;
    this.innerGeneration++; // detach the old one's events
    this.inner = undefined;
    if (old) await old.close().catch(() => undefined);
    await this.startInner(kind);
    if (this.options.serverId) this.options.memory?.set(this.options.serverId, this.launch.url, kind);
  }

  private onInnerMessage(message: JSONRPCMessage): void {
    const { isJSONRPCErrorResponse, isJSONRPCResultResponse } = this.requireSdk();
    if (isJSONRPCResultResponse(message) || isJSONRPCErrorResponse(message)) {
      const id = message.id;
      if (id !== undefined) {
        const waiter = this.internal.get(id);
        if (waiter) { this.internal.delete(id); waiter.resolve(message); return; }
        this.pending.delete(id);
      }
      if (isJSONRPCResultResponse(message) && this.initRequest && id === this.initRequest.id && this.options.serverId) {
        this.options.memory?.set(this.options.serverId, this.launch.url, this.kind);
      }
    }
    this.onmessage?.(message);
  }

  private onInnerError(error: Error): void {
    this.log('debug', `transport: ${errorMessage(error)}`);
    this.onerror?.(error);
    if (!this.initialized || !isStreamLoss(error, this.kind)) return;
    this.note('warn', `stream lost: ${errorMessage(error)}; re-initializing`);
    this.recover(errorMessage(error)).catch(() => undefined);
  }

  private onInnerClosed(): void {
    // The SDK closed underneath us (e.g. an invalid endpoint event): the connection is over.
    void this.closeWith({ code: null, signal: null, requested: false });
  }

  /** Re-establishes the session (single flight). In-flight requests are failed first: their answers are lost. */
  private recover(reason: string): Promise<void> {
    this.recovering ??= (async () => {
      this.failPending(reason);
      let lastError: unknown;
      for (let attempt = 0; attempt < this.recovery.maxAttempts; attempt++) {
        if (this.closed) throw new Error('The connection to the server is closed');
        if (attempt > 0) await delay(Math.min(this.recovery.maxDelayMs, this.recovery.baseDelayMs * 2 ** (attempt - 1)));
        try {
          await this.reinitialize();
          this.note('info', `re-initialized (attempt ${attempt + 1})`);
          return;
        } catch (err) {
          lastError = err;
          this.log('debug', `re-initialize attempt ${attempt + 1} failed: ${errorMessage(err)}`);
          if (isSignInRequired(err)) break;
        }
      }
      this.note('error', `could not re-establish the connection: ${errorMessage(lastError)}`);
      void this.closeWith({ code: null, signal: null, requested: false });
      throw lastError instanceof Error ? lastError : new Error(errorMessage(lastError));
    })().finally(() => { this.recovering = undefined; });
    return this.recovering;
  }

  private async reinitialize(): Promise<void> {
    await this.replaceInner(this.kind);
    const init = this.initRequest;
    if (!init) return;
    const { isJSONRPCErrorResponse, isJSONRPCResultResponse } = this.requireSdk();
    const id = `mcp-manager-reinit-${++this.reinitCount}`;
    const inner = this.requireInner();
    const answer = new Promise<JSONRPCMessage>((resolve, reject) => this.internal.set(id, { resolve, reject }));
    try {
      await inner.send({ ...init, id });
      const response = await withTimeout(answer, this.recovery.initializeTimeoutMs, 'initialize');
      if (isJSONRPCErrorResponse(response)) throw new Error(`initialize failed: ${response.error.message}`);
      const version = isJSONRPCResultResponse(response) ? response.result['protocolVersion'] : undefined;
      if (typeof version === 'string') this.setProtocolVersion(version);
    } finally {
      this.internal.delete(id);
    }
    await inner.send({ jsonrpc: '2.0', method: 'notifications/initialized' });
  }

  /** Fails every request still waiting for an answer with a clear ConnectionClosed error. */
  private failPending(reason: string): void {
    const { lostConnectionError } = this.requireSdk();
    const ids = [...this.pending];
    this.pending.clear();
    for (const id of ids) this.onmessage?.({ jsonrpc: '2.0', id, error: lostConnectionError(this.redact(reason)) });
  }

  private async closeWith(exit: TransportExit): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this._exit = exit;
    const inner = this.inner;
    this.innerGeneration++;
    for (const waiter of this.internal.values()) waiter.reject(new Error('closed'));
    this.internal.clear();
    if (inner) await inner.close().catch(() => undefined);
    this.onclose?.();
  }

  private note(level: LogLevel, message: string): void {
    const line = this.redact(message);
    this.tail.push(line);
    if (this.tail.length > TAIL_LINES) this.tail.shift();
    this.log(level, line);
  }

  private log(level: LogLevel, message: string): void {
    this.options.log?.(level, this.redact(message));
  }

  private redact(text: string): string { return this.options.redactor?.redact(text) ?? text; }
}

export interface RemoteTransportFactoryOptions {
  readonly memory?: TransportMemory;
  readonly recovery?: Partial<RecoveryTiming>;
  /**
   * OAuth for one server: an OAuth-aware fetch, or undefined when the server does not use OAuth. Not consulted
   * when the launch configures its own Authorization header (a configured header wins; OAuth stays out of it).
   */
  readonly oauthFetch?: (launch: RemoteLaunch, context: TransportContext) => FetchLike | undefined;
}

/** The TransportFactory for `http` and `sse` launches, to merge into the server manager's TransportFactories. */
export function remoteTransportFactory(options: RemoteTransportFactoryOptions = {}): TransportFactory {
  const memory = options.memory ?? new TransportMemory();
  return (launch, context) => {
    if (launch.type === 'stdio') throw new Error('the remote transport cannot start a stdio server');
    const fetchFn = hasAuthorizationHeader(launch.headers) ? undefined : options.oauthFetch?.(launch, context);
    return new RemoteTransport(launch, {
      fetch: fetchFn, memory, recovery: options.recovery, serverId: context.serverId, redactor: context.redactor,
      log: (level, message) => context.sink.append(level, [`[remote] ${message}`]),
    });
  };
}

export function hasAuthorizationHeader(headers: Readonly<Record<string, string>>): boolean {
  return Object.keys(headers).some((k) => k.toLowerCase() === 'authorization');
}

function isFallbackStatus(err: unknown, { httpStatusOf }: McpSdk): boolean {
  const status = httpStatusOf(err);
  return status !== undefined && FALLBACK_STATUSES.includes(status);
}

function isSessionGone(err: unknown, kind: RemoteKind, { httpStatusOf }: McpSdk): boolean {
  if (kind === 'http') return httpStatusOf(err) === 404;
  // The SDK's SSE transport says a failed POST's status only in its text.
  return err instanceof Error && /\(HTTP 404\)/.test(err.message);
}

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ENOTFOUND', 'EAI_AGAIN', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED']);

/** fetch() rejects with a TypeError ("fetch failed") whose cause carries the socket error. */
export function isNetworkError(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  const cause = (err as { cause?: unknown }).cause;
  const code = cause && typeof cause === 'object' && 'code' in cause ? String((cause).code) : undefined;
  return (err instanceof TypeError && /fetch failed|terminated/i.test(err.message)) || (code !== undefined && NETWORK_CODES.has(code));
}

/** A stream that ended abnormally (the server went away), as opposed to a graceful close the SDK resumes itself. */
function isStreamLoss(err: Error, kind: RemoteKind): boolean {
  if (kind === 'http') return /^SSE stream disconnected/.test(err.message) || /Maximum reconnection attempts/.test(err.message);
  return err.name === 'SseError' || /SSE error/i.test(err.message);
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms); });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
