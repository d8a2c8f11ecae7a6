/**
 * The part of the MCP SDK a connection needs: the Client, the schemas of the requests and notifications it handles,
 * and the SDK's error codes. Evaluating it builds hundreds of zod schemas (tens of ms), so nothing on the activation
 * path imports it statically (type-only imports are fine): ServerHandle loads it with `import()` when a server
 * starts.
 */
import { ErrorCode, McpError } from '@modelcontextprotocol/sdk/types.js';

export { Client } from '@modelcontextprotocol/sdk/client/index.js';
export {
  ListRootsRequestSchema, LoggingMessageNotificationSchema, PromptListChangedNotificationSchema,
  ResourceListChangedNotificationSchema, ToolListChangedNotificationSchema,
} from '@modelcontextprotocol/sdk/types.js';

/** The connection went away before the answer came. */
export function isConnectionClosed(err: unknown): boolean {
  return isMcpError(err, ErrorCode.ConnectionClosed);
}

/** The SDK's request timeout fired. */
export function isRequestTimeout(err: unknown): boolean {
  return isMcpError(err, ErrorCode.RequestTimeout);
}

function isMcpError(err: unknown, code: ErrorCode): err is McpError {
  return err instanceof McpError && err.code === Number(code);
}
