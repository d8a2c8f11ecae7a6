import * as os from 'node:os';
import * as vscode from 'vscode';
import { SETTINGS, SETTINGS_SECTION, commandId } from '../common/contracts';
import { UserCancelledError, UserFacingError } from '../common/errors';
import {
  EMPTY_MCP_JSON_TEXT, type ImportCandidate, type PreparedImport, applyImportToMcpJson, applyImportToSettings, importLocations, parseImportFile, prepareImport,
} from '../common/config/importers';
import { PLAINTEXT_SECRET_CODE, inputSecretId, isObject, parseMcpJsonText } from '../common/config/parse';
import { planSecretMove, secretMoveTarget } from '../common/config/portable';
import { maskSecretArgs } from '../common/config/secretsInArgs';
import { referencedInputs } from '../common/config/variables';
import type { ServersModel } from '../common/model';
import { REDACTED } from '../common/redact';
import { isLive } from '../common/serverPredicates';
import { type SecretPurpose, staticClientSecretKey } from '../common/secretKeys';
import { type ServerSource, credentialId, describeSource, sourceKey, usesVariables } from '../common/serverId';
import { safeNotificationText } from '../common/sanitize';
import type { ConfigFeatures } from '../config';
import { folderSource, userMcpJsonUri, workspaceSettingsSource } from '../config/configService';
import type { ComponentLogger } from '../log';
import type { SecretStore } from '../vscode-adapters/secretStore';

export interface ConfigCommandDeps {
  readonly config: ConfigFeatures;
  readonly secrets: SecretStore;
  /** The extension's globalStorageUri (the user mcp.json is two levels up). */
  readonly globalStorageUri: vscode.Uri;
  readonly log: ComponentLogger;
  /** Server states (Set Secret... offers to restart the live servers that use the secret). */
  readonly servers: Pick<ServersModel, 'get'>;
}

export type ImportTarget =
  | { readonly kind: 'file'; readonly uri: vscode.Uri; readonly source: ServerSource; readonly label: string }
  | { readonly kind: 'settings'; readonly target: vscode.ConfigurationTarget; readonly source: ServerSource; readonly label: string };

/**
 * Import Servers...: reads Claude Desktop's and Cursor's server lists, lets the user pick servers and a target, moves
 * plaintext secrets into SecretStorage behind password inputs, and writes VS Code-format entries with
 * comment-preserving edits.
 */
export async function importServers(deps: ConfigCommandDeps): Promise<void> {
  const folders = vscode.workspace.workspaceFolders ?? [];
  const locations = importLocations(process.platform, os.homedir(), process.env, folders.map((f) => ({ name: f.name, path: f.uri.fsPath })));
  const candidates: ImportCandidate[] = [];
  for (const loc of locations) {
    let text: string;
    try { text = new TextDecoder().decode(await vscode.workspace.fs.readFile(vscode.Uri.file(loc.path))); } catch { continue; }
    const r = parseImportFile(text, loc.label);
    for (const e of r.errors) deps.log.warn(`import: ${e}`);
    candidates.push(...r.candidates);
    deps.log.info(`import: ${r.candidates.length} server(s) in ${loc.label} (${loc.path})`);
  }
  if (candidates.length === 0) {
    throw new UserFacingError(`No servers found to import. Looked for: ${locations.map((l) => l.label).join(', ')}.`);
  }
  const picked = await vscode.window.showQuickPick(
    candidates.map((c) => ({
      label: c.name,
      description: c.from,
      detail: deps.config.redactor.redact(c.config.type === 'stdio' ? `stdio: ${[c.config.command, ...maskSecretArgs(c.config.args, [], REDACTED)].join(' ')}` : `${c.config.type}: ${c.config.url}`),
      candidate: c,
    })),
    { canPickMany: true, title: 'Import MCP Servers', placeHolder: 'Pick the servers to import', ignoreFocusOut: true },
  );
  if (!picked || picked.length === 0) throw new UserCancelledError();
  const target = await pickTarget(deps.globalStorageUri, 'Import MCP Servers', 'Where should the servers be written?');
  const existing = await readTargetNames(target);
  const prepared = prepareImport(picked.map((p) => p.candidate), existing.names, existing.inputIds);
  // Secrets first: if SecretStorage fails, nothing is written and no reference dangles.
  for (const s of prepared.secrets) await deps.secrets.store('input', inputSecretId(target.source, s.inputId), s.value);
  await writeTarget(target, prepared);
  for (const note of prepared.notes) deps.log.info(`import: ${note}`);
  deps.log.info(`import: ${prepared.servers.length} server(s) written to ${target.label}; ${prepared.secrets.length} secret(s) moved to SecretStorage`);
  await deps.config.service.reload();
  const moved = prepared.secrets.length ? ` ${prepared.secrets.length} secret value(s) were moved to SecretStorage.` : '';
  void vscode.window.showInformationMessage(safeNotificationText(`Imported ${prepared.servers.length} server(s) into ${target.label}.${moved}`));
}

/** Where servers are written: a folder's .vscode/mcp.json, the user mcp.json, or user/workspace settings. */
export async function pickTarget(globalStorageUri: vscode.Uri, title: string, placeHolder: string): Promise<ImportTarget> {
  const targets: ImportTarget[] = [
    ...(vscode.workspace.workspaceFolders ?? []).map((f): ImportTarget => ({
      kind: 'file', uri: vscode.Uri.joinPath(f.uri, '.vscode', 'mcp.json'), source: folderSource(f), label: `${f.name}/.vscode/mcp.json`,
    })),
    { kind: 'file', uri: userMcpJsonUri(globalStorageUri), source: { kind: 'userMcpJson' }, label: 'User mcp.json' },
    { kind: 'settings', target: vscode.ConfigurationTarget.Global, source: { kind: 'userSettings' }, label: 'User settings (mcpManager.servers)' },
    ...(vscode.workspace.workspaceFolders?.length
      ? [{ kind: 'settings', target: vscode.ConfigurationTarget.Workspace, source: workspaceSettingsSource(), label: 'Workspace settings (mcpManager.servers)' } as const]
      : []),
  ];
  const choice = await vscode.window.showQuickPick(
    targets.map((t) => ({ label: t.label, description: t.kind === 'file' ? t.uri.fsPath : undefined, target: t })),
    { title, placeHolder, ignoreFocusOut: true },
  );
  if (!choice) throw new UserCancelledError();
  return choice.target;
}

export async function readTargetNames(target: ImportTarget): Promise<{ names: string[]; inputIds: string[] }> {
  if (target.kind === 'settings') {
    const config = vscode.workspace.getConfiguration(SETTINGS_SECTION);
    const pick = (i: { globalValue?: unknown; workspaceValue?: unknown } | undefined): unknown => (target.target === vscode.ConfigurationTarget.Global ? i?.globalValue : i?.workspaceValue);
    const servers = pick(config.inspect(SETTINGS.servers));
    const inputs = pick(config.inspect(SETTINGS.inputs));
    const inputList: unknown[] = Array.isArray(inputs) ? (inputs as unknown[]) : [];
    return {
      names: isObject(servers) ? Object.keys(servers) : [],
      inputIds: inputList.flatMap((i) => (isObject(i) && typeof i['id'] === 'string' ? [i['id']] : [])),
    };
  }
  const text = await readText(target.uri);
  if (text === undefined) return { names: [], inputIds: [] };
  const parsed = parseMcpJsonText(text, target.source);
  return { names: parsed.entries.map((e) => e.name), inputIds: parsed.inputs.map((i) => i.id) };
}

/** Writes prepared servers (and their inputs) with comment-preserving edits, or into settings. */
export async function writeTarget(target: ImportTarget, prepared: PreparedImport): Promise<void> {
  if (target.kind === 'settings') {
    const config = vscode.workspace.getConfiguration(SETTINGS_SECTION);
    const scope = (i: { globalValue?: unknown; workspaceValue?: unknown } | undefined) => (target.target === vscode.ConfigurationTarget.Global ? i?.globalValue : i?.workspaceValue);
    const next = applyImportToSettings(scope(config.inspect(SETTINGS.servers)), scope(config.inspect(SETTINGS.inputs)), prepared);
    await config.update(SETTINGS.servers, next.servers, target.target);
    if (prepared.inputs.length) await config.update(SETTINGS.inputs, next.inputs, target.target);
    return;
  }
  if ((await readText(target.uri)) === undefined) {
    await vscode.workspace.fs.createDirectory(vscode.Uri.joinPath(target.uri, '..'));
    await vscode.workspace.fs.writeFile(target.uri, new TextEncoder().encode(EMPTY_MCP_JSON_TEXT));
  }
  const doc = await vscode.workspace.openTextDocument(target.uri);
  await replaceTexts([{ doc, text: applyImportToMcpJson(doc.getText(), prepared) }], target.label);
  await vscode.window.showTextDocument(doc, { preview: false });
}

/**
 * Replaces whole documents in one workspace edit and saves them. Through the documents, so unsaved changes in an open
 * editor are what is edited (never lost), and the edit can be undone.
 */
async function replaceTexts(changes: readonly { doc: vscode.TextDocument; text: string }[], label: string): Promise<void> {
  const edit = new vscode.WorkspaceEdit();
  for (const { doc, text } of changes) edit.replace(doc.uri, new vscode.Range(doc.positionAt(0), doc.positionAt(doc.getText().length)), text);
  if (!(await vscode.workspace.applyEdit(edit))) throw new UserFacingError(`Could not edit ${label}.`);
  for (const { doc } of changes) await doc.save();
}

async function readText(uri: vscode.Uri): Promise<string | undefined> {
  try { return new TextDecoder().decode(await vscode.workspace.fs.readFile(uri)); } catch { return undefined; }
}

/**
 * Move Secrets to SecretStorage... (the Quick Fix of a plaintext secret in `.mcp.json` or the Copilot user file, and a
 * palette command that lists every such entry): after a modal consent that says what will happen, the entry leaves
 * the portable file and is written, under the same name, into the VS Code-format file of the same owner (the folder's
 * .vscode/mcp.json, created if missing; the user mcp.json for the Copilot file), which outranks it; each plaintext
 * secret becomes a password input whose value goes to SecretStorage first (nothing is written if that fails).
 */
export async function moveSecrets(deps: ConfigCommandDeps, uriArg?: unknown, nameArg?: unknown): Promise<void> {
  const { file, name } = uriArg instanceof vscode.Uri && typeof nameArg === 'string' ? { file: uriArg, name: nameArg } : await pickPlaintextSecret(deps);
  const source = deps.config.service.sourceOfFile(file);
  if (!source || usesVariables(source)) throw new UserFacingError(`${file.fsPath} is not a .mcp.json or Copilot file MCP Manager reads.`);
  const target = secretMoveTarget(source);
  const targetUri = target.kind === 'workspaceMcpJson'
    ? vscode.Uri.joinPath(vscode.Uri.parse(target.folderUri), '.vscode', 'mcp.json')
    : userMcpJsonUri(deps.globalStorageUri);
  const sourceDoc = await vscode.workspace.openTextDocument(file);
  const existing = await readText(targetUri) === undefined ? undefined : await vscode.workspace.openTextDocument(targetUri);
  const plan = planSecretMove(sourceDoc.getText(), source, name, existing?.getText());

  const MOVE = 'Move Secrets';
  const detail = [
    'MCP Manager will:',
    `• store the value${plan.movedKeys.length === 1 ? '' : 's'} of ${plan.movedKeys.join(', ')} in VS Code's SecretStorage (on this machine; Clear Secrets... deletes them),`,
    `• write "${name}" into ${describeSource(target)}${existing ? '' : ' (created)'}, with \${input:…} password references in their place,`,
    `• remove "${name}" from ${describeSource(source)}.`,
    '',
    `Other tools that read ${source.kind === 'copilotMcpConfig' ? 'the Copilot user file (the Copilot CLI)' : '.mcp.json (Claude Code, other editors)'} will no longer see this server. If it is running it stops; start it again from its new place. Both files can be edited back (Undo).`,
  ].join('\n');
  const choice = await vscode.window.showWarningMessage(safeNotificationText(`Move the secrets of "${name}" to SecretStorage?`), { modal: true, detail }, MOVE);
  if (choice !== MOVE) throw new UserCancelledError();

  // Secrets first: if SecretStorage fails, nothing is written and no reference dangles.
  for (const s of plan.secrets) await deps.secrets.store('input', inputSecretId(target, s.inputId), s.value);
  if (!existing) {
    await vscode.workspace.fs.createDirectory(vscode.Uri.joinPath(targetUri, '..'));
    await vscode.workspace.fs.writeFile(targetUri, new TextEncoder().encode(EMPTY_MCP_JSON_TEXT));
  }
  const targetDoc = existing ?? await vscode.workspace.openTextDocument(targetUri);
  await replaceTexts([{ doc: targetDoc, text: plan.targetText }, { doc: sourceDoc, text: plan.sourceText }], `${describeSource(target)} and ${describeSource(source)}`);
  for (const note of plan.notes) deps.log.info(`move secrets: ${note}`);
  deps.log.info(`move secrets: "${name}" moved from ${describeSource(source)} to ${describeSource(target)}; ${plan.secrets.length} secret(s) stored in SecretStorage`);
  await deps.config.service.reload();
  const OPEN = 'Open File';
  void vscode.window.showInformationMessage(safeNotificationText(`"${name}" now lives in ${describeSource(target)}; its ${plan.secrets.length} secret value(s) are in SecretStorage.`), OPEN)
    .then((answer) => (answer === OPEN ? vscode.window.showTextDocument(targetDoc, { preview: false }) : undefined));
}

/** Every entry of a portable file with a plaintext secret (from the last read), for the palette. */
async function pickPlaintextSecret(deps: ConfigCommandDeps): Promise<{ file: vscode.Uri; name: string }> {
  const found = deps.config.service.parsedSources.filter((s) => s.file !== undefined && !usesVariables(s.source)).flatMap((s) => [
    ...new Set(s.diagnostics.flatMap((d) => (d.code === PLAINTEXT_SECRET_CODE && d.serverName !== undefined ? [d.serverName] : []))),
  ].map((name) => ({ label: name, description: describeSource(s.source), detail: s.file, file: vscode.Uri.file(s.file!), name })));
  if (found.length === 0) throw new UserFacingError('No plaintext secrets found in a .mcp.json or the Copilot user file.');
  const choice = found.length === 1 ? found[0] : await vscode.window.showQuickPick(found, { title: 'Move Secrets to SecretStorage', placeHolder: 'Which server\'s secrets?' });
  if (!choice) throw new UserCancelledError();
  return choice;
}

/**
 * Set Secret...: sets (or replaces) one secret: a password input's value, or the client secret of a pre-registered
 * OAuth client (serverOptions.oauth.clientId). Offers to restart the live servers that use it.
 */
export async function setSecret(deps: ConfigCommandDeps): Promise<void> {
  const stored = new Set((await deps.secrets.list()).map((k) => `${k.purpose}/${k.id}`));
  const mark = (purpose: SecretPurpose, id: string) => (stored.has(`${purpose}/${id}`) ? '$(key)' : '$(circle-outline)');
  const definitions = deps.config.service.definitions;
  const items = [
    ...deps.config.service.parsedSources.flatMap((s) => s.inputs.filter((i) => i.type === 'promptString' && i.password).map((i) => ({
      purpose: 'input' as const, id: inputSecretId(s.source, i.id), name: i.id, description: describeSource(s.source),
      detail: i.description, users: definitions.filter((d) => sourceKey(d.source) === sourceKey(s.source) && referencedInputs(d.config).has(i.id)),
    }))),
    ...definitions.flatMap((d) => (d.config.type !== 'stdio' && d.options.oauth?.clientId ? [{
      purpose: 'oauthClient' as const, id: staticClientSecretKey(credentialId(d.source, d.name)), name: `OAuth client secret of ${d.name}`, description: describeSource(d.source),
      detail: `For the pre-registered client "${d.options.oauth.clientId}" (mcpManager.serverOptions); public clients need none.`, users: [d],
    }] : [])),
  ];
  if (items.length === 0) {
    throw new UserFacingError('Nothing to set: add a password input to "inputs" ("password": true, referenced as ${input:id}), or an OAuth clientId in mcpManager.serverOptions.');
  }
  const choice = await vscode.window.showQuickPick(
    items.map((it) => ({ ...it, label: `${mark(it.purpose, it.id)} ${it.name}` })),
    { title: 'Set Secret', placeHolder: 'Which secret?', matchOnDescription: true },
  );
  if (!choice) throw new UserCancelledError();
  const value = await vscode.window.showInputBox({
    title: `Set Secret: ${choice.name} (${choice.description})`, prompt: choice.detail ?? `The value of "${choice.name}"`, password: true, ignoreFocusOut: true,
  });
  if (value === undefined) throw new UserCancelledError();
  await deps.secrets.store(choice.purpose, choice.id, value);
  // A process or connection keeps the value it started with: offer to restart the live servers that use this secret.
  const live = choice.users.filter((d) => { const s = deps.servers.get(d.id); return !!s && isLive(s); });
  deps.log.info(`secret "${choice.name}" of ${choice.description} set; ${live.length} live server(s) use it`);
  if (live.length === 0) {
    void vscode.window.showInformationMessage(safeNotificationText(`Secret "${choice.name}" saved. Servers that use it get it when they start.`));
    return;
  }
  const restart = live.length === 1 ? 'Restart Server' : 'Restart Servers';
  const answer = await vscode.window.showInformationMessage(
    safeNotificationText(`Secret "${choice.name}" saved. Restart ${live.map((d) => `"${d.name}"`).join(', ')} to apply it.`), restart,
  );
  if (answer === restart) for (const d of live) await vscode.commands.executeCommand(commandId('restartServer'), d.id);
}

/** Clear Secrets...: deletes one stored secret (an input's or an OAuth client's), or all of them (and forgets remembered non-password inputs). */
export async function clearSecrets(deps: ConfigCommandDeps): Promise<void> {
  const STATIC = staticClientSecretKey('');
  const stored = [
    ...(await deps.secrets.list('input')).map((k) => {
      const slash = k.id.lastIndexOf('/');
      return { purpose: k.purpose, id: k.id, label: k.id.slice(slash + 1), description: k.id.slice(0, slash) };
    }),
    ...(await deps.secrets.list('oauthClient')).filter((k) => k.id.startsWith(STATIC)).map((k) => {
      const serverId = k.id.slice(STATIC.length);
      return { purpose: k.purpose, id: k.id, label: `OAuth client secret of ${serverId.slice(serverId.lastIndexOf('#') + 1)}`, description: serverId };
    }),
  ];
  const ALL = '$(trash) All secrets';
  const items = [
    { label: ALL, description: `${stored.length} stored; also forgets input values remembered for this session`, secret: undefined as (typeof stored)[number] | undefined },
    ...stored.map((k) => ({ label: k.label, description: k.description, secret: k })),
  ];
  const choice = await vscode.window.showQuickPick(items, { title: 'Clear Secrets', placeHolder: 'Which secret should be deleted?' });
  if (!choice) throw new UserCancelledError();
  for (const k of choice.secret ? [choice.secret] : stored) {
    await deps.secrets.delete(k.purpose, k.id);
    if (k.purpose === 'input') deps.config.inputs.forget(k.id);
  }
  if (!choice.secret) deps.config.inputs.forget();
  deps.log.info(choice.secret ? `cleared one secret of ${choice.secret.description}` : `cleared ${stored.length} secret(s)`);
}
