import { createHash } from 'node:crypto';
import { isWorkspaceDefined } from '../serverId';
import type { ResolvedLaunch, ServerDefinition } from './types';

/**
 * The first-start confirmation of workspace-defined stdio servers: what needs asking, how it is shown, and the
 * fingerprint remembered once the user agreed (a hash only: never the command line itself).
 */

/** What the start gate decides before a server may start. */
export type TrustDecision = 'allowed' | 'needsTrust' | 'needsConfirmation';

export function trustDecision(def: ServerDefinition, opts: { trusted: boolean; confirmFirstStart: boolean; confirmed: (fingerprint: string) => boolean }): TrustDecision {
  if (!isWorkspaceDefined(def.source)) return 'allowed';
  if (!opts.trusted) return 'needsTrust';
  if (def.config.type !== 'stdio' || !opts.confirmFirstStart) return 'allowed';
  return opts.confirmed(confirmationFingerprint(def)) ? 'allowed' : 'needsConfirmation';
}

/**
 * Changes when the server's identity, command, args or the names (not values) of its env variables change. Computed
 * from the unresolved config, so inputs asked per start do not invalidate it.
 */
export function confirmationFingerprint(def: ServerDefinition): string {
  const c = def.config;
  const material = c.type === 'stdio'
    ? [def.id, c.type, c.command, c.args, Object.keys(c.env).sort()]
    : [def.id, c.type, c.url];
  return createHash('sha256').update(JSON.stringify(material)).digest('hex');
}

/** A shell-like command line for display: quoted where needed, each part passed through `redact`. */
export function formatCommandLine(launch: Extract<ResolvedLaunch, { type: 'stdio' }>, redact: (s: string) => string): string {
  return [launch.command, ...launch.args].map((part) => quoteArg(redact(part))).join(' ');
}

function quoteArg(s: string): string {
  if (s === '') return '""';
  return /[\s"'$`\\]/.test(s) ? `"${s.replace(/(["\\$`])/g, '\\$1')}"` : s;
}

/** Bound on remembered fingerprints (oldest dropped first). */
export const MAX_REMEMBERED_CONFIRMATIONS = 500;

export function rememberFingerprint(list: readonly string[], fingerprint: string): string[] {
  const next = [...list.filter((f) => f !== fingerprint), fingerprint];
  return next.slice(Math.max(0, next.length - MAX_REMEMBERED_CONFIRMATIONS));
}

/** What a start blocked by Restricted Mode rejects with (the server shows `needsTrust`). */
export class WorkspaceTrustRequiredError extends Error {
  constructor(readonly serverName: string) {
    super(`"${serverName}" is defined by the workspace and does not start in Restricted Mode. Trust the workspace to start it.`);
    this.name = 'WorkspaceTrustRequiredError';
  }
}
