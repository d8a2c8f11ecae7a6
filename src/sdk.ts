/**
 * Everything the extension takes from the MCP SDK at run time (type-only imports elsewhere are free). esbuild bundles
 * it apart, as dist/sdk.js, and `loadSdk()` (./sdkLoader.ts) requires it at first use (a server start, a sign-in), so
 * activation neither parses nor evaluates it: the SDK builds hundreds of zod schemas when loaded and brings ajv.
 * Only the SDK (and ajv, the JSON Schema validator it depends on) and thin helpers over it belong here: a module of
 * ours imported here would exist twice (in both bundles, with separate state), which esbuild.mjs refuses.
 */
import { auth, type AuthResult, type OAuthClientProvider } from '@modelcontextprotocol/sdk/client/auth.js';
import { OAuthError } from '@modelcontextprotocol/sdk/server/auth/errors.js';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { SseError } from '@modelcontextprotocol/sdk/client/sse.js';
import { StreamableHTTPError } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { RequestOptions } from '@modelcontextprotocol/sdk/shared/protocol.js';
import {
  type CallToolRequest, type CallToolResult, type ElicitRequest, ElicitRequestSchema, type ElicitResult, ErrorCode, McpError, type ListRootsRequest, type ListRootsResult,
  ListRootsRequestSchema, type LoggingMessageNotification, LoggingMessageNotificationSchema,
  type PromptListChangedNotification, PromptListChangedNotificationSchema, type ResourceListChangedNotification,
  ResourceListChangedNotificationSchema, type ToolListChangedNotification, ToolListChangedNotificationSchema,
  type ListPromptsResult, type ListResourceTemplatesResult, type ListResourcesResult, type ListToolsResult,
  type JSONRPCErrorResponse,
} from '@modelcontextprotocol/sdk/types.js';

// The tool-argument validator (src/common/argumentValidation.ts) takes ajv from here: the SDK bundles it anyway.
export { Ajv } from 'ajv';
export { Ajv2020 } from 'ajv/dist/2020';
export { auth, extractWWWAuthenticateParams } from '@modelcontextprotocol/sdk/client/auth.js';
export { checkResourceAllowed, resourceUrlFromServerUrl } from '@modelcontextprotocol/sdk/shared/auth-utils.js';
export { Client };
export { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
export { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
// deserializeMessage, one line at a time: v2's ReadBuffer skips lines that are not JSON without a word.
export { deserializeMessage, serializeMessage } from '@modelcontextprotocol/sdk/shared/stdio.js';
// RFC 6570 resource templates (src/common/uriTemplates.ts takes the class from here).
export { UriTemplate } from '@modelcontextprotocol/sdk/shared/uriTemplate.js';
export {
  isInitializedNotification, isJSONRPCErrorResponse, isJSONRPCRequest, isJSONRPCResultResponse,
} from '@modelcontextprotocol/sdk/types.js';

// ---- v1-shaped idioms, said once: the callers name methods, the SDK version's spelling of them stays here ----------

/** What the Client answers when the server asks, by method (v1 registers a handler by the request's schema). */
interface ServerRequests {
  'roots/list': [ListRootsRequest, ListRootsResult];
  'elicitation/create': [ElicitRequest, ElicitResult];
}
const REQUEST_SCHEMAS = { 'roots/list': ListRootsRequestSchema, 'elicitation/create': ElicitRequestSchema } as const;

/**
 * Answers the server's `method` requests with `handler` (the capability for it must be declared). `signal` aborts when
 * the server cancels the request or the connection closes; no answer is sent then.
 */
export function onServerRequest<M extends keyof ServerRequests>(
  client: Client, method: M,
  handler: (request: ServerRequests[M][0], extra: { readonly signal: AbortSignal }) => ServerRequests[M][1] | Promise<ServerRequests[M][1]>,
): void {
  client.setRequestHandler(REQUEST_SCHEMAS[method], handler);
}

/** The server's notifications the session listens to, by method. */
interface ServerNotifications {
  'notifications/message': LoggingMessageNotification;
  'notifications/tools/list_changed': ToolListChangedNotification;
  'notifications/resources/list_changed': ResourceListChangedNotification;
  'notifications/prompts/list_changed': PromptListChangedNotification;
}
const NOTIFICATION_SCHEMAS = {
  'notifications/message': LoggingMessageNotificationSchema,
  'notifications/tools/list_changed': ToolListChangedNotificationSchema,
  'notifications/resources/list_changed': ResourceListChangedNotificationSchema,
  'notifications/prompts/list_changed': PromptListChangedNotificationSchema,
} as const;

/** Calls `handler` with each of the server's `method` notifications (replacing an earlier handler). */
export function onServerNotification<M extends keyof ServerNotifications>(
  client: Client, method: M, handler: (notification: ServerNotifications[M]) => void | Promise<void>,
): void {
  client.setNotificationHandler(NOTIFICATION_SCHEMAS[method], handler as (n: unknown) => void | Promise<void>);
}

/** tools/call (v1's Client takes a result schema between the params and the options). */
export function callTool(client: Client, params: CallToolRequest['params'], options?: RequestOptions): Promise<CallToolResult> {
  return client.callTool(params, undefined, options) as Promise<CallToolResult>;
}

/** The lists of a catalog, by the key of their items in a page. */
export interface ListPages {
  tools: ListToolsResult;
  resources: ListResourcesResult;
  resourceTemplates: ListResourceTemplatesResult;
  prompts: ListPromptsResult;
}
const LISTERS: { [K in keyof ListPages]: (client: Client, params: { cursor?: string }, options?: RequestOptions) => Promise<ListPages[K]> } = {
  tools: (c, p, o) => c.listTools(p, o),
  resources: (c, p, o) => c.listResources(p, o),
  resourceTemplates: (c, p, o) => c.listResourceTemplates(p, o),
  prompts: (c, p, o) => c.listPrompts(p, o),
};

/**
 * One page of a list, with its `nextCursor`; never more (the caller follows the cursors and caps them). The request
 * carries `{ cursor }` as it is (undefined for the first page: no cursor on the wire). v2's `listTools()` without a
 * cursor walks every page itself (and throws after 64): not to be used for this.
 */
export function listPage<K extends keyof ListPages>(client: Client, kind: K, cursor: string | undefined, options?: RequestOptions): Promise<ListPages[K]> {
  return LISTERS[kind](client, { cursor }, options);
}

/**
 * The HTTP status of an error from the SDK's HTTP transports (Streamable HTTP's failed POST/GET/DELETE, SSE's failed
 * stream), else undefined. v1: StreamableHTTPError and SseError carry it as `code`.
 */
export function httpStatusOf(err: unknown): number | undefined {
  const status = err instanceof StreamableHTTPError || err instanceof SseError ? err.code : undefined;
  return typeof status === 'number' && status >= 100 && status < 600 ? status : undefined;
}

/**
 * The JSON-RPC error a transport answers a request with when the connection was lost before its answer came: the
 * Client rejects the request with it, and `isConnectionClosed` recognizes that. (`data` marks it as ours: a server may
 * send -32000 itself.)
 */
export function lostConnectionError(reason: string): JSONRPCErrorResponse['error'] {
  return { code: ErrorCode.ConnectionClosed, message: `Connection to the server was lost (${reason}); the request did not complete`, data: { connectionLost: true } };
}

/** The connection went away before the answer came (the SDK's own error, or `lostConnectionError`'s). */
export function isConnectionClosed(err: unknown): boolean {
  return isMcpError(err, ErrorCode.ConnectionClosed);
}

/** The SDK's request timeout fired. */
export function isRequestTimeout(err: unknown): boolean {
  return isMcpError(err, ErrorCode.RequestTimeout);
}

/**
 * The code leg of a sign-in: exchanges the callback's authorization code for tokens. v1's `auth()` ignores the
 * RFC 9207 `iss`, so the caller checks it first (issuerRejection in src/remote/oauth/pendingFlows.ts); on v2 this is
 * `auth(provider, { ...options, authorizationCode: code, iss })`.
 */
export function exchangeCode(
  provider: OAuthClientProvider,
  { code, iss: _iss, ...options }: Omit<Parameters<typeof auth>[1], 'authorizationCode'> & { readonly code: string; readonly iss?: string },
): Promise<AuthResult> {
  return auth(provider, { ...options, authorizationCode: code });
}

/** The authorization server does not accept the client (OAuth `invalid_client`: unknown client, wrong or missing secret). */
export function isInvalidClientError(err: unknown): boolean {
  return err instanceof OAuthError && err.errorCode === 'invalid_client'; // InvalidClientError, or an OAuthError with its code
}

function isMcpError(err: unknown, code: ErrorCode): err is McpError {
  return err instanceof McpError && err.code === Number(code);
}
