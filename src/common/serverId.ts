/**
 * Stable server identity: where a server is defined plus its name. Two definitions with the same name from different
 * sources have different ids (one of them is then `shadowed`); the id survives restarts and reloads.
 *
 *   workspace:<folder>#<name>     .vscode/mcp.json of a workspace folder (folder = its name)
 *   settings:workspace#<name>     mcpManager.servers in workspace settings
 *   settings:user#<name>          mcpManager.servers in user settings
 *   userMcpJson#<name>            the user profile's mcp.json
 */
export type ServerSource =
  | { readonly kind: 'workspaceMcpJson'; readonly folder: string }
  | { readonly kind: 'workspaceSettings' }
  | { readonly kind: 'userSettings' }
  | { readonly kind: 'userMcpJson' };

export type ServerId = string & { readonly __brand: 'ServerId' };

export function sourceKey(source: ServerSource): string {
  switch (source.kind) {
    case 'workspaceMcpJson': return `workspace:${source.folder}`;
    case 'workspaceSettings': return 'settings:workspace';
    case 'userSettings': return 'settings:user';
    case 'userMcpJson': return 'userMcpJson';
  }
}

/** Where a server is defined, as the views and dialogs name it. */
export function describeSource(source: ServerSource): string {
  switch (source.kind) {
    case 'workspaceMcpJson': return `${source.folder}/.vscode/mcp.json`;
    case 'workspaceSettings': return 'Workspace settings (mcpManager.servers)';
    case 'userSettings': return 'User settings (mcpManager.servers)';
    case 'userMcpJson': return 'User mcp.json';
  }
}

export function makeServerId(source: ServerSource, name: string): ServerId {
  return `${sourceKey(source)}#${name}` as ServerId;
}

export function parseServerId(id: string): { source: ServerSource; name: string } | undefined {
  const hash = id.indexOf('#');
  if (hash <= 0 || hash === id.length - 1) return undefined;
  const key = id.slice(0, hash);
  const name = id.slice(hash + 1);
  if (key === 'settings:workspace') return { source: { kind: 'workspaceSettings' }, name };
  if (key === 'settings:user') return { source: { kind: 'userSettings' }, name };
  if (key === 'userMcpJson') return { source: { kind: 'userMcpJson' }, name };
  if (key.startsWith('workspace:') && key.length > 'workspace:'.length) {
    return { source: { kind: 'workspaceMcpJson', folder: key.slice('workspace:'.length) }, name };
  }
  return undefined;
}

/** Sources defined by the workspace: these never start in Restricted Mode. */
export function isWorkspaceDefined(source: ServerSource): boolean {
  return source.kind === 'workspaceMcpJson' || source.kind === 'workspaceSettings';
}
