import * as assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { type Server, createServer } from 'node:http';
import { connect } from 'node:net';
import { join } from 'node:path';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import * as vscode from 'vscode';
import { EXTENSION_ID } from '../../src/common/contracts';
import type { ServerId } from '../../src/common/serverId';
import type { McpManagerApi } from '../../src/extension';
import { untilServers } from './helpers';

/**
 * Issue #5: remote servers are reached the way VS Code's own networking reaches them — through `http.proxy`. The
 * server listens on 127.0.0.2 (VS Code's proxy resolver sends localhost/127.0.0.1 direct, whatever the settings say);
 * the proxy is a real tunnelling (CONNECT) proxy on 127.0.0.1 that records what it carried.
 */
describe('Remote servers through VS Code\'s proxy settings', function () {
  this.timeout(60_000);
  const NAME = 'proxied-everything';
  const ID = `settings:user#${NAME}` as ServerId;
  let api: McpManagerApi;
  let proxy: Server;
  let proxyPort = 0;
  const carried: string[] = [];
  let fixture: ChildProcess | undefined;
  let serverPort = 0;
  const previous: Record<string, unknown> = {};

  const until = (what: string, predicate: () => boolean, timeoutMs?: number): Promise<void> => untilServers(api, what, predicate, timeoutMs);
  async function setting(section: string, key: string, value: unknown): Promise<void> {
    const config = vscode.workspace.getConfiguration(section);
    if (!(`${section}.${key}` in previous)) previous[`${section}.${key}`] = config.inspect(key)?.globalValue;
    await config.update(key, value, vscode.ConfigurationTarget.Global);
  }

  before(async () => {
    const ext = vscode.extensions.getExtension<McpManagerApi>(EXTENSION_ID);
    assert.ok(ext);
    api = await ext.activate();
    // A tunnelling proxy (fetch's proxy agent uses CONNECT for http: and https: alike); anything else is refused.
    proxy = createServer((req, res) => { carried.push(`${req.method} ${req.url}`); res.writeHead(405).end(); });
    proxy.on('connect', (req, socket, head) => {
      carried.push(`CONNECT ${req.url}`);
      const [host, port] = (req.url ?? '').split(':');
      const upstream = connect(Number(port), host, () => {
        socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        upstream.write(head); upstream.pipe(socket); socket.pipe(upstream);
      });
      upstream.on('error', () => socket.destroy());
      socket.on('error', () => upstream.destroy());
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    proxyPort = (proxy.address() as { port: number }).port;

    const script = join(ext.extensionPath, 'test', 'unit', 'remote', 'fixtures', 'everythingHttp.mjs');
    const child = spawn('node', [script, 'http', '0'], { cwd: ext.extensionPath, env: { ...process.env, HOST: '127.0.0.2' }, stdio: ['ignore', 'pipe', 'pipe'] });
    fixture = child;
    serverPort = await new Promise<number>((resolve, reject) => {
      let out = '';
      child.stdout?.on('data', (d: Buffer) => { out += d.toString(); const m = /LISTENING (\d+)/.exec(out); if (m) resolve(Number(m[1])); });
      child.once('exit', (code) => reject(new Error(`the HTTP fixture exited (${code})`)));
    });

    await setting('http', 'proxy', `http://127.0.0.1:${proxyPort}`);
    await setting('http', 'proxySupport', 'override');
    await setting('mcpManager', 'servers', { [NAME]: { type: 'http', url: `http://127.0.0.2:${serverPort}/mcp` } });
    await until('the server to appear', () => api.servers.get(ID)?.state.kind === 'stopped');
  });

  after(async () => {
    await vscode.commands.executeCommand('mcpManager.stopServer', ID);
    for (const [key, value] of Object.entries(previous)) {
      const dot = key.indexOf('.');
      await vscode.workspace.getConfiguration(key.slice(0, dot)).update(key.slice(dot + 1), value, vscode.ConfigurationTarget.Global);
    }
    fixture?.kill('SIGKILL');
    await new Promise<void>((resolve) => { proxy.closeAllConnections(); proxy.close(() => resolve()); });
  });

  it('connects, lists and calls tools through http.proxy', async () => {
    await vscode.commands.executeCommand('mcpManager.startServer', ID);
    await until('the server to run', () => api.servers.get(ID)?.state.kind === 'running');
    const result = await vscode.commands.executeCommand<CallToolResult>('mcpManager.callTool', ID, { tool: 'echo', arguments: { message: 'via the proxy' } });
    assert.deepEqual(result.content, [{ type: 'text', text: 'Echo: via the proxy' }]);
    assert.ok(carried.some((line) => line.includes(`127.0.0.2:${serverPort}`)), `the proxy tunnelled the MCP traffic (proxy saw: ${JSON.stringify(carried)})`);
  });

  it('goes direct again once http.noProxy names the host', async () => {
    await vscode.commands.executeCommand('mcpManager.stopServer', ID);
    await until('the server to stop', () => api.servers.get(ID)?.state.kind === 'stopped');
    await setting('http', 'noProxy', ['127.0.0.2']);
    carried.length = 0;
    await vscode.commands.executeCommand('mcpManager.startServer', ID);
    await until('the server to run', () => api.servers.get(ID)?.state.kind === 'running');
    const result = await vscode.commands.executeCommand<CallToolResult>('mcpManager.callTool', ID, { tool: 'echo', arguments: { message: 'direct' } });
    assert.deepEqual(result.content, [{ type: 'text', text: 'Echo: direct' }]);
    assert.deepEqual(carried, [], 'nothing went through the proxy');
  });
});
