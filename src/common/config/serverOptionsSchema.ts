import { z } from 'zod';
import { DEFAULT_MAX_RESTARTS, DEFAULT_RESTART_WINDOW_MS, RESTART_BACKOFF_BASE_MS, RESTART_BACKOFF_MAX_MS } from '../restartPolicy';
import { PROTOCOL_SETTINGS } from '../protocolRevision';
import { DEFAULT_PING_INTERVAL_MS, DEFAULT_PING_TIMEOUT_MS, DEFAULT_REQUEST_TIMEOUT_MS, DEFAULT_STARTUP_TIMEOUT_MS } from './types';

/**
 * The one schema of a `mcpManager.serverOptions` entry: `parseServerOptions` validates with it, and package.json's
 * JSON schema is generated from it (`npm run gen:settings`; test/unit/manifest.test.ts fails when they differ).
 */

/** setTimeout's limit: a longer delay fires at once. */
const MAX_TIMER_MS = 2_147_483_647;
const ms = (min: number) => z.number().int().min(min).max(MAX_TIMER_MS);

const pingSchema = z.strictObject({
  intervalMs: ms(0).optional().meta({ default: DEFAULT_PING_INTERVAL_MS, description: 'Time between pings; 0 turns the check off.' }),
  timeoutMs: ms(100).optional().meta({ default: DEFAULT_PING_TIMEOUT_MS, description: 'A ping not answered in time counts as a hang: the server is killed (and restarted by the restart policy).' }),
});

const restartSchema = z.strictObject({
  maxRestarts: z.number().int().min(0).optional().meta({ default: DEFAULT_MAX_RESTARTS, description: 'Crashes tolerated inside windowMs; one more and the server is given up on.' }),
  windowMs: ms(0).optional().meta({ default: DEFAULT_RESTART_WINDOW_MS, description: 'The crash-loop window.' }),
  backoffBaseMs: ms(0).optional().meta({ default: RESTART_BACKOFF_BASE_MS, description: 'Delay before the first restart; doubles per crash inside the window.' }),
  backoffMaxMs: ms(0).optional().meta({ default: RESTART_BACKOFF_MAX_MS, description: 'Upper bound of one restart delay.' }),
});

const oauthSchema = z.strictObject({
  clientId: z.string().optional().describe('A pre-registered OAuth client id. A confidential client\'s secret is set with MCP Manager: Set Secret... and kept in SecretStorage.'),
  scopes: z.array(z.string()).optional().describe('Scopes to ask for when the server names none (in its WWW-Authenticate challenge or resource metadata).'),
  // `format` again: a regex drops it from the JSON schema.
  clientMetadataUrl: z.url().regex(/^https:\/\//).optional().meta({ format: 'uri', description: 'An HTTPS Client ID Metadata Document you host.' }),
});

export const serverOptionsSchema = z.strictObject({
  autoStart: z.boolean().optional().describe('Start this server when the window opens (overrides mcpManager.autoStart).'),
  startupTimeoutMs: ms(1_000).optional().meta({ default: DEFAULT_STARTUP_TIMEOUT_MS, description: 'Time allowed for spawn + initialize.' }),
  requestTimeoutMs: ms(1_000).optional().meta({ default: DEFAULT_REQUEST_TIMEOUT_MS, description: 'Time allowed per request; progress notifications reset it.' }),
  ping: z.union([z.literal(false), pingSchema]).optional().describe('Ping health check; `false` turns it off.'),
  restart: z.union([z.literal(false), restartSchema]).optional().describe('Crash restart policy; `false` never restarts.'),
  oauth: oauthSchema.optional().describe('Sign-in to this http/sse server.'),
  protocol: z.enum(PROTOCOL_SETTINGS).optional().meta({
    default: 'auto',
    description: 'The MCP revision to speak: auto (2026-07-28 when the server offers it, else 2025-11-25 and earlier), or one pinned: 2025-11-25 (the initialize handshake, no probe) or 2026-07-28 (nothing else is accepted). SSE servers always speak 2025-11-25.',
  }),
  pinTools: z.enum(['off', 'warn', 'block']).optional().meta({
    default: 'warn',
    description: "What happens when the server's tools, prompts, resources or templates differ from the ones you approved (the first listing is approved as it is, except with block): warn marks them in the tree and notifies once; block also refuses to call a changed or new tool until you approve it (Review Tool Changes...); off tracks nothing.",
  }),
});

/** The JSON schema of one entry, in the draft-07 dialect VS Code's settings use (package.json's `additionalProperties`). */
export function serverOptionsJsonSchema(): Record<string, unknown> {
  const { $schema: _, ...schema } = z.toJSONSchema(serverOptionsSchema, {
    target: 'draft-7',
    io: 'input',
    // z.int()'s implied safe-integer bounds say nothing to a reader.
    override: ({ jsonSchema: s }) => {
      if (s.maximum === Number.MAX_SAFE_INTEGER) delete s.maximum;
    },
  });
  return schema;
}
