/**
 * Everything the extension takes from the MCP SDK at run time (type-only imports elsewhere are free). esbuild bundles
 * it apart, as dist/sdk.js, and `loadSdk()` (./sdkLoader.ts) requires it at first use (a server start, a sign-in), so
 * activation neither parses nor evaluates it: the SDK builds hundreds of zod schemas when loaded and brings ajv.
 * Only the SDK (and ajv, the JSON Schema validator it depends on) and thin helpers over it belong here: a module of
 * ours imported here would exist twice (in both bundles, with separate state), which esbuild.mjs refuses.
 */
import { auth, type AuthResult, type OAuthClientProvider } from '@modelcontextprotocol/sdk/client/auth.js';
import { OAuthError } from '@modelcontextprotocol/sdk/server/auth/errors.js';
import { ErrorCode, McpError } from '@modelcontextprotocol/sdk/types.js';

// The tool-argument validator (src/common/argumentValidation.ts) takes ajv from here: the SDK bundles it anyway.
export { Ajv } from 'ajv';
export { Ajv2020 } from 'ajv/dist/2020';
export { auth, extractWWWAuthenticateParams } from '@modelcontextprotocol/sdk/client/auth.js';
export { checkResourceAllowed, resourceUrlFromServerUrl } from '@modelcontextprotocol/sdk/shared/auth-utils.js';
export { Client } from '@modelcontextprotocol/sdk/client/index.js';
export { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';
export { StreamableHTTPClientTransport, StreamableHTTPError } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
export { ReadBuffer, serializeMessage } from '@modelcontextprotocol/sdk/shared/stdio.js';
// RFC 6570 resource templates (src/common/uriTemplates.ts takes the class from here).
export { UriTemplate } from '@modelcontextprotocol/sdk/shared/uriTemplate.js';
export {
  ErrorCode, ListRootsRequestSchema, LoggingMessageNotificationSchema, PromptListChangedNotificationSchema,
  ResourceListChangedNotificationSchema, ToolListChangedNotificationSchema, isInitializedNotification,
  isJSONRPCErrorResponse, isJSONRPCRequest, isJSONRPCResultResponse,
} from '@modelcontextprotocol/sdk/types.js';

/** The connection went away before the answer came. */
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
