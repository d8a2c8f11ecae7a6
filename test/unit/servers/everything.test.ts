import * as assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { ListRootsRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import type { ServerDefinition } from '../../../src/common/config/types';
import { makeServerId } from '../../../src/common/serverId';
import { ProcessLedger } from '../../../src/servers/ledger';
import { ServerManager, launchesFrom, stdioTransportFactory } from '../../../src/servers/serverManager';
import type { ServerCatalog } from '../../../src/common/model';
import { isAlive } from '../../shared/process';
import { until } from '../../shared/wait';
import { MemorySink, TEST_CLIENT_INFO, everythingServer, testResolver } from './helpers';

/** Lists the server with the raw SDK client (same capabilities: roots), following every cursor. */
async function rawListing(): Promise<{ tools: string[]; resources: string[]; templates: string[]; prompts: string[] }> {
  const client = new Client({ name: 'raw', version: '0' }, { capabilities: { roots: { listChanged: true } } });
  client.setRequestHandler(ListRootsRequestSchema, () => ({ roots: [] }));
  await client.connect(new StdioClientTransport({ command: process.execPath, args: [everythingServer(), 'stdio'], stderr: 'ignore' }));
  try {
    await new Promise((r) => setTimeout(r, 300)); // let the server's post-initialize registrations land
    const all = async <T>(list: (cursor?: string) => Promise<{ nextCursor?: string } & Record<string, unknown>>, key: string, pick: (x: T) => string): Promise<string[]> => {
      const out: string[] = [];
      let cursor: string | undefined;
      do { const page = await list(cursor); out.push(...(page[key] as T[]).map(pick)); cursor = page.nextCursor; } while (cursor);
      return out.sort();
    };
    return {
      tools: await all<{ name: string }>((cursor) => client.listTools({ cursor }), 'tools', (t) => t.name),
      resources: await all<{ uri: string }>((cursor) => client.listResources({ cursor }), 'resources', (r) => r.uri),
      templates: await all<{ uriTemplate: string }>((cursor) => client.listResourceTemplates({ cursor }), 'resourceTemplates', (t) => t.uriTemplate),
      prompts: await all<{ name: string }>((cursor) => client.listPrompts({ cursor }), 'prompts', (p) => p.name),
    };
  } finally {
    await client.close();
  }
}

describe('@modelcontextprotocol/server-everything over stdio', function () {
  this.timeout(60_000);
  let manager: ServerManager | undefined;
  let dir: string;
  const def: ServerDefinition = {
    id: makeServerId({ kind: 'userSettings' }, 'everything'),
    name: 'everything',
    source: { kind: 'userSettings' },
    config: { type: 'stdio', command: process.execPath, args: [everythingServer(), 'stdio'], env: {} },
    options: { ping: { intervalMs: 500 } },
  };

  beforeEach(() => { dir = mkdtempSync(path.join(tmpdir(), 'mcp-everything-')); });
  afterEach(async () => {
    if (manager) { await manager.stopAll(3_000); manager.dispose(); manager = undefined; }
    rmSync(dir, { recursive: true, force: true });
  });

  it('lists all tools, resources, templates and prompts, handles list_changed after connect, serves roots, and stops cleanly', async () => {
    const sink = new MemorySink();
    let rootsAsked = 0;
    const ledger = new ProcessLedger(path.join(dir, 'ledger.json'));
    manager = new ServerManager({
      prepareStart: launchesFrom(testResolver),
      clientInfo: TEST_CLIENT_INFO,
      transports: { stdio: stdioTransportFactory({ stdinGraceMs: 500, termGraceMs: 500 }) },
      sinkFor: () => sink,
      ledger,
      roots: () => { rootsAsked++; return [{ uri: 'file:///work/project', name: 'project' }]; },
    });
    await manager.setDefinitions([def]);
    const catalogs: ServerCatalog[] = [];
    manager.onDidChangeCatalog((e) => catalogs.push(e.catalog));
    await manager.start(def.id);
    const state = manager.getState(def.id);
    assert.ok(state.kind === 'running' && state.serverInfo?.name === 'mcp-servers/everything', JSON.stringify(state));
    // The revision the handshake negotiated (the SDK's latest both sides speak), shown in the tooltip.
    assert.strictEqual(state.protocolVersion, '2025-11-25');
    assert.ok(state.kind === 'running' && state.capabilities?.tools && state.capabilities.resources && state.capabilities.prompts);

    // The server registers its roots tool only after initialize, announcing it with tools/list_changed.
    await until('tools/list_changed refresh', () => manager!.getCatalog(def.id).tools.some((t) => t.name === 'get-roots-list'));
    const cat = manager.getCatalog(def.id);
    for (const tool of ['echo', 'get-sum', 'get-tiny-image', 'trigger-long-running-operation', 'toggle-simulated-logging']) {
      assert.ok(cat.tools.some((t) => t.name === tool), `tool ${tool} listed`);
    }
    // Everything a plain SDK client lists from the same server (after its own post-initialize registrations).
    const raw = await rawListing();
    assert.deepEqual(cat.tools.map((t) => t.name).sort(), raw.tools);
    assert.deepEqual(cat.resources.map((r) => r.uri).sort(), raw.resources);
    assert.deepEqual(cat.resourceTemplates.map((t) => t.uriTemplate).sort(), raw.templates);
    assert.deepEqual(cat.prompts.map((p) => p.name).sort(), raw.prompts);
    assert.ok(cat.resources.length >= 1 && cat.resourceTemplates.length >= 1 && cat.prompts.length >= 3);
    assert.ok(catalogs.length >= 2, 'an initial listing and a list_changed refresh');
    await until('roots requested by the server', () => rootsAsked > 0);

    const sum = await manager.callTool(def.id, 'get-sum', { a: 2, b: 40 });
    assert.match(JSON.stringify(sum.content), /42/);
    const progress: number[] = [];
    await manager.callTool(def.id, 'trigger-long-running-operation', { duration: 1, steps: 3 }, { onProgress: (p) => progress.push(p.progress) });
    assert.ok(progress.length >= 2, `progress ${JSON.stringify(progress)}`);
    const resource = await manager.readResource(def.id, cat.resources[0].uri);
    assert.ok(resource.contents.length >= 1);
    const prompt = cat.prompts.find((p) => !p.arguments?.some((a) => a.required));
    if (prompt) assert.ok((await manager.getPrompt(def.id, prompt.name)).messages.length >= 1);
    await until('a ping', () => manager!.getHealth(def.id).lastPingLatencyMs !== undefined);

    const pid = manager.getPid(def.id)!;
    assert.deepEqual((await ledger.entries()).map((e) => e.pid), [pid]);
    await manager.stop(def.id);
    await until('server gone', () => !isAlive(pid));
    for (let i = 0; i < 100 && (await ledger.entries()).length; i++) await new Promise((r) => setTimeout(r, 50));
    assert.deepEqual(await ledger.entries(), []);
  });
});
