import { randomBytes } from 'node:crypto';

/** A pending sign-in's callback must arrive within this time (ms). */
export const PENDING_FLOW_TTL_MS = 5 * 60_000;

/** The query of an OAuth redirect (from the URI handler, the loopback listener or a browserless fetch). */
export interface CallbackParams {
  readonly state?: string;
  readonly code?: string;
  readonly iss?: string;
  readonly error?: string;
  readonly error_description?: string;
}

export type CallbackRejection = 'noPendingFlow' | 'expired' | 'issuerMismatch' | 'missingIssuer' | 'missingCode' | 'authorizationError';

export type CallbackOutcome =
  | { readonly ok: true; readonly serverId: string }
  | { readonly ok: false; readonly reason: CallbackRejection; readonly serverId?: string; readonly message: string };

export interface FlowExpectations {
  /** The authorization server's issuer; a callback's `iss` must equal it (RFC 9207). */
  readonly issuer?: string;
  /** The server advertised `authorization_response_iss_parameter_supported`: `iss` must be present. */
  readonly issRequired?: boolean;
}

/** What an accepted callback hands to the code exchange. */
export interface AuthorizationResponse {
  readonly code: string;
  /** RFC 9207: the issuer the authorization server named in its response, when it did. */
  readonly iss?: string;
}

/** What a callback must carry by the authorization server metadata (RFC 9207; only a literal `true` advertises it). */
export function issuerExpectations(metadata: { readonly issuer: string } | undefined): FlowExpectations {
  if (!metadata) return {};
  return { issuer: metadata.issuer, issRequired: (metadata as { authorization_response_iss_parameter_supported?: unknown }).authorization_response_iss_parameter_supported === true };
}

/**
 * RFC 9207: why a callback's `iss` is refused, or undefined. A present `iss` must equal the issuer by exact string
 * comparison, advertised or not (no normalization: `issuer/` is another issuer); an advertised one must be present.
 */
export function issuerRejection(iss: string | undefined, { issuer, issRequired }: FlowExpectations): { readonly reason: CallbackRejection; readonly message: string } | undefined {
  if (iss !== undefined && issuer !== undefined && iss !== issuer) return { reason: 'issuerMismatch', message: 'the callback came from a different authorization server (iss mismatch)' };
  if (iss === undefined && issRequired) return { reason: 'missingIssuer', message: 'the callback lacks the iss parameter its authorization server promised' };
  return undefined;
}

export class CallbackRejectedError extends Error {
  constructor(readonly reason: CallbackRejection, message: string, readonly oauthError?: string) { super(message); this.name = 'CallbackRejectedError'; }
}

interface Flow {
  readonly serverId: string;
  readonly createdAt: number;
  expectations: FlowExpectations;
  resolve(response: AuthorizationResponse): void;
  reject(err: Error): void;
  timer: NodeJS.Timeout;
}

/** A started flow: its `state` goes into the authorization URL; `response` settles when the callback arrives. */
export interface PendingFlow {
  readonly state: string;
  readonly response: Promise<AuthorizationResponse>;
  /** Sets what the callback must carry (known after discovery). */
  expect(expectations: FlowExpectations): void;
  cancel(reason?: Error): void;
}

/**
 * The pending sign-ins of this window, keyed by their unguessable `state`. Every callback (URI handler, loopback,
 * browserless) goes through `handle`: a state is usable once and for at most PENDING_FLOW_TTL_MS; an unknown, replayed
 * or expired state, a mismatched or missing `iss`, or an error response is rejected. Outcomes never carry the code.
 */
export class PendingFlows {
  private readonly flows = new Map<string, Flow>();

  constructor(private readonly ttlMs = PENDING_FLOW_TTL_MS, private readonly now: () => number = Date.now) {}

  get size(): number { return this.flows.size; }

  begin(serverId: string, expectations: FlowExpectations = {}): PendingFlow {
    const state = randomBytes(32).toString('base64url');
    let flow!: Flow;
    const response = new Promise<AuthorizationResponse>((resolve, reject) => {
      const timer = setTimeout(() => {
        if (this.flows.get(state) === flow) this.flows.delete(state);
        reject(new CallbackRejectedError('expired', 'The sign-in was not completed within 5 minutes'));
      }, this.ttlMs);
      timer.unref?.();
      flow = { serverId, createdAt: this.now(), expectations, resolve, reject, timer };
    });
    response.catch(() => undefined); // the waiter handles it; no unhandled rejection if nobody waits
    this.flows.set(state, flow);
    return {
      state,
      response,
      expect: (e) => { flow.expectations = { ...flow.expectations, ...e }; },
      cancel: (reason) => this.settle(state, flow, undefined, reason ?? new Error('Sign-in cancelled')),
    };
  }

  /** Checks a callback against the pending flows and settles the matching one. */
  handle(params: CallbackParams): CallbackOutcome {
    const flow = params.state ? this.flows.get(params.state) : undefined;
    if (!flow || !params.state) return { ok: false, reason: 'noPendingFlow', message: 'no pending sign-in matches this callback (unknown or already used state)' };
    const state = params.state;
    const reject = (reason: CallbackRejection, message: string): CallbackOutcome => {
      this.settle(state, flow, undefined, new CallbackRejectedError(reason, message, params.error));
      return { ok: false, reason, serverId: flow.serverId, message };
    };
    if (this.now() - flow.createdAt > this.ttlMs) return reject('expired', 'the sign-in expired');
    const rejected = issuerRejection(params.iss, flow.expectations);
    if (rejected) return reject(rejected.reason, rejected.message);
    if (params.error) {
      return reject('authorizationError', `the authorization server answered: ${params.error}${params.error_description ? ` (${params.error_description})` : ''}`);
    }
    if (!params.code) return reject('missingCode', 'the callback carries no authorization code');
    this.settle(state, flow, { code: params.code, iss: params.iss });
    return { ok: true, serverId: flow.serverId };
  }

  /** Cancels every pending flow (dispose). */
  cancelAll(): void {
    for (const [state, flow] of [...this.flows]) this.settle(state, flow, undefined, new Error('Sign-in cancelled'));
  }

  private settle(state: string, flow: Flow, response: AuthorizationResponse | undefined, err?: Error): void {
    if (this.flows.get(state) !== flow) return;
    this.flows.delete(state);
    clearTimeout(flow.timer);
    if (response) flow.resolve(response);
    else flow.reject(err ?? new Error('Sign-in cancelled'));
  }
}

/** Parses a callback URL (or just its query) into CallbackParams. */
export function callbackParamsFromUrl(url: string): CallbackParams {
  const query = url.includes('?') ? url.slice(url.indexOf('?') + 1).split('#')[0] : url;
  const q = new URLSearchParams(query);
  const get = (k: string): string | undefined => q.get(k) ?? undefined;
  return { state: get('state'), code: get('code'), iss: get('iss'), error: get('error'), error_description: get('error_description') };
}
