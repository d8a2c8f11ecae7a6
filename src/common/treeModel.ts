import { maskSecretArgs } from './config/secretsInArgs';
import type { CommandVerb } from './contracts';
import { type DefinitionState, changeCount, describeDiff, formatTokens } from './definitions';
import { formatSize } from './catalogDocuments';
import { formatCommandLine } from './config/startConfirmation';
import type { ServerConfig } from './config/types';
import type { PendingInput, ServerSnapshot } from './model';
import { REDACTED, type Redactor } from './redact';
import { describeSource, sourceKey } from './serverId';
import { canRestart, canSignIn, canStart, canStop } from './serverPredicates';
import { presentState } from './serverState';

/** A tree row as plain data; src/views turns it into a vscode.TreeItem. Pure, so it is unit-tested on Node. */
export interface TreeRow {
  readonly label: string;
  readonly description?: string;
  readonly icon: string;
  readonly iconColor?: string;
  readonly accessibilityLabel: string;
  readonly tooltip: string;
  /** Token list matched by regex in package.json `when` clauses, e.g. `mcpServer;stopped;canStart;`. */
  readonly contextValue: string;
  /** The command a click on the row runs (with the row's server id). */
  readonly command?: CommandVerb;
  readonly collapsible: boolean;
}

/**
 * `mcpServer;<shown state>;` then the actions that apply (serverPredicates), `pendingInput`, `definitionChanges`,
 * `sharedWithChat`, then the transport.
 */
export function serverContextValue(s: ServerSnapshot, details: Pick<ServerRowDetails, 'definitions' | 'sharedWithChat'> = {}): string {
  const { definitions } = details;
  const tokens = ['mcpServer', s.state.kind];
  if (canStart(s)) tokens.push('canStart');
  if (canStop(s)) tokens.push('canStop');
  if (canRestart(s)) tokens.push('canRestart');
  if (canSignIn(s)) tokens.push('canSignIn');
  if (s.pendingInput) tokens.push('pendingInput');
  if (definitions && changeCount(definitions.diff)) tokens.push('definitionChanges');
  if (details.sharedWithChat) tokens.push('sharedWithChat');
  if (s.transport) tokens.push(s.transport);
  return `${tokens.join(';')};`;
}

/** Extra facts for a server row that are not part of its state (from the catalog, health and definition). */
export interface ServerRowDetails {
  /** e.g. "17 tools, 3 prompts" (catalogSummary). */
  readonly summary?: string;
  /** Command line or URL, secrets already masked. */
  readonly endpoint?: string;
  readonly lastPingLatencyMs?: number;
  readonly restarts?: number;
  readonly lastExit?: string;
  readonly now?: number;
  /** Its definitions against what was approved (running, pinTools not off). */
  readonly definitions?: DefinitionState;
  /** What its tool list costs a model per request (toolsCost). */
  readonly toolCost?: { readonly bytes: number; readonly tokens: number };
  /** Its process tree's CPU and memory, formatted (stdio, while sampled). */
  readonly processUsage?: string;
  /** Offered to VS Code's chat while it runs (mcpManager.shareWithChat). */
  readonly sharedWithChat?: boolean;
}

export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${s % 60} s`;
  return `${Math.floor(m / 60)} h ${m % 60} min`;
}

function stateLines(s: ServerSnapshot, now: number): (string | undefined)[] {
  const st = s.state;
  switch (st.kind) {
    case 'running':
      return [st.pid ? `PID: ${st.pid}` : undefined, `Uptime: ${formatDuration(now - st.since)}`,
        st.serverInfo ? `Server: ${st.serverInfo.title ?? st.serverInfo.name} ${st.serverInfo.version}` : undefined,
        st.protocolVersion ? `MCP revision: ${st.protocolVersion}` : undefined];
    case 'starting': return [st.pid ? `PID: ${st.pid}` : undefined];
    case 'restarting': return [`Reason: ${st.reason}`, `Restart attempt ${st.attempt} in ${formatDuration(st.nextTryAt - now)}`];
    case 'failed': {
      const exit = st.exitCode != null ? `exit code ${st.exitCode}` : st.signal ? `signal ${st.signal}` : undefined;
      const tail = st.stderrTail?.slice(-8) ?? [];
      return [`Reason: ${st.reason}`, exit ? `Last exit: ${exit}` : undefined, tail.length ? `stderr (last lines):\n${tail.map((l) => `  ${l}`).join('\n')}` : undefined];
    }
    case 'configError': return [`Reason: ${st.reason}`];
    case 'shadowed': return [`Shadowed by: ${st.by} (a definition with the same name and higher precedence)`];
    case 'needsSignIn': return [st.reason ? `Reason: ${st.reason}` : undefined, 'Run "Sign In to Server" to connect.'];
    case 'needsTrust': return ['Restricted Mode: servers defined by this workspace start only once you trust it.'];
    case 'stopped': return [];
  }
}

/** How a server waiting on the user shows: its description word, codicon and tooltip line. */
export const WAITING_FOR_INPUT = { word: 'waiting for input', icon: 'bell-dot', color: 'problemsWarningIcon.foreground' } as const;

function pendingInputLine(input: PendingInput, now: number): string {
  const more = input.count > 1 ? ` (and ${input.count - 1} more)` : '';
  return `Waiting for your input (${input.mode === 'url' ? 'a link to open' : 'a form'}, ${formatDuration(now - input.since)}): "${input.message}"${more}`;
}

export function serverRow(s: ServerSnapshot, details: ServerRowDetails = {}): TreeRow {
  const p = presentState(s.state.kind);
  const now = details.now ?? Date.now();
  const quiet = s.state.kind === 'running' || s.state.kind === 'stopped';
  const waiting = s.pendingInput;
  const running = s.state.kind === 'running';
  const changes = details.definitions ? changeCount(details.definitions.diff) : 0;
  const description = [
    s.transport ?? 'invalid', quiet ? undefined : p.word, waiting ? WAITING_FOR_INPUT.word : undefined, running ? details.summary : undefined,
    running && changes ? `${changes} change${changes === 1 ? '' : 's'}` : undefined,
    running && details.toolCost?.tokens ? formatTokens(details.toolCost.tokens) : undefined,
  ].filter(Boolean).join(' · ');
  const tooltip = [
    `${s.name} — ${p.word}${waiting ? `, ${WAITING_FOR_INPUT.word}` : ''}`,
    waiting ? pendingInputLine(waiting, now) : undefined,
    `Source: ${describeSource(s.source)}${s.file ? ` (${s.file})` : ''}`,
    s.transport ? `Transport: ${s.transport}` : undefined,
    details.endpoint ? `${s.transport === 'stdio' ? 'Command' : 'URL'}: ${details.endpoint}` : undefined,
    ...stateLines(s, now),
    details.restarts ? `Restarts: ${details.restarts}` : undefined,
    details.lastExit && s.state.kind !== 'failed' ? `Last exit: ${details.lastExit}` : undefined,
    details.lastPingLatencyMs !== undefined ? `Last ping: ${details.lastPingLatencyMs} ms` : undefined,
    running && details.processUsage ? `Process tree: ${details.processUsage}` : undefined,
    running && details.toolCost ? `Tool definitions: ${formatTokens(details.toolCost.tokens)} (${formatSize(details.toolCost.bytes)}) in every request that offers them (estimated)` : undefined,
    running && details.definitions ? definitionsLine(details.definitions) : undefined,
    details.sharedWithChat ? `Shared with VS Code chat${running ? ': chat uses this process' : ' (offered to chat while it runs)'}` : undefined,
  ].filter(Boolean).join('\n');
  return {
    label: s.name,
    description,
    icon: waiting ? WAITING_FOR_INPUT.icon : p.icon,
    ...(waiting ? { iconColor: WAITING_FOR_INPUT.color } : p.color ? { iconColor: p.color } : {}),
    accessibilityLabel: `${s.name}, ${s.transport ?? 'invalid'} server, ${p.word}${waiting ? `, ${WAITING_FOR_INPUT.word}` : ''}`,
    tooltip,
    contextValue: serverContextValue(s, { definitions: running ? details.definitions : undefined, sharedWithChat: details.sharedWithChat }),
    ...(waiting ? { command: 'showPendingInput' as const } : {}),
    // Starting and restarting rows stay expandable (with a pending child), so an expansion survives the way to running.
    collapsible: s.state.kind === 'running' || s.state.kind === 'stopped' || s.state.kind === 'starting' || s.state.kind === 'restarting',
  };
}

function definitionsLine(d: DefinitionState): string {
  const policy = `pinTools: ${d.policy}`;
  if (!changeCount(d.diff)) return `Definitions: as you approved them (${policy})`;
  return `Definitions since you approved them: ${describeDiff(d.diff)} (${policy}). Run Review Tool Changes... to see and approve them.`;
}

/** Stable ordering: by name, then by source precedence key. */
export function sortServers(list: readonly ServerSnapshot[]): ServerSnapshot[] {
  return [...list].sort((a, b) => a.name.localeCompare(b.name) || sourceKey(a.source).localeCompare(sourceKey(b.source)));
}

/** The command line or URL of a server for tooltips: secrets masked (registered values, secret-looking args, URL credentials). */
export function describeEndpoint(config: ServerConfig | undefined, redactor: Redactor): string | undefined {
  if (!config) return undefined;
  if (config.type !== 'stdio') return redactor.redact(config.url.replace(/\/\/[^/@]*@/, `//${REDACTED}@`));
  const args = maskSecretArgs(config.args, [], REDACTED);
  return formatCommandLine({ type: 'stdio', command: config.command, args, env: {}, cwd: '' }, (s) => redactor.redact(s));
}
