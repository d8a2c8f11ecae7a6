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
