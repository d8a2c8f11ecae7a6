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
  constructor(readonly status: number, triedBoth: boolean, detail: string) {
    const hint = status === 401 || status === 403 ? 'check its API key or token (Set Secret...), or sign in if it uses OAuth'
      : status === 404 || status === 405 ? 'check the URL'
        : status >= 500 ? 'the server had an internal error (its own logs say more)' : 'check the URL and the headers';
    const body = detail.replace(/\s+/g, ' ').trim();
    super(`The server answered HTTP ${status}${STATUS_CODES[status] ? ` ${STATUS_CODES[status]}` : ''}${triedBoth ? ' to Streamable HTTP and to SSE' : ''}: ${hint}. (${body.length > 200 ? `${body.slice(0, 199)}…` : body})`);
    this.name = 'RemoteHttpError';
  }
}

/** The SDK's StreamableHTTPError / SseError with an HTTP error status → RemoteHttpError; anything else unchanged. */
export function asHttpFailure(err: unknown, triedBoth: boolean): unknown {
  const code = (err as { code?: unknown } | undefined)?.code;
  return err instanceof Error && typeof code === 'number' && code >= 400 && code < 600 ? new RemoteHttpError(code, triedBoth, err.message) : err;
}
