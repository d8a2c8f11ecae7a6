/** Typed errors the command layer maps to friendly, sanitized messages. Never compare error text. */
export class UserCancelledError extends Error {
  constructor() { super('Cancelled'); this.name = 'UserCancelledError'; }
}

/** An error whose message is already safe and meant for the user (no secrets, no server-controlled markup). */
export class UserFacingError extends Error {
  constructor(message: string, readonly detail?: string) { super(message); this.name = 'UserFacingError'; }
}

export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  return typeof err === 'string' ? err : JSON.stringify(err) ?? String(err);
}

/** A failure of one server's operation: the notification's "Open Log" opens that server's log. */
export class ServerActionError extends Error {
  constructor(message: string, readonly serverId: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ServerActionError';
  }
}

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

/** Duck-typed check that works across module copies (the bundle and the test transpile). */
export function isSignInRequired(err: unknown): err is SignInRequiredError {
  return err instanceof SignInRequiredError || (err instanceof Error && err.name === 'SignInRequiredError');
}
