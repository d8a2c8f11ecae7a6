/**
 * The MCP conformance suite's client under test, built from the extension's own remote core (RemoteTransport,
 * RemoteAuth, PendingFlows, LoopbackRedirect): `node <out>/src/remote/conformanceClient.js <server-url>`, with
 * MCP_CONFORMANCE_SCENARIO and MCP_CONFORMANCE_CONTEXT set by the suite (and, from 0.2, MCP_CONFORMANCE_PROTOCOL_VERSION:
 * the revision whose wire the scenario runs at). The browser step is a redirect-following fetch that hands the
 * callback to the same callback handling the URI handler uses. Exits 0 on success.
 */
import {
  Client, ClientCredentialsProvider, type ElicitResult, type FetchLike, type OAuthClientProvider, PrivateKeyJwtProvider,
  METHOD_NOT_FOUND, ProtocolError, type Tool, type VersionNegotiationOptions,
} from '@modelcontextprotocol/client';
import { errorMessage } from '../common/errors';
import { MODERN_REVISION, isModernRevision } from '../common/protocolRevision';
import { Redactor } from '../common/redact';
import { staticClientSecretKey } from '../common/secretKeys';
import { callTool, listPage } from '../sdk';
import { interceptTransport } from '../servers/transport';
import { RemoteTransport } from './httpTransport';
import { followAuthorization } from './oauth/browserless';
import { LoopbackRedirect } from './oauth/loopback';
import type { OAuthSettings } from './oauth/provider';
import { RemoteAuth } from './oauth/remoteAuth';
import { MemorySecretBackend } from './oauth/secretBackend';

/** The client metadata document URL the suite's CIMD scenarios expect (any HTTPS URL the test AS accepts). */
const CIMD_URL = 'https://conformance-test.local/client-metadata.json';
const SERVER_ID = 'conformance#server';

type Context = Record<string, unknown>;

/**
 * The Client's version negotiation for a run: pinned to the revision the suite names when that is a modern one (the
 * scenario is then scored on that wire only, and a fallback to `initialize` would hide a failure), else `auto`, which
 * probes with `server/discover` and falls back to the legacy handshake on a 2025-era server. MCP_MANAGER_NEGOTIATION
 * (`auto`, `legacy`, `pin`) overrides it, for a look at another mode.
 */
export function versionNegotiationFor(protocolVersion: string | undefined, override?: string): VersionNegotiationOptions {
  const modern = protocolVersion !== undefined && isModernRevision(protocolVersion);
  if (override === 'legacy') return { mode: 'legacy' };
  if (override === 'auto') return { mode: 'auto' };
  if (override === 'pin' || modern) return { mode: { pin: modern ? protocolVersion : MODERN_REVISION } };
  return { mode: 'auto' };
}

function str(ctx: Context, key: string): string | undefined {
  const v = ctx[key];
  return typeof v === 'string' ? v : undefined;
}

function log(message: string): void {
  process.stderr.write(`[conformance-client] ${message}\n`);
}

/** The tool calls a scenario's context asks for (`toolCalls: [{ name, arguments }]`), if any. */
export function toolCallsOf(ctx: Context): { name: string; arguments: Record<string, unknown> }[] | undefined {
  const calls = ctx['toolCalls'];
  if (!Array.isArray(calls)) return undefined;
  return calls.filter((c): c is { name: string; arguments?: unknown } => typeof (c as { name?: unknown } | null)?.name === 'string')
    .map((c) => ({ name: c.name, arguments: c.arguments && typeof c.arguments === 'object' ? c.arguments as Record<string, unknown> : {} }));
}

/** Arguments for a tool from its input schema: defaults, else a plain value of the property's type. */
export function argumentsFor(tool: Tool): Record<string, unknown> {
  const args: Record<string, unknown> = {};
  const props = (tool.inputSchema.properties ?? {}) as Record<string, { type?: string; default?: unknown; enum?: unknown[] }>;
  for (const [name, schema] of Object.entries(props)) {
    if (schema.default !== undefined) args[name] = schema.default;
    else if (schema.enum?.length) args[name] = schema.enum[0];
    else if (schema.type === 'number' || schema.type === 'integer') args[name] = 1;
    else if (schema.type === 'boolean') args[name] = true;
    else if (schema.type === 'string') args[name] = 'test';
  }
  return args;
}

/** An elicitation answered with the requested schema's defaults. */
export function elicitationDefaults(schema: { properties?: Record<string, unknown> } | undefined): Record<string, string | number | boolean | string[]> {
  const content: Record<string, string | number | boolean | string[]> = {};
  for (const [name, prop] of Object.entries(schema?.properties ?? {})) {
    const d = (prop as { default?: unknown }).default;
    if (typeof d === 'string' || typeof d === 'number' || typeof d === 'boolean' || (Array.isArray(d) && d.every((x) => typeof x === 'string'))) {
      content[name] = d;
    }
  }
  return content;
}

export async function runScenario(serverUrl: string, scenario: string, ctx: Context, negotiation: VersionNegotiationOptions = { mode: 'auto' }): Promise<void> {
  const redactor = new Redactor();
  const secrets = new MemorySecretBackend();
  const remoteAuth = new RemoteAuth({ secrets, redactor, log: (level, m) => log(`${level}: ${redactor.redact(m)}`), clientName: 'mcp-manager-conformance' });
  const loopback = await LoopbackRedirect.start((url) => remoteAuth.handleCallback(url));
  let fetchFn: FetchLike | undefined;
  let authProvider: OAuthClientProvider | undefined;
  try {
    if (scenario === 'auth/client-credentials-basic') {
      authProvider = new ClientCredentialsProvider({ clientId: str(ctx, 'client_id') ?? '', clientSecret: str(ctx, 'client_secret') ?? '' });
    } else if (scenario === 'auth/client-credentials-jwt') {
      authProvider = new PrivateKeyJwtProvider({
        clientId: str(ctx, 'client_id') ?? '', privateKey: str(ctx, 'private_key_pem') ?? '', algorithm: str(ctx, 'signing_algorithm') ?? 'ES256',
      });
    } else if (scenario.startsWith('auth/')) {
      let settings: OAuthSettings = { clientMetadataUrl: CIMD_URL };
      const clientId = str(ctx, 'client_id');
      if (clientId) {
        settings = { clientId };
        const secret = str(ctx, 'client_secret');
        if (secret) await secrets.store('oauthClient', staticClientSecretKey(SERVER_ID), secret);
      }
      fetchFn = remoteAuth.interactiveFetch({ serverId: SERVER_ID, serverName: 'conformance', secretId: SERVER_ID, url: serverUrl, settings, adoptLegacyBinding: false }, {
        redirectUri: loopback.redirectUri,
        // The browser step: follow the redirects; the callback goes to the same handling as the URI handler's.
        openBrowser: (authorizationUrl) => followAuthorization(authorizationUrl, loopback.redirectUri, (callbackUrl) => {
          const outcome = remoteAuth.handleCallback(callbackUrl);
          if (!outcome.ok) throw new Error(`callback rejected: ${outcome.message}`);
        }),
      });
    }

    const client = new Client({ name: 'mcp-manager', version: '0.1.0' }, {
      capabilities: { elicitation: { form: { applyDefaults: true } } }, versionNegotiation: negotiation,
    });
    client.setRequestHandler('elicitation/create', (request): ElicitResult => {
      const schema = 'requestedSchema' in request.params ? request.params.requestedSchema : undefined;
      return { action: 'accept', content: elicitationDefaults(schema) };
    });
    const transport = new RemoteTransport({ type: 'http', url: serverUrl, headers: {} }, {
      fetch: fetchFn, authProvider, redactor, log: (level, m) => log(`${level}: ${m}`),
    });
    // Connected as the extension's sessions connect: through interceptTransport (src/servers/transport.ts).
    await client.connect(interceptTransport(transport, {}));
    log(`connected (${transport.currentKind}, ${client.getNegotiatedProtocolVersion() ?? 'unknown revision'})`);
    // The catalog as the extension lists it: page by page (src/sdk.ts's listPage), each tool called with its definition.
    const tools: Tool[] = [];
    let cursor: string | undefined;
    do {
      const page = await listPage(client, 'tools', cursor);
      tools.push(...page.tools);
      cursor = page.nextCursor;
    } while (cursor && tools.length < 1_000);
    // The scenario's own calls when its context names them (http-custom-headers), else every tool with plain arguments.
    const calls = toolCallsOf(ctx) ?? tools.map((tool) => ({ name: tool.name, arguments: argumentsFor(tool) }));
    for (const call of calls) {
      try {
        const result = await callTool(client, call, undefined, tools.find((t) => t.name === call.name));
        log(`called ${call.name}${result.isError ? ' (tool error)' : ''}`);
      } catch (err) {
        // A server that lists tools but does not serve tools/call (json-schema-ref-no-deref) answered; nothing failed here.
        if (!(err instanceof ProtocolError && err.code === METHOD_NOT_FOUND)) throw err;
        log(`${call.name}: the server does not serve tools/call (${err.message})`);
      }
    }
    await client.close();
  } finally {
    await loopback.dispose();
    remoteAuth.dispose();
  }
}

async function main(): Promise<number> {
  const serverUrl = process.argv[2];
  const scenario = process.env['MCP_CONFORMANCE_SCENARIO'] ?? '';
  if (!serverUrl) { log('usage: conformanceClient <server-url>'); return 2; }
  let ctx: Context = {};
  try { ctx = JSON.parse(process.env['MCP_CONFORMANCE_CONTEXT'] ?? '{}') as Context; } catch { /* no context */ }
  try {
    const negotiation = versionNegotiationFor(process.env['MCP_CONFORMANCE_PROTOCOL_VERSION'], process.env['MCP_MANAGER_NEGOTIATION']);
    log(`scenario ${scenario || '(none)'}, negotiation ${JSON.stringify(negotiation.mode)}`);
    await runScenario(serverUrl, scenario, ctx, negotiation);
    log(`scenario ${scenario || '(none)'} done`);
    return 0;
  } catch (err) {
    log(`scenario ${scenario} failed: ${errorMessage(err)}`);
    return 1;
  }
}

if (require.main === module) {
  void main().then((code) => process.exit(code));
}
