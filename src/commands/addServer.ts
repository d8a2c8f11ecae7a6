import * as vscode from 'vscode';
import { checkServerName, checkServerUrl, checkVariableName, splitCommandLine, suggestServerName } from '../common/config/addServer';
import { prepareImport, uniqueName } from '../common/config/importers';
import { inputSecretId } from '../common/config/parse';
import { findSecretsInArgs } from '../common/config/secretsInArgs';
import type { ServerConfig } from '../common/config/types';
import { commandId } from '../common/contracts';
import { UserCancelledError } from '../common/errors';
import { looksLikeSecretName } from '../common/redact';
import { makeServerId } from '../common/serverId';
import { safeNotificationText } from '../common/sanitize';
import { type ConfigCommandDeps, pickTarget, readTargetNames, writeTarget } from './configCommands';

const TITLE = 'Add MCP Server';

/** Every prompt of the flow: Escape anywhere cancels and nothing is written. */
async function ask<T>(value: Thenable<T | undefined>): Promise<T> {
  const v = await value;
  if (v === undefined) throw new UserCancelledError();
  return v;
}

/**
 * Add Server...: a guided flow — a command line or a URL, environment variables or an API key header (secret values go
 * to SecretStorage behind `${input:…}` password inputs), where to define it, and a name — written in VS Code's format
 * with comment-preserving edits. Nothing is written until the last answer.
 */
export async function addServer(deps: ConfigCommandDeps): Promise<void> {
  const kind = (await ask(vscode.window.showQuickPick([
    { label: '$(terminal) Command (stdio)', detail: 'Run a local program that speaks MCP on stdin/stdout: npx, uvx, docker, node, python…', transport: 'stdio' as const },
    { label: '$(globe) HTTP', detail: 'Connect to a remote server over Streamable HTTP (falls back to SSE for older servers)', transport: 'http' as const },
    { label: '$(radio-tower) Server-Sent Events (legacy)', detail: 'Only for servers that speak the 2024-11-05 HTTP+SSE transport', transport: 'sse' as const },
  ], { title: `${TITLE}: Type`, placeHolder: 'How does MCP Manager reach the server?', ignoreFocusOut: true }))).transport;

  const secretKeys: string[] = [];
  let config: ServerConfig;
  if (kind === 'stdio') {
    const line = await ask(vscode.window.showInputBox({
      title: `${TITLE}: Command`, ignoreFocusOut: true,
      prompt: 'The command line that starts the server. Quote arguments that contain spaces.',
      placeHolder: 'npx -y @modelcontextprotocol/server-everything',
      validateInput: (text) => {
        const r = splitCommandLine(text);
        if (typeof r === 'string') return text.trim() ? r : undefined;
        const found = findSecretsInArgs(r.args, []);
        return found.length
          ? { message: `Argument ${found[0].index + 1} ${found[0].reason}; pass it as a secret environment variable in the next step instead.`, severity: vscode.InputBoxValidationSeverity.Warning }
          : undefined;
      },
    }));
    const parsed = splitCommandLine(line);
    if (typeof parsed === 'string') throw new UserCancelledError();
    config = { type: 'stdio', command: parsed.command, args: parsed.args, env: await askVariables(secretKeys) };
  } else {
    const url = (await ask(vscode.window.showInputBox({
      title: `${TITLE}: URL`, ignoreFocusOut: true, prompt: 'The URL of the MCP endpoint.', placeHolder: 'https://example.com/mcp',
      validateInput: (text) => (text.trim() ? checkServerUrl(text) : undefined),
    }))).trim();
    if (checkServerUrl(url)) throw new UserCancelledError();
    config = { type: kind, url, headers: await askAuthHeader(secretKeys) };
  }

  const target = await pickTarget(deps.globalStorageUri, `${TITLE}: Location`, 'Where should the server be defined?');
  const existing = await readTargetNames(target);
  const name = await ask(vscode.window.showInputBox({
    title: `${TITLE}: Name`, ignoreFocusOut: true, value: uniqueName(suggestServerName(config), new Set(existing.names)), prompt: `The name shown in the Servers view and used in ${target.label}.`,
    validateInput: (text) => checkServerName(text, existing.names),
  }));

  const prepared = prepareImport([{ name, config, from: TITLE, secretKeys }], existing.names, existing.inputIds);
  // Secrets first: if SecretStorage fails, nothing is written and no reference dangles.
  for (const s of prepared.secrets) await deps.secrets.store('input', inputSecretId(target.source, s.inputId), s.value);
  await writeTarget(target, prepared);
  for (const note of prepared.notes) deps.log.info(`add server: ${note}`);
  deps.log.info(`add server: "${name}" (${config.type}) written to ${target.label}; ${prepared.secrets.length} secret(s) in SecretStorage`);
  await deps.config.service.reload();
  const start = 'Start Server';
  const choice = await vscode.window.showInformationMessage(safeNotificationText(`Added "${name}" to ${target.label}.`), start);
  if (choice === start) await vscode.commands.executeCommand(commandId('startServer'), makeServerId(target.source, name));
}

/** Environment variables, one at a time until the name is left empty; each is a secret or a plain value. */
async function askVariables(secretKeys: string[]): Promise<Record<string, string>> {
  const vars: Record<string, string> = {};
  for (;;) {
    const added = Object.keys(vars);
    const name = (await ask(vscode.window.showInputBox({
      title: `${TITLE}: Environment`, ignoreFocusOut: true,
      prompt: `${added.length ? `Set so far: ${added.join(', ')}. ` : ''}Name of an environment variable for the server, or leave empty to continue.`,
      placeHolder: 'API_KEY (leave empty to continue)',
      validateInput: (text) => (text.trim() ? checkVariableName(text.trim(), 'env') ?? (added.includes(text.trim()) ? `${text.trim()} is already set.` : undefined) : undefined),
    }))).trim();
    if (!name) return vars;
    const secretItem = { label: '$(key) Secret', detail: 'Stored in SecretStorage; the file gets an ${input:…} reference. Passed to the server only when it starts.', secret: true };
    const plainItem = { label: '$(symbol-text) Plain value', detail: 'Written to the configuration file as it is.', secret: false };
    const { secret } = await ask(vscode.window.showQuickPick(looksLikeSecretName(name) ? [secretItem, plainItem] : [plainItem, secretItem], {
      title: `${TITLE}: ${name}`, placeHolder: `How should the value of ${name} be kept?`, ignoreFocusOut: true,
    }));
    vars[name] = await ask(vscode.window.showInputBox({
      title: `${TITLE}: ${name}`, ignoreFocusOut: true, password: secret, prompt: `The value of ${name}${secret ? ' (stored in SecretStorage)' : ''}.`,
      validateInput: (text) => (secret && !text ? 'Enter the secret value, or press Escape to cancel.' : undefined),
    }));
    if (secret) secretKeys.push(name);
  }
}

/** An API key or token header for a remote server (always a secret), or none (public, or OAuth sign-in later). */
async function askAuthHeader(secretKeys: string[]): Promise<Record<string, string>> {
  const how = (await ask(vscode.window.showQuickPick([
    { label: '$(circle-slash) None', detail: 'The server is public, or you sign in with OAuth when it asks (Sign In to Server).', how: 'none' as const },
    { label: '$(key) Bearer token', detail: 'Sends "Authorization: Bearer <token>"; the token is stored in SecretStorage.', how: 'bearer' as const },
    { label: '$(symbol-field) API key header', detail: 'Sends the key in a header you name, e.g. X-API-Key; the key is stored in SecretStorage.', how: 'header' as const },
  ], { title: `${TITLE}: Authentication`, placeHolder: 'Does the server need an API key or token?', ignoreFocusOut: true }))).how;
  if (how === 'none') return {};
  const header = how === 'bearer' ? 'Authorization' : (await ask(vscode.window.showInputBox({
    title: `${TITLE}: Header`, ignoreFocusOut: true, value: 'X-API-Key', prompt: 'The name of the header that carries the key.',
    validateInput: (text) => checkVariableName(text.trim(), 'header'),
  }))).trim();
  const value = await ask(vscode.window.showInputBox({
    title: `${TITLE}: ${how === 'bearer' ? 'Token' : header}`, ignoreFocusOut: true, password: true, prompt: 'Stored in SecretStorage; sent to the server only when it connects.',
    validateInput: (text) => (text.trim() ? undefined : 'Enter the value, or press Escape to cancel.'),
  }));
  secretKeys.push(header);
  return { [header]: how === 'bearer' ? `Bearer ${value.trim()}` : value.trim() };
}
