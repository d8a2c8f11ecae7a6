import { createHash } from 'node:crypto';

/**
 * Stable server identity: where a server is defined plus its name. Two definitions with the same name from different
 * sources have different ids (one of them is then `shadowed`); the id survives restarts and reloads.
 *
 *   workspace:<folder>#<name>     .vscode/mcp.json of a workspace folder (folder = its name)
 *   mcpJson:<folder>#<name>       .mcp.json at a workspace folder's root (the portable format: VS Code 1.140, Claude Code)
 *   settings:workspace#<name>     mcpManager.servers in workspace settings
 *   settings:user#<name>          mcpManager.servers in user settings
 *   userMcpJson#<name>            the user profile's mcp.json
 *   copilot#<name>                the Copilot user file (`$COPILOT_HOME/mcp-config.json`, else `~/.copilot/mcp-config.json`)
 *
 * The id names a server inside one window. What a server may see across windows (its secrets, tokens, remembered
 * consent) is keyed by its OWNER instead: the user's profile, or one workspace identified by its URI (see ownerKey).
 */
export type ServerSource =
  /** `folderUri`: the folder's URI (its identity; two checkouts named `app` differ here). */
  | { readonly kind: 'workspaceMcpJson'; readonly folder: string; readonly folderUri: string }
  /** `.mcp.json` at the folder's root: owned by the folder like its .vscode/mcp.json; its values are literal (no `${…}`). */
  | { readonly kind: 'workspaceRootMcpJson'; readonly folder: string; readonly folderUri: string }
  /** `workspaceUri`: the .code-workspace file's URI, or the single folder's URI (where workspace settings live). */
  | { readonly kind: 'workspaceSettings'; readonly workspaceUri: string }
  | { readonly kind: 'userSettings' }
  | { readonly kind: 'userMcpJson' }
  /** The Copilot user file: owned by the user; its values are literal (no `${…}`). */
  | { readonly kind: 'copilotMcpConfig' };

/** Who defined a server: the user's profile, or one specific workspace / workspace folder (by URI, never by name). */
export type ServerOwner = { readonly kind: 'user' } | { readonly kind: 'workspace'; readonly uri: string };

export function ownerOf(source: ServerSource): ServerOwner {
  switch (source.kind) {
    case 'workspaceMcpJson':
    case 'workspaceRootMcpJson': return { kind: 'workspace', uri: source.folderUri };
    case 'workspaceSettings': return { kind: 'workspace', uri: source.workspaceUri };
    case 'userSettings':
    case 'userMcpJson':
    case 'copilotMcpConfig': return { kind: 'user' };
  }
}

/**
 * The owner part of every SecretStorage id and remembered consent: `user`, or `ws-<16 hex of sha256(uri)>`. Stable
 * for a folder across sessions, different for every other folder or workspace file.
 */
export function ownerKey(owner: ServerOwner): string {
  return owner.kind === 'user' ? 'user' : `ws-${createHash('sha256').update(owner.uri).digest('hex').slice(0, 16)}`;
}

/**
 * The prefix of a source's SecretStorage ids. User sources keep the pre-owner scheme (`settings:user`,
 * `userMcpJson`: their values were never shared with a workspace); workspace sources add their owner
 * (`workspace:app@ws-1a2b…`, `settings:workspace@ws-1a2b…`), so another workspace cannot reproduce the id.
 */
export function secretScope(source: ServerSource): string {
  return isWorkspaceDefined(source) ? `${sourceKey(source)}@${ownerKey(ownerOf(source))}` : sourceKey(source);
}

/** The SecretStorage id of a server's own credentials (OAuth tokens, static client secret): `<secretScope>#<name>`. */
export function credentialId(source: ServerSource, name: string): string {
  return `${secretScope(source)}#${name}`;
}

export type ServerId = string & { readonly __brand: 'ServerId' };

export function sourceKey(source: ServerSource): string {
  switch (source.kind) {
    case 'workspaceMcpJson': return `workspace:${source.folder}`;
    case 'workspaceRootMcpJson': return `mcpJson:${source.folder}`;
    case 'workspaceSettings': return 'settings:workspace';
    case 'userSettings': return 'settings:user';
    case 'userMcpJson': return 'userMcpJson';
    case 'copilotMcpConfig': return 'copilot';
  }
}

/** Where a server is defined, as the views and dialogs name it. */
export function describeSource(source: ServerSource): string {
  switch (source.kind) {
    case 'workspaceMcpJson': return `${source.folder}/.vscode/mcp.json`;
    case 'workspaceRootMcpJson': return `${source.folder}/.mcp.json`;
    case 'workspaceSettings': return 'Workspace settings (mcpManager.servers)';
    case 'userSettings': return 'User settings (mcpManager.servers)';
    case 'userMcpJson': return 'User mcp.json';
    case 'copilotMcpConfig': return 'Copilot user config (~/.copilot/mcp-config.json)';
  }
}

export function makeServerId(source: ServerSource, name: string): ServerId {
  return `${sourceKey(source)}#${name}` as ServerId;
}

/** Sources defined by the workspace: these never start in Restricted Mode. */
export function isWorkspaceDefined(source: ServerSource): boolean {
  return ownerOf(source).kind === 'workspace';
}

/** The workspace folder a source belongs to (its file is in that folder), if any. */
export function sourceFolder(source: ServerSource): string | undefined {
  return source.kind === 'workspaceMcpJson' || source.kind === 'workspaceRootMcpJson' ? source.folder : undefined;
}

/**
 * Whether `${…}` in a source's values is a variable (VS Code's format: mcp.json, settings) or literal text (the portable
 * files, `.mcp.json` and the Copilot user file, whose readers substitute nothing; VS Code's validator rejects variables
 * there). Literal sources have no inputs either: a secret in them is plaintext.
 */
export function usesVariables(source: ServerSource): boolean {
  switch (source.kind) {
    case 'workspaceMcpJson':
    case 'workspaceSettings':
    case 'userSettings':
    case 'userMcpJson': return true;
    case 'workspaceRootMcpJson':
    case 'copilotMcpConfig': return false;
  }
}
