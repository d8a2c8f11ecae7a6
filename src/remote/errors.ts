import { UserFacingError } from '../common/errors';

/**
 * A remote server needs an (interactive) sign-in that cannot happen now: no tokens, a refresh token the authorization
 * server rejected (invalid_grant), a client registration it no longer knows (invalid_client), or a request that needs
 * a scope the current token lacks (step-up). Never opens a browser; the supervisor maps it to `needsSignIn`.
 */
export class SignInRequiredError extends UserFacingError {
  constructor(readonly serverName: string, readonly reason: string, readonly scope?: string) {
    super(`Server '${serverName}' needs you to sign in: ${reason}`);
    this.name = 'SignInRequiredError';
  }
}

/** A sign-in did not finish: the callback was rejected, it expired, or the authorization server refused. */
export class SignInFailedError extends UserFacingError {
  constructor(message: string) {
    super(message);
    this.name = 'SignInFailedError';
  }
}

/** Duck-typed check that works across module copies (the bundle and the test transpile). */
export function isSignInRequired(err: unknown): err is SignInRequiredError {
  return err instanceof SignInRequiredError || (err instanceof Error && err.name === 'SignInRequiredError');
}
