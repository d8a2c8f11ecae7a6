/**
 * A storm of `notifications/tools/list_changed` against a server whose tools/list is slow (issue 13, Load): the
 * refreshes it causes are bounded by (debounce + listing time) and do not queue up behind each other, so they end with
 * the storm; the last change is not lost. Real SDK `Server` over InMemoryTransport, real ServerManager → McpSession.
 */
import * as assert from 'node:assert/strict';
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { CallToolRequestSchema, ListToolsRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import { ServerManager, launchesFrom } from '../../../src/servers/serverManager';
import { until } from '../../shared/wait';
import { inMemoryServer } from './inMemoryServer';
import { MemorySink, TEST_CLIENT_INFO, stdioDefinition, testResolver } from './helpers';

const LIST_MS = 200;
const DEBOUNCE_MS = 20;
const STORM_MS = 1_000;

describe('A list_changed storm', function () {
  this.timeout(30_000);
  let manager: ServerManager | undefined;
  afterEach(async () => { if (manager) { await manager.stopAll(2_000); manager.dispose(); manager = undefined; } });

  it('costs at most one tools/list per debounce + listing, none queued behind the storm, and the last change is listed', async () => {
    let version = 0;
    let lists = 0;
    const makeServer = (): Server => {
      const server = new Server({ name: 'storm', version: '1.0.0' }, { capabilities: { tools: { listChanged: true } } });
      server.setRequestHandler(ListToolsRequestSchema, async () => {
        lists++;
        const v = version; // what changed up to now
        await new Promise((r) => setTimeout(r, LIST_MS));
        return { tools: [{ name: 'storm', inputSchema: { type: 'object' as const } }, { name: `v${v}`, inputSchema: { type: 'object' as const } }] };
      });
      server.setRequestHandler(CallToolRequestSchema, async () => {
        const end = Date.now() + STORM_MS;
        await new Promise<void>((resolve) => {
          const timer = setInterval(() => {
            version++;
            void server.sendToolListChanged();
            if (Date.now() >= end) { clearInterval(timer); resolve(); }
          }, 5);
        });
        return { content: [{ type: 'text', text: `sent ${version}` }] };
      });
      return server;
    };
    const d = stdioDefinition('storm', { restart: false, ping: false });
    manager = new ServerManager({
      prepareStart: launchesFrom(testResolver), clientInfo: TEST_CLIENT_INFO,
      transports: { stdio: inMemoryServer(makeServer) }, sinkFor: () => new MemorySink(), timing: { listChangedDebounceMs: DEBOUNCE_MS },
    });
    await manager.setDefinitions([d]);
    await manager.start(d.id);
    const before = lists;
    await manager.callTool(d.id, 'storm');
    const last = version;
    // Settled: no tools/list for several listing times. Unbounded, the ~50 debounced refreshes of the storm would
    // still be queued here, one listing after the other, for ~10 s.
    let seen = lists; let quietSince = Date.now();
    await until('no more tools/list', () => {
      if (lists !== seen) { seen = lists; quietSince = Date.now(); }
      return Date.now() - quietSince >= 4 * LIST_MS;
    }, { timeoutMs: 20_000 });
    const during = lists - before;
    assert.ok(during <= Math.ceil(STORM_MS / (DEBOUNCE_MS + LIST_MS)) + 3, `${during} tools/list for one storm`);
    assert.ok(during >= 2, `the catalog was refreshed during the storm, not only after it (${during})`);
    assert.ok(manager.getCatalog(d.id).tools.some((t) => t.name === `v${last}`), `the last change (v${last}) is listed: ${manager.getCatalog(d.id).tools.map((t) => t.name).join(', ')}`);
  });
});
