import * as os from 'node:os';
import * as vscode from 'vscode';
import {
  EXPORT_TRAITS, type ExportConflict, type ExportTarget, type ExportTargetKind, exportServer as exportIntoText, exportTargets, exportedServerNames,
} from '../common/config/exporters';
import { uniqueName } from '../common/config/importers';
import { isObject } from '../common/config/parse';
import type { ServerDefinition } from '../common/config/types';
import { type WorkspaceFolderInfo, definingFolder } from '../common/config/variables';
import { UserCancelledError, UserFacingError, errorMessage } from '../common/errors';
import type { ServersModel } from '../common/model';
import { safeNotificationText } from '../common/sanitize';
import type { ConfigFeatures } from '../config';
import type { ComponentLogger } from '../log';
import type { CommandHandler, CommandTable } from './commandRunner';
import { pickServer } from './pickers';

export interface ExportCommandDeps {
  readonly config: ConfigFeatures;
  /** The servers the tree shows (the picker's list). */
  readonly servers: ServersModel;
  readonly log: ComponentLogger;
}

/** The command's second argument, for code and tests: where to write, and what to do with a name the file has. */
export interface ExportServerOptions {
  readonly target: ExportTargetKind;
  /** A workspace folder's name, path or URI (for `mcpJson` / `vscode`; the only folder when omitted). */
  readonly folder?: string;
  readonly onConflict?: ExportConflict;
}

/** What the command returns: the file written and what was written differently. */
export interface ExportServerOutcome {
  readonly file: string;
  readonly notes: readonly string[];
}

/** One line per target in the picker: what the file can hold, and what stands in for a secret. */
const TARGET_DETAIL: Readonly<Record<ExportTargetKind, string>> = {
  mcpJson: 'Portable: no variables or inputs; secrets are left empty for you to fill in',
  vscode: 'VS Code format: variables and inputs; secrets stay behind password inputs',
  copilot: 'Copilot (CLI and VS Code): no variables; secrets are left empty for you to fill in',
  claude: 'Local (stdio) servers only; no variables; secrets are left empty for you to fill in',
  cursor: 'Expands ${env:…}: secrets are read from your environment',
};

const OPEN_FILE = 'Open File';

/**
 * Export Server...: writes one configured server into another client's file (see src/common/config/exporters.ts):
 * pick the server, then the target; a name the file has is replaced or kept beside it, as the user says; the file
 * (and its folder) is created when missing, edited through its document when open. The notes — secrets left out,
 * variables resolved — are shown with "Open File" and logged.
 */
export function exportCommands(deps: ExportCommandDeps): Pick<CommandTable, 'exportServer'> {
  const exportServer: CommandHandler = async (arg, options): Promise<ExportServerOutcome> => {
    const definitionOf = (id: string): ServerDefinition | undefined => deps.config.service.servers.find((s) => s.id === id)?.definition;
    const server = await pickServer(deps.servers, arg, 'Export which server?', (s) => !!definitionOf(s.id),
      (s) => `'${s.name}' cannot be exported: its entry has errors; fix it first.`);
    const definition = definitionOf(server.id)!;
    const folders: WorkspaceFolderInfo[] = (vscode.workspace.workspaceFolders ?? []).map((f) => ({ name: f.name, path: f.uri.fsPath }));
    const targets = exportTargets(process.platform, os.homedir(), process.env, folders);
    const target = isObject(options) ? targetFromOptions(targets, options) : await pickTarget(targets, definition);
    const uri = vscode.Uri.file(target.path);
    const { text, document } = await readTarget(uri, target);

    let onConflict: ExportConflict | undefined = isObject(options) && (options['onConflict'] === 'replace' || options['onConflict'] === 'keepBoth') ? options['onConflict'] : undefined;
    const names = exportedServerNames(text, target);
    if (onConflict === undefined && names.includes(definition.name)) {
      const REPLACE = 'Replace';
      const KEEP_BOTH = 'Keep Both';
      const answer = await vscode.window.showWarningMessage(
        `${target.label} already has a server named "${definition.name}".`,
        { modal: true, detail: `Replace it with this one, or keep both (this one is written as "${uniqueName(definition.name, new Set(names))}").` },
        REPLACE, KEEP_BOTH,
      );
      if (answer === undefined) throw new UserCancelledError();
      onConflict = answer === REPLACE ? 'replace' : 'keepBoth';
    }

    const result = exportIntoText(
      text, { name: definition.name, config: definition.config, inputs: deps.config.service.inputsFor(definition.source) }, target,
      { platform: process.platform, home: os.homedir(), folders, workspaceFolder: definingFolder(definition, folders) }, onConflict,
    );
    const notes = [...result.notes];
    if (target.kind !== 'vscode' && Object.keys(definition.options).length) {
      notes.push(`MCP Manager's own options for "${definition.name}" (mcpManager.serverOptions) are not part of ${target.label}.`);
    }
    await writeTarget(uri, target, document, text, result.text);
    deps.log.info(`export: "${definition.name}" (${server.id}) written to ${target.label} (${target.path}) as "${result.name}"${result.replaced ? ', replacing the entry there' : ''}`);
    for (const n of notes) deps.log.info(`export: ${n}`);
    if (target.kind === 'vscode') await deps.config.service.reload();

    const message = `Exported "${definition.name}" to ${target.label}.${notes.length ? ` ${notes.join(' ')}` : ''}`;
    void vscode.window.showInformationMessage(safeNotificationText(message, 2000), OPEN_FILE).then(async (choice) => {
      if (choice === OPEN_FILE) await vscode.window.showTextDocument(uri, { preview: false });
    });
    return { file: target.path, notes };
  };
  return { exportServer };
}

function targetFromOptions(targets: readonly ExportTarget[], options: Record<string, unknown>): ExportTarget {
  const kind = options['target'];
  const folder = options['folder'];
  const ofKind = targets.filter((t) => t.kind === kind);
  if (ofKind.length === 0) {
    throw new UserFacingError(`Unknown export target ${JSON.stringify(kind)}: use one of ${Object.keys(EXPORT_TRAITS).join(', ')}${kind === 'mcpJson' || kind === 'vscode' ? ' (with a workspace folder open)' : ''}.`);
  }
  if (typeof folder !== 'string') {
    if (ofKind.length > 1) throw new UserFacingError(`Say which folder's ${EXPORT_TRAITS[ofKind[0].kind].name} ("folder": its name or path).`);
    return ofKind[0];
  }
  const match = ofKind.find((t) => t.folder && (t.folder.name === folder || t.folder.path === folder || vscode.Uri.file(t.folder.path).toString() === folder));
  if (!match) throw new UserFacingError(`No workspace folder "${folder}" to export to.`);
  return match;
}

async function pickTarget(targets: readonly ExportTarget[], definition: ServerDefinition): Promise<ExportTarget> {
  const exists = await Promise.all(targets.map(async (t) => {
    try { await vscode.workspace.fs.stat(vscode.Uri.file(t.path)); return true; } catch { return false; }
  }));
  type Item = vscode.QuickPickItem & { target?: ExportTarget };
  const items: Item[] = [];
  let group: string | undefined;
  targets.forEach((t, i) => {
    const heading = t.folder ? `Folder ${t.folder.name}` : 'Your other clients';
    if (heading !== group) items.push({ label: (group = heading), kind: vscode.QuickPickItemKind.Separator });
    const cannot = definition.config.type !== 'stdio' && !EXPORT_TRAITS[t.kind].remote;
    items.push({
      label: `${cannot ? '$(circle-slash)' : '$(file)'} ${t.folder ? t.label.slice(t.folder.name.length + 1) : t.label}`,
      description: `${t.path}${exists[i] ? '' : ' (new file)'}`,
      detail: cannot ? 'Local servers only: add a remote one in the app (Settings → Connectors)' : TARGET_DETAIL[t.kind],
      target: t,
    });
  });
  const picked = await vscode.window.showQuickPick(items, {
    title: `Export MCP Server "${definition.name}"`, placeHolder: 'Where should it be written?', matchOnDescription: true, ignoreFocusOut: true,
  });
  if (!picked?.target) throw new UserCancelledError();
  return picked.target;
}

/**
 * The target's text: its open document's when it has unsaved edits (they are kept), else the file's (a clean document
 * may be stale: the file changed or went away on disk); '' for a file that does not exist.
 */
async function readTarget(uri: vscode.Uri, target: ExportTarget): Promise<{ text: string; document?: vscode.TextDocument }> {
  const document = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
  if (document?.isDirty) return { text: document.getText(), document };
  try {
    return { text: new TextDecoder().decode(await vscode.workspace.fs.readFile(uri)) };
  } catch (err) {
    // Only a missing file starts empty: one that cannot be read is never overwritten.
    if (err instanceof vscode.FileSystemError && err.code === 'FileNotFound') return { text: '' };
    throw new UserFacingError(`Could not read ${target.label} (${target.path}): ${errorMessage(err)}`);
  }
}

/** Writes through the open document (kept undoable, then saved), else the file, creating its folder. */
async function writeTarget(uri: vscode.Uri, target: ExportTarget, document: vscode.TextDocument | undefined, before: string, after: string): Promise<void> {
  if (document) {
    const edit = new vscode.WorkspaceEdit();
    edit.replace(uri, new vscode.Range(document.positionAt(0), document.positionAt(before.length)), after);
    if (!(await vscode.workspace.applyEdit(edit)) || !(await document.save())) throw new UserFacingError(`Could not edit ${target.label}.`);
    return;
  }
  await vscode.workspace.fs.createDirectory(vscode.Uri.joinPath(uri, '..'));
  await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(after));
}
