import type { ServerSnapshot } from './model';
import { sourceKey, type ServerSource } from './serverId';
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
  readonly collapsible: boolean;
}

export function describeSource(source: ServerSource): string {
  switch (source.kind) {
    case 'workspaceMcpJson': return `${source.folder}/.vscode/mcp.json`;
    case 'workspaceSettings': return 'Workspace settings (mcpManager.servers)';
    case 'userSettings': return 'User settings (mcpManager.servers)';
    case 'userMcpJson': return 'User mcp.json';
  }
}

export function serverContextValue(s: ServerSnapshot): string {
  const tokens = ['mcpServer', s.state.kind];
  const k = s.state.kind;
  if (k === 'stopped' || k === 'failed' || k === 'needsSignIn') tokens.push('canStart');
  if (k === 'starting' || k === 'running' || k === 'restarting') tokens.push('canStop');
  if (k === 'running' || k === 'failed') tokens.push('canRestart');
  if (s.transport) tokens.push(s.transport);
  return `${tokens.join(';')};`;
}

export function serverRow(s: ServerSnapshot): TreeRow {
  const p = presentState(s.state.kind);
  const quiet = s.state.kind === 'running' || s.state.kind === 'stopped';
  const description = [s.transport ?? 'invalid', quiet ? undefined : p.word].filter(Boolean).join(' · ');
  const tooltip = [
    `${s.name} — ${p.word}`,
    `Source: ${describeSource(s.source)}${s.file ? ` (${s.file})` : ''}`,
    s.transport ? `Transport: ${s.transport}` : undefined,
    s.state.kind === 'failed' || s.state.kind === 'configError' ? `Reason: ${s.state.reason}` : undefined,
    s.state.kind === 'shadowed' ? `Shadowed by: ${s.state.by}` : undefined,
  ].filter(Boolean).join('\n');
  return {
    label: s.name,
    description,
    icon: p.icon,
    ...(p.color ? { iconColor: p.color } : {}),
    accessibilityLabel: `${s.name}, ${s.transport ?? 'invalid'} server, ${p.word}`,
    tooltip,
    contextValue: serverContextValue(s),
    collapsible: s.state.kind === 'running' || s.state.kind === 'stopped',
  };
}

/** Stable ordering: by name, then by source precedence key. */
export function sortServers(list: readonly ServerSnapshot[]): ServerSnapshot[] {
  return [...list].sort((a, b) => a.name.localeCompare(b.name) || sourceKey(a.source).localeCompare(sourceKey(b.source)));
}
