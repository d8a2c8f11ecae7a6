import type { CallToolResult, Prompt, PromptArgument, Resource, ResourceTemplateType as ResourceTemplate, Tool } from '@modelcontextprotocol/client';
import * as vscode from 'vscode';
import { toAbortSignal } from '../common/cancellation';
import { promptDocument, resourceDocument } from '../common/catalogDocuments';
import { type CatalogView, isDestructive } from '../common/catalogTree';
import { UserCancelledError, UserFacingError, errorMessage } from '../common/errors';
import type { ServerSnapshot, ServersModel } from '../common/model';
import { isObject } from '../common/schemaForm';
import type { ServerCapabilities } from '../common/serverState';
import { cleanServerText, pickerText } from '../common/serverText';
import { expandTemplate, templateVariables } from '../common/uriTemplates';
import { type CatalogRequests, invokeTool } from '../features/toolCall';
import type { ComponentLogger } from '../log';
import type { CallToolPanels } from '../views/callToolPanel';
import type { McpDocuments } from '../views/mcpDocuments';
import type { ServersTreeNode } from '../views/serversTree';
import { loadSdk } from '../sdkLoader';
import { type CommandHandler, type CommandTable, withServer } from './commandRunner';
import { pickServer } from './pickers';

export interface CatalogCommandDeps {
  readonly servers: ServersModel;
  readonly requests: CatalogRequests;
  /** The read-only documents resources and prompts open in. */
  readonly documents: Pick<McpDocuments, 'open'>;
  /** The Call Tool forms (one per server and tool). */
  readonly toolForms: Pick<CallToolPanels, 'show'>;
  readonly log: ComponentLogger;
}

/**
 * Optional second argument for programmatic use (tests, other commands): names the item and supplies its inputs, so
 * nothing is asked. `callTool` with `arguments` calls at once (validated, confirmed if destructive) and returns the
 * CallToolResult; the read/get commands return the URI of the document they opened.
 */
export interface CatalogCommandOptions {
  readonly tool?: string;
  readonly uri?: string;
  readonly template?: string;
  readonly prompt?: string;
  readonly arguments?: Record<string, unknown>;
}

/** Debounce of completion/complete requests while typing (ms), and their timeout. */
const COMPLETION_DEBOUNCE_MS = 150;
const COMPLETION_TIMEOUT_MS = 5_000;

type Capability = keyof Pick<ServerCapabilities, 'tools' | 'resources' | 'prompts'>;

function optionsFrom(arg: unknown): CatalogCommandOptions {
  return isObject(arg) && !('kind' in arg) ? (arg) : {};
}

function nodeFrom<K extends ServersTreeNode['kind']>(arg: unknown, kind: K): Extract<ServersTreeNode, { kind: K }> | undefined {
  return isObject(arg) && arg['kind'] === kind && typeof arg['serverId'] === 'string' ? (arg as Extract<ServersTreeNode, { kind: K }>) : undefined;
}

/** How a command finds one catalog item: the tree node it runs on, else the name it was given, else a QuickPick. */
interface CatalogItemKind<K extends ServersTreeNode['kind'], T> {
  readonly node: K;
  readonly fromNode: (node: Extract<ServersTreeNode, { kind: K }>) => T;
  readonly list: (catalog: CatalogView) => readonly T[];
  readonly named: (item: T, name: string) => boolean;
  /** A name the server does not list: an error, or (a resource: any URI may be read) an item of its own. */
  readonly unlisted: (server: ServerSnapshot, name: string) => T;
  readonly quickPickItem: (item: T) => vscode.QuickPickItem;
  /** For the QuickPick's placeholder: "Which <noun> of '<server>'?". */
  readonly noun: string;
}

const TOOL: CatalogItemKind<'tool', Tool> = {
  node: 'tool', fromNode: (n) => n.tool, list: (c) => c.tools, named: (t, name) => t.name === name, quickPickItem: toolItem, noun: 'tool',
  unlisted: (s, name) => { throw new UserFacingError(`'${s.name}' has no tool named '${cleanServerText(name, 80)}'.`); },
};
const RESOURCE: CatalogItemKind<'resource', Resource> = {
  node: 'resource', fromNode: (n) => n.resource, list: (c) => c.resources, named: (r, uri) => r.uri === uri, quickPickItem: resourceItem, noun: 'resource',
  unlisted: (_s, uri) => ({ uri, name: lastSegment(uri) }),
};
const RESOURCE_TEMPLATE: CatalogItemKind<'resourceTemplate', ResourceTemplate> = {
  node: 'resourceTemplate', fromNode: (n) => n.template, list: (c) => c.resourceTemplates, named: (t, name) => t.uriTemplate === name || t.name === name,
  quickPickItem: templateItem, noun: 'resource template',
  unlisted: (s, name) => { throw new UserFacingError(`'${s.name}' has no resource template '${cleanServerText(name, 120)}'.`); },
};
const PROMPT: CatalogItemKind<'prompt', Prompt> = {
  node: 'prompt', fromNode: (n) => n.prompt, list: (c) => c.prompts, named: (p, name) => p.name === name, quickPickItem: promptItem, noun: 'prompt',
  unlisted: (s, name) => { throw new UserFacingError(`'${s.name}' has no prompt named '${cleanServerText(name, 80)}'.`); },
};

export function catalogCommands(deps: CatalogCommandDeps): Pick<CommandTable, 'callTool' | 'readResource' | 'readResourceTemplate' | 'getPrompt' | 'copyToolSchema' | 'copyResourceUri'> {
  const { servers, requests } = deps;

  /** A running server with the capability and at least one item (`has`), from the argument or a QuickPick. */
  const server = async (arg: unknown, cap: Capability, placeHolder: string, has: (c: CatalogView) => boolean): Promise<ServerSnapshot> => {
    const s = await pickServer(servers, arg, placeHolder, (x) => x.state.kind === 'running' && !!x.state.capabilities?.[cap] && has(requests.getCatalog(x.id)),
      (x) => (x.state.kind === 'running' ? `'${x.name}' offers nothing for this.` : `'${x.name}' is not running. Start it first.`));
    if (s.state.kind !== 'running') throw new UserFacingError(`'${s.name}' is not running. Start it first.`);
    return s;
  };

  async function pickItem<T>(items: readonly T[], toItem: (x: T) => vscode.QuickPickItem, placeHolder: string): Promise<T> {
    const picked = await vscode.window.showQuickPick(items.map((x) => ({ ...toItem(x), x })), { placeHolder, matchOnDescription: true, matchOnDetail: true });
    if (!picked) throw new UserCancelledError();
    return picked.x;
  }

  /** The item a command acts on (see CatalogItemKind); `name` is the one its options give, if any. */
  async function catalogItem<K extends ServersTreeNode['kind'], T>(kind: CatalogItemKind<K, T>, arg: unknown, s: ServerSnapshot, name: string | undefined): Promise<T> {
    const node = nodeFrom(arg, kind.node);
    if (node) return kind.fromNode(node);
    const items = kind.list(requests.getCatalog(s.id));
    if (name !== undefined) return items.find((x) => kind.named(x, name)) ?? kind.unlisted(s, name);
    return pickItem(items, kind.quickPickItem, `Which ${kind.noun} of '${s.name}'?`);
  }

  /** Runs a request under a cancellable progress notification: cancelling it cancels the request on the server. */
  const withCancellableProgress = <T>(title: string, request: (signal: AbortSignal) => Promise<T>): Promise<T> => Promise.resolve(vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title, cancellable: true },
    async (_p, token) => {
      const cancel = toAbortSignal(token);
      try { return await request(cancel.signal); } finally { cancel.dispose(); }
    },
  ));

  const toolTarget = async (arg: unknown, opts: CatalogCommandOptions, placeHolder: string): Promise<{ s: ServerSnapshot; tool: Tool }> => {
    const s = await server(arg, 'tools', placeHolder, (c) => c.tools.length > 0);
    return { s, tool: await catalogItem(TOOL, arg, s, opts.tool) };
  };

  const callTool: CommandHandler = async (arg, options) => {
    const opts = optionsFrom(options);
    const { s, tool } = await toolTarget(arg, opts, 'Call a tool of which server?');
    requests.checkToolCall?.(s.id, tool.name);
    if (opts.arguments === undefined) { deps.toolForms.show(s, tool); return undefined; }
    const { result, elapsedMs } = await withServer(s, `call '${cleanServerText(tool.name, 80)}' on '${s.name}'`, () => invokeTool(requests, s, tool, opts.arguments));
    deps.log.info(`${s.id}: tools/call ${tool.name} → ${result.isError ? 'error result' : 'ok'} in ${elapsedMs} ms`);
    return result satisfies CallToolResult;
  };

  const readResource: CommandHandler = async (arg, options) => {
    const opts = optionsFrom(options);
    const s = await server(arg, 'resources', 'Read a resource of which server?', (c) => c.resources.length > 0);
    const resource = await catalogItem(RESOURCE, arg, s, opts.uri);
    return openResource(s, resource.uri, resource.title ?? resource.name);
  };

  const openResource = async (s: ServerSnapshot, uri: string, name: string): Promise<vscode.Uri> => {
    const result = await withServer(s, `read '${cleanServerText(uri, 200)}' on '${s.name}'`, () => withCancellableProgress(
      `Reading '${cleanServerText(uri, 120)}' from '${s.name}'`, (signal) => requests.readResource(s.id, uri, { signal }),
    ));
    deps.log.info(`${s.id}: resources/read ${uri}: ${result.contents.length} part(s)`);
    return deps.documents.open('resource', s.name, name, resourceDocument(result.contents, uri));
  };

  const readResourceTemplate: CommandHandler = async (arg, options) => {
    const opts = optionsFrom(options);
    const s = await server(arg, 'resources', 'Read a resource template of which server?', (c) => c.resourceTemplates.length > 0);
    const template = await catalogItem(RESOURCE_TEMPLATE, arg, s, opts.template);
    const { UriTemplate } = await loadSdk(); // the SDK's RFC 6570 implementation (loaded already if the server ran)
    const variables = templateVariables(UriTemplate, template.uriTemplate);
    const values: Record<string, string> = {};
    const given = opts.arguments ?? {};
    const canComplete = !!(s.state.kind === 'running' && s.state.capabilities?.completions);
    for (const [i, name] of variables.entries()) {
      if (typeof given[name] === 'string') { values[name] = given[name]; continue; }
      const uriTemplate = template.uriTemplate;
      values[name] = await askArgument({
        title: `${pickerText(template.title ?? template.name)}: ${name}`, step: i + 1, totalSteps: variables.length, required: true,
        prompt: `Value of {${name}} in ${pickerText(uriTemplate)}`,
        complete: canComplete ? (value) => completeValues(s, { type: 'ref/resource', uri: uriTemplate }, name, value, values) : undefined,
      });
    }
    let uri: string;
    try { uri = expandTemplate(UriTemplate, template.uriTemplate, values); } catch (err) { throw new UserFacingError(`The resource template '${cleanServerText(template.uriTemplate, 200)}' is not valid: ${errorMessage(err)}`); }
    return openResource(s, uri, lastSegment(uri));
  };

  const getPrompt: CommandHandler = async (arg, options) => {
    const opts = optionsFrom(options);
    const s = await server(arg, 'prompts', 'Get a prompt of which server?', (c) => c.prompts.length > 0);
    const prompt = await catalogItem(PROMPT, arg, s, opts.prompt);
    const args: Record<string, string> = {};
    const declared: readonly PromptArgument[] = prompt.arguments ?? [];
    const canComplete = !!(s.state.kind === 'running' && s.state.capabilities?.completions);
    if (opts.arguments) {
      for (const [k, v] of Object.entries(opts.arguments)) if (typeof v === 'string') args[k] = v;
    } else {
      const promptName = prompt.name;
      for (const [i, a] of declared.entries()) {
        const value = await askArgument({
          title: `${pickerText(prompt.title ?? prompt.name)}: ${pickerText(a.name)}`, step: i + 1, totalSteps: declared.length, required: !!a.required,
          prompt: a.description ? pickerText(a.description, 300) : `Value of ${pickerText(a.name)}`,
          complete: canComplete ? (v) => completeValues(s, { type: 'ref/prompt', name: promptName }, a.name, v, args) : undefined,
        });
        if (value !== '') args[a.name] = value;
      }
    }
    const missing = declared.filter((a) => a.required && !(a.name in args));
    if (missing.length) throw new UserFacingError(`The prompt '${cleanServerText(prompt.name, 80)}' needs: ${missing.map((a) => cleanServerText(a.name, 40)).join(', ')}.`);
    const promptName = prompt.name;
    const result = await withServer(s, `get the prompt '${cleanServerText(promptName, 80)}' on '${s.name}'`, () => withCancellableProgress(
      `Getting prompt '${cleanServerText(promptName, 80)}' from '${s.name}'`, (signal) => requests.getPrompt(s.id, promptName, args, { signal }),
    ));
    deps.log.info(`${s.id}: prompts/get ${promptName}: ${result.messages.length} message(s)`);
    return deps.documents.open('prompt', s.name, `${promptName}.txt`, promptDocument(result, { server: s.name, prompt: promptName, args }));
  };

  const copyToolSchema: CommandHandler = async (arg) => {
    const { tool } = await toolTarget(arg, {}, 'Copy a tool schema of which server?');
    await vscode.env.clipboard.writeText(JSON.stringify(tool.inputSchema, null, 2));
    vscode.window.setStatusBarMessage(`$(check) Copied the input schema of '${pickerText(tool.name, 80)}'`, 3_000);
  };

  const copyResourceUri: CommandHandler = async (arg) => {
    const resNode = nodeFrom(arg, 'resource');
    const tplNode = nodeFrom(arg, 'resourceTemplate');
    let uri = resNode?.resource.uri ?? tplNode?.template.uriTemplate;
    if (uri === undefined) {
      const s = await server(arg, 'resources', 'Copy a resource URI of which server?', (c) => c.resources.length + c.resourceTemplates.length > 0);
      const c = requests.getCatalog(s.id);
      const all: { uri: string; item: vscode.QuickPickItem }[] = [
        ...c.resources.map((r) => ({ uri: r.uri, item: resourceItem(r) })),
        ...c.resourceTemplates.map((t) => ({ uri: t.uriTemplate, item: templateItem(t) })),
      ];
      uri = (await pickItem(all, (x) => x.item, `Copy which URI of '${s.name}'?`)).uri;
    }
    await vscode.env.clipboard.writeText(uri);
    vscode.window.setStatusBarMessage(`$(check) Copied ${pickerText(uri, 120)}`, 3_000);
  };

  /** Completion values for an argument (empty on any failure: completions are a convenience). */
  async function completeValues(s: ServerSnapshot, ref: { type: 'ref/prompt'; name: string } | { type: 'ref/resource'; uri: string }, name: string, value: string, context: Record<string, string>): Promise<string[]> {
    try {
      const r = await requests.complete(s.id, { ref, argument: { name, value }, context: Object.keys(context).length ? { arguments: { ...context } } : undefined }, { timeoutMs: COMPLETION_TIMEOUT_MS });
      return r.completion.values.filter((v): v is string => typeof v === 'string').slice(0, 100);
    } catch (err) {
      deps.log.debug(`${s.id}: completion/complete for ${name} failed: ${errorMessage(err)}`);
      return [];
    }
  }

  return { callTool, readResource, readResourceTemplate, getPrompt, copyToolSchema, copyResourceUri };
}

function toolItem(t: Tool): vscode.QuickPickItem {
  return {
    label: `$(${isDestructive(t) ? 'warning' : 'symbol-method'}) ${pickerText(t.title ?? t.annotations?.title ?? t.name)}`,
    description: t.title && t.title !== t.name ? pickerText(t.name) : undefined,
    detail: t.description ? pickerText(t.description, 200) : undefined,
  };
}

function resourceItem(r: Resource): vscode.QuickPickItem {
  return { label: `$(file) ${pickerText(r.title ?? r.name)}`, description: pickerText(r.uri, 200), detail: [r.mimeType, r.description].filter(Boolean).map((x) => pickerText(x!, 200)).join(' · ') || undefined };
}

function templateItem(t: ResourceTemplate): vscode.QuickPickItem {
  return { label: `$(file-symlink-file) ${pickerText(t.title ?? t.name)}`, description: pickerText(t.uriTemplate, 200), detail: t.description ? pickerText(t.description, 200) : undefined };
}

function promptItem(p: Prompt): vscode.QuickPickItem {
  const args = (p.arguments ?? []).map((a) => `${a.name}${a.required ? '*' : ''}`).join(', ');
  return { label: `$(comment) ${pickerText(p.title ?? p.name)}`, description: args ? pickerText(`(${args})`, 120) : undefined, detail: p.description ? pickerText(p.description, 200) : undefined };
}

function lastSegment(uri: string): string {
  const seg = uri.replace(/[?#].*$/, '').split('/').filter(Boolean).pop();
  return seg ? cleanServerText(decodeURIComponentSafe(seg), 80) : 'resource';
}

function decodeURIComponentSafe(s: string): string {
  try { return decodeURIComponent(s); } catch { return s; }
}

interface AskOptions {
  readonly title: string;
  readonly prompt: string;
  readonly step: number;
  readonly totalSteps: number;
  readonly required: boolean;
  /** Completion values for what is typed so far; without it a plain InputBox asks. */
  readonly complete?: (value: string) => Promise<string[]>;
}

/**
 * Asks one argument. With completions: a QuickPick whose items are the server's suggestions for what is typed (the
 * typed text itself is always accepted). Escape cancels the whole command; an optional argument may be left empty.
 */
export async function askArgument(o: AskOptions): Promise<string> {
  if (!o.complete) {
    const v = await vscode.window.showInputBox({
      title: o.title, prompt: `${o.prompt}${o.required ? '' : ' (optional: leave empty to omit)'}`, ignoreFocusOut: true,
      validateInput: (x) => (o.required && x === '' ? 'A value is required.' : undefined),
    });
    if (v === undefined) throw new UserCancelledError();
    return v;
  }
  const complete = o.complete;
  const qp = vscode.window.createQuickPick<vscode.QuickPickItem & { value: string }>();
  qp.title = o.title;
  qp.step = o.step;
  qp.totalSteps = o.totalSteps;
  qp.placeholder = `${o.prompt}${o.required ? '' : ' (optional: Enter on an empty box omits it)'}`;
  qp.ignoreFocusOut = true;
  qp.matchOnDescription = false;
  let generation = 0;
  let timer: NodeJS.Timeout | undefined;
  const refresh = (value: string) => {
    clearTimeout(timer);
    const g = ++generation;
    timer = setTimeout(() => {
      qp.busy = true;
      void complete(value).then((values) => {
        if (g !== generation) return;
        qp.busy = false;
        const typed = value !== '' && !values.includes(value) ? [{ label: pickerText(value), description: 'typed value', value, alwaysShow: true }]
          : value === '' && !o.required ? [{ label: '$(circle-slash) Omit', description: 'leave this optional argument out', value: '', alwaysShow: true }] : [];
        qp.items = [...typed, ...values.map((v) => ({ label: pickerText(v), value: v, alwaysShow: true }))];
      });
    }, value === '' ? 0 : COMPLETION_DEBOUNCE_MS);
  };
  try {
    return await new Promise<string>((resolve, reject) => {
      qp.onDidChangeValue(refresh);
      qp.onDidAccept(() => {
        const value = qp.selectedItems[0]?.value ?? qp.value;
        if (o.required && value === '') { qp.placeholder = `A value is required. ${o.prompt}`; return; }
        resolve(value);
        qp.hide();
      });
      qp.onDidHide(() => reject(new UserCancelledError()));
      qp.show();
      refresh('');
    });
  } finally {
    clearTimeout(timer);
    qp.dispose();
  }
}
