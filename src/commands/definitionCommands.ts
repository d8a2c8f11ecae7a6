import * as vscode from 'vscode';
import { UserCancelledError, UserFacingError } from '../common/errors';
import { type DefinitionState, changeCount, itemLabel, reviewSides } from '../common/definitions';
import type { ServerSnapshot, ServersModel } from '../common/model';
import { isObject } from '../common/schemaForm';
import type { ServerId } from '../common/serverId';
import { cleanServerText, pickerText } from '../common/serverText';
import type { ComponentLogger } from '../log';
import type { ServerManager } from '../servers/serverManager';
import type { McpDocuments } from '../views/mcpDocuments';
import type { ServersTreeNode } from '../views/serversTree';
import type { CommandHandler, CommandTable } from './commandRunner';
import { pickServer } from './pickers';

export interface DefinitionCommandDeps {
  readonly servers: ServersModel;
  readonly definitions: Pick<ServerManager, 'getDefinitions' | 'definitionTexts' | 'approveDefinitions' | 'keepToolsBlocked'>;
  readonly documents: Pick<McpDocuments, 'register'>;
  readonly log: ComponentLogger;
}

/** One open review: what its diff editor shows (id → the hash shown on the right, null for a removal). */
interface Review { readonly serverId: ServerId; readonly server: string; readonly label: string; readonly seen: Readonly<Record<string, string | null>> }

/** `tool:<name>` etc. of a tree item node (definitions.ts ids). */
function itemIdOf(arg: unknown): string | undefined {
  if (!isObject(arg)) return undefined;
  const node = arg as ServersTreeNode;
  switch (node.kind) {
    case 'tool': return `tool:${node.tool.name}`;
    case 'prompt': return `prompt:${node.prompt.name}`;
    case 'resource': return `resource:${node.resource.uri}`;
    case 'resourceTemplate': return `resourceTemplate:${node.template.uriTemplate}`;
    case 'server': case 'group': case 'pending': return undefined;
  }
}

const changedIds = (d: DefinitionState): string[] => [...d.diff.changed.map((c) => c.id), ...d.diff.added, ...d.diff.removed];

/**
 * Review Tool Changes...: a diff editor of the approved definitions against the current ones, for one item or the whole
 * server; its title bar has Approve Tool Changes and Keep Tool Blocked, which act on exactly what that editor shows.
 * A second argument `{ item: 'tool:echo' }` (or `{ tool: 'echo' }`) names the item, as a refused call's notification does.
 */
export function definitionCommands(deps: DefinitionCommandDeps): Pick<CommandTable, 'reviewToolChanges' | 'approveToolChanges' | 'keepToolBlocked'> {
  const { servers, definitions } = deps;
  const reviews = new Map<string, Review>();

  const reviewToolChanges: CommandHandler = async (arg, options) => {
    const changes = (s: ServerSnapshot) => definitions.getDefinitions(s.id);
    const server = await pickServer(servers, arg, 'Review the definition changes of which server?', (s) => !!changes(s) && changeCount(changes(s)!.diff) > 0,
      (s) => (changes(s) ? `'${s.name}' lists everything as you approved it.` : `'${s.name}' has no definitions to review (${s.state.kind === 'running' ? 'pinTools is off' : 'it is not running'}).`));
    const state = changes(server)!;
    const all = changedIds(state);
    const named = itemIdOf(arg) ?? (isObject(options) ? (typeof options['item'] === 'string' ? options['item'] : typeof options['tool'] === 'string' ? `tool:${options['tool']}` : undefined) : undefined);
    let ids: string[];
    if (named !== undefined) {
      if (!all.includes(named)) throw new UserFacingError(`${itemLabel(named)} of '${server.name}' is as you approved it.`);
      ids = [named];
    } else if (all.length === 1) {
      ids = all;
    } else {
      const describe = (id: string) => {
        const changed = state.diff.changed.find((c) => c.id === id);
        return changed ? `changed: ${changed.fields.join(', ')}` : state.diff.added.includes(id) ? 'new' : 'removed';
      };
      const picked = await vscode.window.showQuickPick([
        { label: `$(diff-multiple) All ${all.length} changes`, ids: all },
        { label: '', kind: vscode.QuickPickItemKind.Separator, ids: [] },
        ...all.map((id) => ({ label: `$(diff) ${pickerText(itemLabel(id), 120)}`, description: describe(id), ids: [id] })),
      ], { placeHolder: `Which change of '${server.name}'?` });
      if (!picked?.ids.length) throw new UserCancelledError();
      ids = picked.ids;
    }
    const items = ids.map((id) => ({ id, ...definitions.definitionTexts(server.id, id) }));
    const sides = reviewSides(items);
    const name = ids.length === 1 ? itemLabel(ids[0]) : `${ids.length} changes`;
    const left = deps.documents.register('definitions', server.name, `${name} (approved).jsonc`, { text: sides.approved, language: 'jsonc' });
    const right = deps.documents.register('definitions', server.name, `${name}.jsonc`, { text: sides.current, language: 'jsonc' });
    reviews.set(right.toString(), { serverId: server.id, server: server.name, label: name, seen: Object.fromEntries(ids.map((id) => [id, state.current.entries[id]?.hash ?? null])) });
    deps.log.info(`${server.id}: reviewing ${ids.join(', ')}`);
    await vscode.commands.executeCommand('vscode.diff', left, right, `${cleanServerText(server.name, 60)}: ${cleanServerText(name, 80)} (approved ↔ now)`, { preview: false });
    return right;
  };

  /** The review an editor-title action runs on: the URI it passes, else the active diff editor's right side. */
  const reviewFor = (arg: unknown): { uri: string; review: Review } => {
    const input = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
    const uri = arg instanceof vscode.Uri ? arg.toString() : input instanceof vscode.TabInputTextDiff ? input.modified.toString() : undefined;
    const review = uri !== undefined ? reviews.get(uri) : undefined;
    if (!uri || !review) throw new UserFacingError('Open the changes with "MCP Manager: Review Tool Changes..." first, then approve or block them from its editor.');
    return { uri, review };
  };

  const closeReview = async (uri: string): Promise<void> => {
    reviews.delete(uri);
    const tabs = vscode.window.tabGroups.all.flatMap((g) => g.tabs).filter((t) => t.input instanceof vscode.TabInputTextDiff && t.input.modified.toString() === uri);
    await vscode.window.tabGroups.close(tabs);
  };

  const approveToolChanges: CommandHandler = async (arg) => {
    const { uri, review } = reviewFor(arg);
    const approved = definitions.approveDefinitions(review.serverId, review.seen);
    const stale = Object.keys(review.seen).filter((id) => !approved.includes(id));
    await closeReview(uri);
    if (stale.length) {
      void vscode.window.showWarningMessage(`'${review.server}' changed ${stale.map(itemLabel).join(', ')} again since you opened the review: ${approved.length ? 'the rest was approved; ' : ''}review it again.`);
      return approved;
    }
    void vscode.window.showInformationMessage(`Approved ${review.label} of '${review.server}'.`);
    return approved;
  };

  const keepToolBlocked: CommandHandler = async (arg) => {
    const { uri, review } = reviewFor(arg);
    if (!Object.keys(review.seen).some((id) => id.startsWith('tool:') && review.seen[id] !== null)) {
      throw new UserFacingError('Keep Blocked is for tools that are listed: this review has none.');
    }
    const kept = definitions.keepToolsBlocked(review.serverId, review.seen);
    await closeReview(uri);
    void vscode.window.showInformationMessage(kept.length
      ? `Kept ${kept.map(itemLabel).join(', ')} of '${review.server}' blocked: calls are refused until you approve ${kept.length === 1 ? 'it' : 'them'}.`
      : `'${review.server}' changed again since you opened the review: review it again.`);
    return kept;
  };

  return { reviewToolChanges, approveToolChanges, keepToolBlocked };
}
