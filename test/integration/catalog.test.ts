import * as assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CallToolResult, Tool } from '@modelcontextprotocol/sdk/types.js';
import * as vscode from 'vscode';
import { EXTENSION_ID } from '../../src/common/contracts';
import type { ServerId } from '../../src/common/serverId';
import type { ServerState } from '../../src/common/serverState';
import type { McpManagerApi } from '../../src/extension';
import { CALL_TOOL_VIEW_TYPE } from '../../src/views/callToolPanel';
import { MCP_DOCUMENT_SCHEME } from '../../src/views/mcpDocuments';
import * as wait from '../shared/wait';
import { untilServers } from './helpers';

/** Issue #6: exercising a server (tools, resources, templates, prompts) through the commands' own code paths. */
describe('Catalog commands in the extension host (server-everything)', function () {
  this.timeout(60_000);
  const NAME = 'catalog-everything';
  const ID = `settings:user#${NAME}` as ServerId;
  /** The fault-injection fixture, which logs every request it receives. */
  const FIXTURE_ID = 'settings:user#catalog-fixture' as ServerId;
  const dir = mkdtempSync(join(tmpdir(), 'mcpm-catalog-'));
  const requestLog = join(dir, 'requests.log');
  const received = (): string[] => (existsSync(requestLog) ? readFileSync(requestLog, 'utf8').split('\n').filter(Boolean) : []);
  let api: McpManagerApi;
  let previousServers: unknown;

  function state(): ServerState | undefined { return api.servers.get(ID)?.state; }
  const until = (what: string, predicate: () => boolean, timeoutMs?: number): Promise<void> => untilServers(api, what, predicate, timeoutMs);
  const poll = <T>(what: string, probe: () => T | undefined | Promise<T | undefined>, timeoutMs = 20_000): Promise<T> => wait.until(what, probe, { timeoutMs, intervalMs: 200 });
  async function openedText(uri: unknown): Promise<vscode.TextDocument> {
    assert.ok(uri instanceof vscode.Uri, `the command returns the document URI (got ${String(uri)})`);
    assert.equal(uri.scheme, MCP_DOCUMENT_SCHEME);
    return vscode.workspace.openTextDocument(uri);
  }

  before(async () => {
    const ext = vscode.extensions.getExtension<McpManagerApi>(EXTENSION_ID);
    assert.ok(ext);
    api = await ext.activate();
    const config = vscode.workspace.getConfiguration('mcpManager');
    previousServers = config.inspect('servers')?.globalValue;
    const serverJs = join(ext.extensionPath, 'node_modules', '@modelcontextprotocol', 'server-everything', 'dist', 'index.js');
    await config.update('servers', {
      ...(typeof previousServers === 'object' ? previousServers : {}),
      [NAME]: { type: 'stdio', command: 'node', args: [serverJs, 'stdio'] },
      'catalog-fixture': { type: 'stdio', command: 'node', args: [join(ext.extensionPath, 'test', 'fixtures', 'servers', 'mcpServer.mjs')], env: { FIXTURE_REQUEST_LOG: requestLog } },
    }, vscode.ConfigurationTarget.Global);
    await until('the servers to appear', () => state()?.kind === 'stopped' && api.servers.get(FIXTURE_ID)?.state.kind === 'stopped');
    await vscode.commands.executeCommand('mcpManager.startServer', ID);
    await until('the server to run', () => state()?.kind === 'running');
  });

  after(async () => {
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await vscode.commands.executeCommand('mcpManager.stopServer', ID);
    await vscode.commands.executeCommand('mcpManager.stopServer', FIXTURE_ID);
    await vscode.workspace.getConfiguration('mcpManager').update('servers', previousServers, vscode.ConfigurationTarget.Global);
    rmSync(dir, { recursive: true, force: true });
  });

  it('reports the capabilities the tree groups come from', () => {
    const s = state();
    assert.ok(s?.kind === 'running');
    assert.ok(s.capabilities?.tools && s.capabilities.resources && s.capabilities.prompts && s.capabilities.completions);
  });

  it('calls echo through Call Tool... (validated, with progress) and returns its result', async () => {
    const result = await vscode.commands.executeCommand<CallToolResult>('mcpManager.callTool', ID, { tool: 'echo', arguments: { message: 'hello from the host' } });
    assert.deepEqual(result.content, [{ type: 'text', text: 'Echo: hello from the host' }]);
    assert.notEqual(result.isError, true);
  });

  it('refuses arguments that do not match the schema before sending them', async () => {
    await vscode.commands.executeCommand('mcpManager.startServer', FIXTURE_ID);
    await until('the fixture to run', () => api.servers.get(FIXTURE_ID)?.state.kind === 'running');
    // A valid call reaches the server (once its tools are listed), which logs every request it receives.
    const ok = await poll('a valid call', async () => (await vscode.commands.executeCommand<CallToolResult | undefined>('mcpManager.callTool', FIXTURE_ID, { tool: 'echo', arguments: { text: 'valid' } }))?.content);
    assert.deepEqual(ok, [{ type: 'text', text: 'valid' }]);
    // The command runner turns the InvalidArgumentsError into a notification and returns undefined...
    const refused = await vscode.commands.executeCommand<CallToolResult | undefined>('mcpManager.callTool', FIXTURE_ID, { tool: 'echo', arguments: { text: 42 } });
    assert.equal(refused, undefined);
    // ...and the server never got it: still the one call.
    assert.deepEqual(received().filter((r) => r.startsWith('tools/call')), ['tools/call echo']);
  });

  it('opens the Call Tool form for a tool node from the tree', async () => {
    const tool: Tool = { name: 'echo', inputSchema: { type: 'object', properties: { message: { type: 'string' } }, required: ['message'] } };
    await vscode.commands.executeCommand('mcpManager.callTool', { kind: 'tool', serverId: ID, tool });
    const tab = await poll('the webview tab', () => vscode.window.tabGroups.all.flatMap((g) => g.tabs)
      .find((t) => t.input instanceof vscode.TabInputWebview && t.input.viewType.endsWith(CALL_TOOL_VIEW_TYPE)));
    assert.match(tab.label, /Call Tool: echo/);
  });

  it('reads a resource into a read-only document in its language', async () => {
    const uri = await vscode.commands.executeCommand('mcpManager.readResource', ID, { uri: 'demo://resource/static/document/architecture.md' });
    const doc = await openedText(uri);
    assert.match(doc.getText(), /^# Everything Server/);
    assert.equal(doc.languageId, 'markdown');
  });

  it('reads a resource node from the tree', async () => {
    const resource = { uri: 'demo://resource/static/document/features.md', name: 'features.md', mimeType: 'text/markdown' };
    const doc = await openedText(await vscode.commands.executeCommand('mcpManager.readResource', { kind: 'resource', serverId: ID, resource }));
    assert.ok(doc.getText().length > 0);
  });

  it('reads a resource template with its parameter filled in, and describes binary content', async () => {
    const text = await openedText(await vscode.commands.executeCommand('mcpManager.readResourceTemplate', ID, { template: 'demo://resource/dynamic/text/{resourceId}', arguments: { resourceId: '7' } }));
    assert.match(text.getText(), /7/);
    const blob = await openedText(await vscode.commands.executeCommand('mcpManager.readResourceTemplate', ID, { template: 'demo://resource/dynamic/blob/{resourceId}', arguments: { resourceId: '3' } }));
    assert.match(blob.getText(), /Binary content \(.+\), \d+ bytes — not shown as text\./);
  });

  it('gets a prompt with arguments as a readable document', async () => {
    const doc = await openedText(await vscode.commands.executeCommand('mcpManager.getPrompt', ID, { prompt: 'args-prompt', arguments: { city: 'Lisbon' } }));
    assert.match(doc.getText(), /^Prompt: args-prompt/);
    assert.match(doc.getText(), /Arguments: city = "Lisbon"/);
    assert.match(doc.getText(), /━━ user ━━\n.*Lisbon/);
  });

  it('copies a tool schema and a resource URI', async () => {
    const tool: Tool = { name: 'echo', inputSchema: { type: 'object', properties: { message: { type: 'string' } } } };
    await vscode.commands.executeCommand('mcpManager.copyToolSchema', { kind: 'tool', serverId: ID, tool });
    assert.deepEqual(JSON.parse(await vscode.env.clipboard.readText()), tool.inputSchema);
    await vscode.commands.executeCommand('mcpManager.copyResourceUri', { kind: 'resourceTemplate', serverId: ID, template: { name: 't', uriTemplate: 'demo://resource/dynamic/text/{resourceId}' } });
    assert.equal(await vscode.env.clipboard.readText(), 'demo://resource/dynamic/text/{resourceId}');
  });

  it('routes the server\'s stderr and notifications/message to its log channel', async () => {
    // The everything server logs through notifications/message (at once, then every 5 s) once simulated logging is on.
    await vscode.commands.executeCommand('mcpManager.callTool', ID, { tool: 'toggle-simulated-logging', arguments: {} });
    try {
      await vscode.commands.executeCommand('mcpManager.showServerLog', ID);
      const logDoc = () => vscode.workspace.textDocuments.find((d) => d.uri.scheme === 'output' && d.uri.toString().includes(NAME));
      const text = await poll('stderr and a notifications/message line in the server log', () => {
        const t = logDoc()?.getText() ?? '';
        return t.includes('[server stderr] Starting default (STDIO) server...') && t.includes('[server log') ? t : undefined;
      }, 25_000);
      assert.match(text, /\[server log[^\]]*\] /);
    } finally {
      await vscode.commands.executeCommand('mcpManager.callTool', ID, { tool: 'toggle-simulated-logging', arguments: {} });
    }
  });
});
