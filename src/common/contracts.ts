/**
 * The extension's public contracts: identity, views, commands, settings. Every later feature builds against these
 * names; package.json must agree with them (checked by test/unit/manifest.test.ts).
 */

export const PUBLISHER = 'mcpkit';
export const EXTENSION_NAME = 'mcp-manager';
export const EXTENSION_ID = `${PUBLISHER}.${EXTENSION_NAME}`;
/** Path of the OAuth redirect on the extension's URI-handler authority (`<uriScheme>://mcpkit.mcp-manager/oauth/callback`). */
export const OAUTH_CALLBACK_PATH = '/oauth/callback';

export const VIEW_CONTAINER_ID = 'mcpManager';
export const SERVERS_VIEW_ID = 'mcpManager.servers';
export const COMMAND_CATEGORY = 'MCP Manager';
export const EXTENSION_LOG_NAME = 'MCP Manager';
/** One log channel per server: `MCP Manager: <name>`. */
export const serverLogName = (serverName: string): string => `${EXTENSION_LOG_NAME}: ${serverName}`;

/** Every command of the product, with its one title (palette and tree menus alike). */
export const COMMANDS = {
  addServer: 'Add Server...',
  openConfiguration: 'Open Configuration',
  importServers: 'Import Servers...',
  exportServer: 'Export Server...',
  startServer: 'Start Server',
  stopServer: 'Stop Server',
  restartServer: 'Restart Server',
  showServerLog: 'Show Server Log',
  showExtensionLog: 'Show Extension Log',
  callTool: 'Call Tool...',
  readResource: 'Read Resource...',
  readResourceTemplate: 'Read Resource Template...',
  getPrompt: 'Get Prompt...',
  signIn: 'Sign In to Server',
  signOut: 'Sign Out of Server',
  setSecret: 'Set Secret...',
  clearSecrets: 'Clear Secrets...',
  moveSecrets: 'Move Secrets to SecretStorage...',
  clearAllData: 'Clear All Stored Data...',
  refresh: 'Refresh',
  copyToolSchema: 'Copy Tool Schema',
  copyResourceUri: 'Copy Resource URI',
  showPendingInput: 'Show Pending Input',
  reviewToolChanges: 'Review Tool Changes...',
  approveToolChanges: 'Approve Tool Changes',
  keepToolBlocked: 'Keep Tool Blocked',
  shareWithChat: 'Share with VS Code Chat',
  stopSharingWithChat: 'Stop Sharing with VS Code Chat',
} as const;

export type CommandVerb = keyof typeof COMMANDS;
export type CommandId = `mcpManager.${CommandVerb}`;
export const commandId = (verb: CommandVerb): CommandId => `mcpManager.${verb}`;

/** The MCP server definition provider through which shared servers reach VS Code's chat (package.json `mcpServerDefinitionProviders`). */
export const CHAT_PROVIDER_ID = 'mcpManager.sharedServers';

/** Setting keys (without the `mcpManager.` section prefix where noted). */
export const SETTINGS_SECTION = 'mcpManager';
export const SETTINGS = {
  servers: 'servers',
  inputs: 'inputs',
  serverOptions: 'serverOptions',
  autoStart: 'autoStart',
  startOnExpand: 'startOnExpand',
  confirmFirstStart: 'confirmFirstStart',
  trace: 'trace',
  oauthRedirect: 'oauth.redirect',
  shareWithChat: 'shareWithChat',
} as const;
export type SettingKey = (typeof SETTINGS)[keyof typeof SETTINGS];
export const settingId = (key: SettingKey): string => `${SETTINGS_SECTION}.${key}`;

export type AutoStart = 'never' | 'onStartup';
export type TraceLevel = 'off' | 'messages' | 'verbose';
export type OAuthRedirectMode = 'auto' | 'uriHandler' | 'loopback';

/** Context keys the extension sets for `when` clauses (serverCount: the number of configured servers; no manifest clause reads it yet). */
export const CONTEXT_KEYS = {
  serverCount: 'mcpManager.serverCount',
  /** Whether this editor lets extensions give its chat MCP servers (the Share with VS Code Chat menu items). */
  chatApi: 'mcpManager.chatApi',
} as const;
