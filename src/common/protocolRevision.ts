/**
 * Which MCP revision a server's connection speaks: the `protocol` server option, and the SDK's version negotiation it
 * becomes. Pure: no VS Code, no SDK values.
 *
 * - 2025-11-25 (and earlier): the `initialize` handshake, sessions, server→client requests.
 * - 2026-07-28: no `initialize` (`server/discover`), per-request `_meta`, `input_required` results instead of
 *   server→client requests, `subscriptions/listen`.
 */

/** The values of `mcpManager.serverOptions.<name>.protocol`. */
export const PROTOCOL_SETTINGS = ['auto', '2025-11-25', '2026-07-28'] as const;
export type ProtocolSetting = (typeof PROTOCOL_SETTINGS)[number];

/** The first revision of the 2026-07-28 era (no `initialize`, per-request `_meta`). */
export const MODERN_REVISION = '2026-07-28';

/** A revision of the 2026-07-28 era or later (revisions are dates: later ones sort after it). */
export function isModernRevision(version: string): boolean {
  return version >= MODERN_REVISION;
}

/** The SDK Client's `versionNegotiation.mode`. */
export type NegotiationMode = 'legacy' | 'auto' | { readonly pin: string };

/**
 * The negotiation a connection uses. SSE is a 2025-11-25 transport (the 2026-07-28 revision has none); `auto` probes
 * with `server/discover` and falls back to `initialize`; a pinned 2026-07-28 accepts nothing else.
 */
export function negotiationFor(setting: ProtocolSetting | undefined, transport: 'stdio' | 'http' | 'sse'): NegotiationMode {
  if (transport === 'sse') return 'legacy';
  switch (setting ?? 'auto') {
    case 'auto': return 'auto';
    case '2025-11-25': return 'legacy';
    case '2026-07-28': return { pin: MODERN_REVISION };
  }
}

/** What one start learnt about a server's era, for the next attempt (a crash restart) to skip the probe. */
export type EraVerdict = { readonly kind: 'legacy' } | { readonly kind: 'modern'; readonly discover: unknown };

/**
 * The verdict to use after an attempt ended. A success keeps what it negotiated. A failed probing attempt tries the
 * `initialize` handshake next (servers built on SDKs that exit on any request before `initialize` die of the probe);
 * a failed attempt that used a verdict probes again (the server may have been upgraded or downgraded).
 */
export function nextVerdict(used: EraVerdict | undefined, outcome: { readonly ok: true; readonly verdict: EraVerdict } | { readonly ok: false }): EraVerdict | undefined {
  if (outcome.ok) return outcome.verdict;
  return used ? undefined : { kind: 'legacy' };
}
