import * as vscode from 'vscode';
import { COMMANDS, type CommandVerb, commandId } from '../common/contracts';
import { ServerActionError, UserCancelledError, UserFacingError, errorMessage, isSignInRequired } from '../common/errors';
import type { ServerSnapshot } from '../common/model';
import { InvalidArgumentsError } from '../features/toolCall';
import type { ComponentLogger } from '../log';
import { ServerStartError, ToolBlockedError } from '../servers/errors';
import type { Notifier } from '../vscode-adapters/notifier';

export type CommandHandler = (...args: unknown[]) => unknown;

/**
 * One handler per contracted command: a command without a handler does not compile, and a sub-table typed as
 * `Pick<CommandTable, ...>` cannot name a verb that is not in COMMANDS (src/common/contracts.ts).
 */
export type CommandTable = Record<CommandVerb, CommandHandler>;

/**
 * Runs one operation on a server. A failure becomes a ServerActionError, "Could not <what>: <reason>", whose
 * notification's "Open Log" opens that server's log. A cancellation, and arguments refused before anything was sent
 * (their message says what to fix), pass through unchanged.
 */
export async function withServer<T>(server: Pick<ServerSnapshot, 'id'>, what: string, task: () => Thenable<T>): Promise<T> {
  try {
    return await task();
  } catch (err) {
    if (err instanceof UserCancelledError || err instanceof vscode.CancellationError || err instanceof InvalidArgumentsError) throw err;
    throw new ServerActionError(`Could not ${what}: ${errorMessage(err)}`, server.id, { cause: err });
  }
}

/**
 * Registers a command with the one error-handling path: cancellation is silent; anything else is logged and shown
 * once, with an "Open Log" action (the Notifier redacts and sanitizes it). A command handler never throws into VS Code.
 */
export function registerCommand(verb: CommandVerb, handler: CommandHandler, log: ComponentLogger, notifier: Notifier): vscode.Disposable {
  const id = commandId(verb);
  return vscode.commands.registerCommand(id, async (...args: unknown[]) => {
    try {
      return await handler(...args);
    } catch (err) {
      if (err instanceof UserCancelledError || err instanceof vscode.CancellationError) return undefined;
      const message = err instanceof UserFacingError || err instanceof ServerActionError ? err.message : `${COMMANDS[verb].replace(/\.\.\.$/, '')} failed: ${errorMessage(err)}`;
      log.error(`${id}: ${errorMessage(err)}${err instanceof Error && err.stack && !(err instanceof UserFacingError) ? `\n${err.stack}` : ''}`);
      // A failed start, or a server that needs a sign-in, is shown once by notifyFailures when the server enters that state.
      const cause = err instanceof ServerActionError ? err.cause : err;
      if (cause instanceof ToolBlockedError) {
        notifier.warn(message, cause.serverId, { title: COMMANDS.reviewToolChanges.replace(/\.\.\.$/, ''), run: () => vscode.commands.executeCommand(commandId('reviewToolChanges'), cause.serverId, { tool: cause.tool }) });
      } else if (!(cause instanceof ServerStartError || isSignInRequired(cause))) {
        notifier.error(message, err instanceof ServerActionError ? err.serverId : undefined);
      }
      return undefined;
    }
  });
}
