/**
 * Everything the extension takes from the MCP SDK at run time (type-only imports elsewhere are free). esbuild bundles
 * it apart, as dist/sdk.js, and `loadSdk()` (./sdkLoader.ts) requires it at first use (a server start, a sign-in), so
 * activation neither parses nor evaluates it: the SDK builds hundreds of zod schemas when loaded and brings ajv.
 * Only the SDK (and ajv, the JSON Schema validator it depends on) and thin helpers over it belong here: a module of
 * ours imported here would exist twice (in both bundles, with separate state), which esbuild.mjs refuses.
 */
import {
  auth, type AuthResult, type CallToolRequest, type CallToolResult, Client, type HandlerResultTypeMap,
  type JSONRPCErrorResponse, type ListPromptsResult, type ListResourceTemplatesResult, type ListResourcesResult,
  type ListToolsResult, type LoggingMessageNotification, type OAuthClientProvider, OAuthError,
  type PromptListChangedNotification, ProtocolError, type RequestOptions, type RequestTypeMap,
  type ResourceListChangedNotification, SdkError, SdkErrorCode, SdkHttpError, SseError, type Tool,
  type ToolListChangedNotification,
} from '@modelcontextprotocol/client';

// The tool-argument validator (src/common/argumentValidation.ts) takes ajv from here: the SDK bundles it anyway.
export { Ajv } from 'ajv';
export { Ajv2020 } from 'ajv/dist/2020';
export {
  checkResourceAllowed, Client, computeScopeUnion, extractWWWAuthenticateParams, resourceUrlFromServerUrl, SSEClientTransport,
  StreamableHTTPClientTransport,
  // deserializeMessage, one line at a time: the SDK's ReadBuffer skips lines that are not JSON without a word.
  deserializeMessage, serializeMessage,
  // RFC 6570 resource templates (src/common/uriTemplates.ts takes the class from here).
  UriTemplate,
  isInitializedNotification, isJSONRPCErrorResponse, isJSONRPCRequest, isJSONRPCResultResponse,
} from '@modelcontextprotocol/client';

// ---- the SDK's idioms, said once: the callers name methods, the SDK version's spelling of them stays here ----------

/** What the Client answers when the server asks, by method. */
type ServerRequestMethod = 'roots/list' | 'elicitation/create';

/**
 * Answers the server's `method` requests with `handler` (the capability for it must be declared). `signal` aborts when
 * the server cancels the request or the connection closes; no answer is sent then.
 */
export function onServerRequest<M extends ServerRequestMethod>(
  client: Client, method: M,
  handler: (request: RequestTypeMap[M], extra: { readonly signal: AbortSignal }) => HandlerResultTypeMap[M] | Promise<HandlerResultTypeMap[M]>,
): void {
  client.setRequestHandler(method, (request, ctx) => handler(request, { signal: ctx.mcpReq.signal }));
}

/** The server's notifications the session listens to, by method. */
interface ServerNotifications {
  'notifications/message': LoggingMessageNotification;
  'notifications/tools/list_changed': ToolListChangedNotification;
  'notifications/resources/list_changed': ResourceListChangedNotification;
  'notifications/prompts/list_changed': PromptListChangedNotification;
}

/** Calls `handler` with each of the server's `method` notifications (replacing an earlier handler). */
export function onServerNotification<M extends keyof ServerNotifications>(
  client: Client, method: M, handler: (notification: ServerNotifications[M]) => void | Promise<void>,
): void {
  client.setNotificationHandler(method, handler as (n: unknown) => void | Promise<void>);
}

/**
 * tools/call. `tool` is the tool as the catalog listed it, when it did: the Client validates the result's structured
 * content against its output schema (and, on the 2026-07-28 era, mirrors its `x-mcp-header` arguments) from it. The
 * catalog is listed page by page (listPage), so the Client's own aggregated `tools/list` cache stays empty.
 */
export function callTool(client: Client, params: CallToolRequest['params'], options?: RequestOptions, tool?: Tool): Promise<CallToolResult> {
  return client.callTool(params, tool ? { ...options, toolDefinition: tool } : options);
}

/** The lists of a catalog, by the key of their items in a page. */
export interface ListPages {
  tools: ListToolsResult;
  resources: ListResourcesResult;
  resourceTemplates: ListResourceTemplatesResult;
  prompts: ListPromptsResult;
}
const LIST_METHODS = {
  tools: 'tools/list', resources: 'resources/list', resourceTemplates: 'resources/templates/list', prompts: 'prompts/list',
} as const;

/**
 * One page of a list, with its `nextCursor`; never more (the caller follows the cursors and caps them). The first page
 * carries no cursor on the wire. Not the Client's `listTools()` and siblings: without a cursor they walk every page
 * themselves (and throw after 64).
 */
export async function listPage<K extends keyof ListPages>(client: Client, kind: K, cursor: string | undefined, options?: RequestOptions): Promise<ListPages[K]> {
  const page = await client.request({ method: LIST_METHODS[kind], params: cursor === undefined ? {} : { cursor } }, options) as ListPages[K];
  // SEP-2243 (2026-07-28 over HTTP): a tool whose x-mcp-header declarations are invalid is left out, as the Client's
  // listTools() does to the lists it walks itself (its own check, internal to it; ~2.4 is pinned, and the conformance
  // scenario http-invalid-tool-headers fails without it).
  if (kind === 'tools') (client as unknown as { _excludeInvalidXMcpHeaderTools?(page: ListToolsResult): void })._excludeInvalidXMcpHeaderTools?.(page as ListToolsResult);
  return page;
}

/**
 * The HTTP status of an error from the SDK's HTTP transports (Streamable HTTP's failed POST/GET/DELETE, SSE's failed
 * stream), else undefined.
 */
export function httpStatusOf(err: unknown): number | undefined {
  const status = err instanceof SdkHttpError ? err.status : err instanceof SseError ? err.code : undefined;
  return typeof status === 'number' && status >= 100 && status < 600 ? status : undefined;
}

/** JSON-RPC's "server error" code, which `lostConnectionError` answers with (marked as ours by its data). */
const CONNECTION_LOST_CODE = -32000;

/**
 * The JSON-RPC error a transport answers a request with when the connection was lost before its answer came: the
 * Client rejects the request with it, and `isConnectionClosed` recognizes that. (`data` marks it as ours: a server may
 * send -32000 itself.)
 */
export function lostConnectionError(reason: string): JSONRPCErrorResponse['error'] {
  return { code: CONNECTION_LOST_CODE, message: `Connection to the server was lost (${reason}); the request did not complete`, data: { connectionLost: true } };
}

/** The connection went away before the answer came (the SDK's own error, or `lostConnectionError`'s). */
export function isConnectionClosed(err: unknown): boolean {
  return (err instanceof SdkError && err.code === SdkErrorCode.ConnectionClosed)
    || (err instanceof ProtocolError && err.code === CONNECTION_LOST_CODE && (err.data as { connectionLost?: unknown } | undefined)?.connectionLost === true);
}

/** What made the SDK's version probe fail (its cause: what the transport threw), else `err` itself. */
export function probeFailureCause(err: unknown): unknown {
  return err instanceof SdkError && err.code === SdkErrorCode.EraNegotiationFailed && err.cause instanceof Error ? err.cause : err;
}

/** The SDK's request timeout fired. */
export function isRequestTimeout(err: unknown): boolean {
  return err instanceof SdkError && err.code === SdkErrorCode.RequestTimeout;
}

/**
 * The SDK's `auth()` (discovery, registration, refresh, the redirect), with our own check of the authorization server's
 * metadata (checkAuthorizationServer in src/remote/oauth/provider.ts, run when the provider saves the discovery state)
 * in place of the SDK's RFC 8414 §3.3 issuer echo: ours holds the same rule for a server with protected-resource
 * metadata, also admits a 2025-03-26 server that is its own authorization server under an issuer path on its origin,
 * and its refusal names the server and sends nothing. The issuer it admits is the one RFC 9207 `iss` is checked with.
 */
export function authorize(provider: OAuthClientProvider, options: Omit<Parameters<typeof auth>[1], 'skipIssuerMetadataValidation'>): Promise<AuthResult> {
  return auth(provider, { ...options, skipIssuerMetadataValidation: true });
}

/**
 * The code leg of a sign-in: exchanges the callback's authorization code for tokens. The SDK checks the RFC 9207
 * `iss` against the issuer it recorded at discovery; the caller has checked it against the metadata too
 * (issuerRejection in src/remote/oauth/pendingFlows.ts), before anything was sent.
 */
export function exchangeCode(
  provider: OAuthClientProvider,
  { code, iss, ...options }: Omit<Parameters<typeof authorize>[1], 'authorizationCode' | 'iss'> & { readonly code: string; readonly iss?: string },
): Promise<AuthResult> {
  return authorize(provider, { ...options, authorizationCode: code, ...(iss === undefined ? {} : { iss }) });
}

/** The authorization server does not accept the client (OAuth `invalid_client`: unknown client, wrong or missing secret). */
export function isInvalidClientError(err: unknown): boolean {
  return err instanceof OAuthError && String(err.code) === 'invalid_client';
}

