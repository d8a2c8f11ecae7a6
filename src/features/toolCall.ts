import type { CallToolResult, CompleteRequest, CompleteResult, GetPromptResult, ReadResourceResult, Tool } from '@modelcontextprotocol/client';
import * as vscode from 'vscode';
import { toAbortSignal } from '../common/cancellation';
import { type CatalogView, isDestructive } from '../common/catalogTree';
import { UserCancelledError, UserFacingError } from '../common/errors';
import type { RequestCallOptions, ServerSnapshot } from '../common/model';
import type { ValidationError } from '../common/schemaForm';
import type { ServerId } from '../common/serverId';
import { cleanServerText } from '../common/serverText';
import { validateToolArguments } from './argumentValidator';

/** The server requests the catalog commands and the Call Tool form make (ServerManager implements them). */
export interface CatalogRequests {
  getCatalog(id: ServerId): CatalogView;
  callTool(id: ServerId, name: string, args?: Record<string, unknown>, options?: RequestCallOptions): Promise<CallToolResult>;
  /** Throws (ToolBlockedError) when the pinning policy would refuse calling this tool now. */
  checkToolCall?(id: ServerId, name: string): void;
  readResource(id: ServerId, uri: string, options?: RequestCallOptions): Promise<ReadResourceResult>;
  getPrompt(id: ServerId, name: string, args?: Record<string, string>, options?: RequestCallOptions): Promise<GetPromptResult>;
  complete(id: ServerId, params: CompleteRequest['params'], options?: RequestCallOptions): Promise<CompleteResult>;
}

/** Arguments that do not match the tool's input schema (checked before anything is sent). */
export class InvalidArgumentsError extends UserFacingError {
  constructor(readonly toolName: string, readonly errors: readonly ValidationError[]) {
    super(`The arguments for '${cleanServerText(toolName, 80)}' are not valid: ${errors.slice(0, 3).map((e) => `${e.path ? `${e.path.slice(1).replace(/\//g, '.')}: ` : ''}${e.message}`).join(' ')}${errors.length > 3 ? ` (and ${errors.length - 3} more)` : ''}`);
    this.name = 'InvalidArgumentsError';
  }
}

/** The tool as the server lists it now (it may have changed since a form opened), else the one we had. */
export function currentTool(requests: CatalogRequests, server: ServerSnapshot, tool: Tool): Tool {
  return requests.getCatalog(server.id).tools.find((t) => t.name === tool.name) ?? tool;
}

/**
 * Calls a tool the way every entry point does: validate against the input schema, confirm a destructive tool with a
 * modal dialog, then call with a cancellable progress notification (cancel → the request is cancelled on the server).
 * Throws UserCancelledError when the user declines or cancels, InvalidArgumentsError before sending bad arguments.
 * `onSending` runs once the call is confirmed and about to be sent.
 */
export async function invokeTool(requests: CatalogRequests, server: ServerSnapshot, tool: Tool, args: unknown, onSending?: () => void): Promise<{ result: CallToolResult; elapsedMs: number }> {
  const { errors } = await validateToolArguments(tool.inputSchema, args);
  if (errors.length) throw new InvalidArgumentsError(tool.name, errors);
  const toolName = cleanServerText(tool.title ?? tool.name, 80);
  const serverName = cleanServerText(server.name, 80);
  if (isDestructive(tool)) {
    const call = 'Call Tool';
    const answer = await vscode.window.showWarningMessage(
      `Call '${toolName}' on '${serverName}'?`,
      { modal: true, detail: 'The server marks this tool as destructive: it may delete or overwrite data. Check the arguments before you go on.' },
      call,
    );
    if (answer !== call) throw new UserCancelledError();
  }
  onSending?.();
  const started = Date.now();
  const result = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `Calling '${toolName}' on '${serverName}'`, cancellable: true },
    async (progress, token) => {
      const cancel = toAbortSignal(token);
      let last = 0;
      try {
        return await requests.callTool(server.id, tool.name, args as Record<string, unknown>, {
          signal: cancel.signal,
          onProgress: (p) => {
            const pct = p.total ? Math.min(100, (p.progress / p.total) * 100) : undefined;
            progress.report({ message: p.message ? cleanServerText(p.message, 120) : pct !== undefined ? `${Math.round(pct)} %` : undefined, increment: pct !== undefined ? Math.max(0, pct - last) : undefined });
            if (pct !== undefined) last = pct;
          },
        });
      } finally {
        cancel.dispose();
      }
    },
  );
  return { result, elapsedMs: Date.now() - started };
}
