import { UserFacingError } from '../common/errors';

/** The command of a stdio server could not be run (ENOENT / EACCES). Names the command and the PATH searched. */
export class CommandNotFoundError extends UserFacingError {
  constructor(readonly command: string, readonly code: string, readonly searchedPath: readonly string[], extra?: string) {
    super(
      code === 'EACCES'
        ? `Cannot run '${command}': permission denied (is it executable?)${extra ? `. ${extra}` : ''}`
        : `Cannot run '${command}': command not found${extra ? `. ${extra}` : ''}`,
      `PATH searched: ${searchedPath.length ? searchedPath.join(' | ') : '(empty)'}`,
    );
    this.name = 'CommandNotFoundError';
  }
}

/** Spawn + initialize did not finish within the startup timeout; the process was killed. */
export class StartupTimeoutError extends UserFacingError {
  constructor(readonly serverName: string, readonly timeoutMs: number) {
    super(`Server '${serverName}' did not finish starting within ${Math.round(timeoutMs / 100) / 10} s`);
    this.name = 'StartupTimeoutError';
  }
}

/** A start ended in `failed` (after restarts, if the policy allowed them). */
export class ServerStartError extends UserFacingError {
  constructor(readonly serverName: string, readonly reason: string) {
    super(`Server '${serverName}' failed to start: ${reason}`);
    this.name = 'ServerStartError';
  }
}

/** A request needs a running server. */
export class ServerNotRunningError extends UserFacingError {
  constructor(readonly serverName: string, readonly stateKind: string) {
    super(`Server '${serverName}' is not running (${stateKind})`);
    this.name = 'ServerNotRunningError';
  }
}

/** The connection ended (the process exited, crashed or was stopped) while a request was in flight. */
export class ServerConnectionLostError extends UserFacingError {
  constructor(
    readonly serverName: string, readonly method: string,
    readonly exitCode: number | null | undefined, readonly signal: string | null | undefined,
  ) {
    super(`Server '${serverName}' ${describeExit(exitCode, signal)} while '${method}' was in progress`);
    this.name = 'ServerConnectionLostError';
  }
}

/** A request got no answer (and no progress) within its timeout; it was cancelled on the server. */
export class RpcTimeoutError extends UserFacingError {
  constructor(readonly serverName: string, readonly method: string, readonly timeoutMs: number) {
    super(`Server '${serverName}' did not answer '${method}' within ${Math.round(timeoutMs / 100) / 10} s`);
    this.name = 'RpcTimeoutError';
  }
}

/** A request that kept reporting progress until its ceiling (MAX_TOTAL_TIMEOUT_FACTOR × its timeout): it was cancelled. */
export class RequestCeilingError extends RpcTimeoutError {
  constructor(serverName: string, method: string, readonly ceilingMs: number) {
    super(serverName, method, ceilingMs);
    this.message = `Server '${serverName}' was still working on '${method}' after ${Math.round(ceilingMs / 100) / 10} s, the most progress can extend a request's timeout to; the request was cancelled`;
    this.name = 'RequestCeilingError';
  }
}

export function describeExit(code: number | null | undefined, signal: string | null | undefined): string {
  if (signal) return `was killed by ${signal}`;
  if (code !== undefined && code !== null) return `exited with code ${code}`;
  return 'closed its connection';
}

/** A tools/call the pinning policy refused (the tool changed or is new since approved, or the user kept it blocked). */
export class ToolBlockedError extends UserFacingError {
  constructor(readonly serverId: string, readonly tool: string, reason: string) {
    super(reason);
    this.name = 'ToolBlockedError';
  }
}
