import { STATUS_CODES } from 'node:http';
import { UserFacingError } from '../common/errors';

export { SignInRequiredError, isSignInRequired } from '../common/errors';

/** A sign-in did not finish: the callback was rejected, it expired, or the authorization server refused. */
export class SignInFailedError extends UserFacingError {
  constructor(message: string) {
    super(message);
    this.name = 'SignInFailedError';
  }
}

/**
 * An HTTP error status while connecting, said plainly with what to check. (The SDK's own message carries the response
 * body — often an HTML error page — rather than the status.)
 */
export class RemoteHttpError extends UserFacingError {
  /** `detail` (the response body) must be redacted already: it is cut here, and a cut secret no longer matches. */
  constructor(readonly status: number, triedBoth: boolean, detail: string) {
    const hint = status === 401 || status === 403 ? 'check its API key or token (Set Secret...), or sign in if it uses OAuth'
      : status === 404 || status === 405 ? 'check the URL'
        : status >= 500 ? 'the server had an internal error (its own logs say more)' : 'check the URL and the headers';
    const body = detail.replace(/\s+/g, ' ').trim();
    super(`The server answered HTTP ${status}${STATUS_CODES[status] ? ` ${STATUS_CODES[status]}` : ''}${triedBoth ? ' to Streamable HTTP and to SSE' : ''}: ${hint}. (${body.length > 200 ? `${body.slice(0, 199)}…` : body})`);
    this.name = 'RemoteHttpError';
  }
}

/** The server could not be reached at all (refused, unknown host, reset, TLS): fetch's own "fetch failed" says nothing. */
export class RemoteUnreachableError extends UserFacingError {
  constructor(cause: { code?: string; message?: string }) {
    const why = cause.code === 'ECONNREFUSED' ? 'nothing is listening there; is the server running?'
      : cause.code === 'ENOTFOUND' || cause.code === 'EAI_AGAIN' ? 'the host name does not resolve; check the URL'
        : cause.code?.startsWith('ERR_TLS') || cause.code?.includes('CERT') ? 'the TLS handshake failed; check the certificate (VS Code\'s http.systemCertificates)'
          : 'check the URL, the network and the proxy settings';
    super(`Could not reach the server: ${why} (${cause.message ?? cause.code ?? 'network error'})`);
    this.name = 'RemoteUnreachableError';
  }
}

/**
 * What a failed connect attempt means, said plainly: an HTTP error status (`status`: the SDK's `httpStatusOf(err)`)
 * → RemoteHttpError; fetch's "fetch failed" → RemoteUnreachableError with its cause; anything else unchanged. The
 * server's text (body, cause) is passed through `redact` before it is cut.
 */
export function asHttpFailure(err: unknown, status: number | undefined, triedBoth: boolean, redact: (text: string) => string): unknown {
  if (err instanceof Error && status !== undefined && status >= 400 && status < 600) return new RemoteHttpError(status, triedBoth, redact(err.message));
  const cause = err instanceof TypeError && err.message === 'fetch failed' ? (err as { cause?: { code?: string; message?: string } }).cause : undefined;
  if (cause && typeof cause === 'object') return new RemoteUnreachableError({ code: cause.code, message: cause.message && redact(cause.message) });
  return err;
}
