import * as vscode from 'vscode';
import { UserCancelledError, UserFacingError } from '../common/errors';
import type { ServerSnapshot, ServersModel } from '../common/model';
import { type ServerId, describeSource } from '../common/serverId';
import { presentState } from '../common/serverState';
import { sortServers } from '../common/treeModel';
import type { ServersTreeNode } from '../views/serversTree';

/** A command argument from a tree menu is a node; from the palette it is undefined; from code it may be an id. */
export function serverIdFromArg(arg: unknown): ServerId | undefined {
  if (typeof arg === 'string' && arg.includes('#')) return arg as ServerId;
  if (typeof arg === 'object' && arg !== null && 'kind' in arg) {
    const node = arg as ServersTreeNode;
    return node.kind === 'server' ? node.server.id : node.serverId;
  }
  return undefined;
}

/**
 * The server a command acts on: from its argument, or asked with a QuickPick of the servers where it applies. A server
 * given as argument must apply too (a tree menu offers only what applies, but a command run with an id, from code or
 * a keybinding, may name any server): otherwise `notApplicable` says why (default: "Cannot <verb> '<name>' (<state>).").
 */
export async function pickServer(
  model: ServersModel, arg: unknown, placeHolder: string, applies: (s: ServerSnapshot) => boolean = () => true,
  notApplicable: string | ((s: ServerSnapshot) => string) = 'use',
): Promise<ServerSnapshot> {
  await model.whenReady?.();
  const fromArg = serverIdFromArg(arg);
  if (fromArg) {
    const s = model.get(fromArg);
    if (!s) throw new UserFacingError(`The server '${fromArg.split('#').slice(1).join('#')}' no longer exists.`);
    if (!applies(s)) {
      throw new UserFacingError(typeof notApplicable === 'string' ? `Cannot ${notApplicable} '${s.name}' (${presentState(s.state.kind).word}).` : notApplicable(s));
    }
    return s;
  }
  const candidates = sortServers(model.list()).filter(applies);
  if (candidates.length === 0) throw new UserFacingError(model.list().length ? 'No server is in a state where this applies.' : 'No MCP servers are configured. Run "MCP Manager: Open Configuration" to add one.');
  const picked = await vscode.window.showQuickPick(candidates.map((s) => ({
    label: `$(${presentState(s.state.kind).icon.replace('~spin', '')}) ${s.name}`,
    description: `${s.transport ?? ''} · ${presentState(s.state.kind).word}`,
    detail: describeSource(s.source),
    server: s,
  })), { placeHolder, matchOnDescription: true });
  if (!picked) throw new UserCancelledError();
  return picked.server;
}
