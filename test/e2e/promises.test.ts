/**
 * Declared behaviour that has to hold in the real VS Code: autoStart "onStartup" without the view ever opened,
 * a tree that keeps an expansion made while a server starts, and the JSON-RPC trace of mcpManager.trace.
 */
import * as assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Workbench, filesContaining, fixtureServer, makeWorkspace, useWorkbench } from './workbench';
import { isAlive } from '../shared/process';
import { until } from '../shared/wait';

const pidsIn = (file: string): number[] => (existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean).map(Number) : []);

/** The workbench takes its time: e2e waits poll every 200 ms for up to a minute. */
const E2E_WAIT = { timeoutMs: 60_000, intervalMs: 200 };

/** The extension's own log (the "MCP Manager" channel's file), once it exists. */
const extensionLog = (wb: Workbench): string => {
  const file = wb.extensionLogFiles().find((f) => f.endsWith('MCP Manager.log'));
  return file ? readFileSync(file, 'utf8') : '';
};

function autoStartSuite(autoStart: 'onStartup' | 'never'): void {
  describe(`mcpManager.autoStart "${autoStart}" (the view is never opened)`, () => {
    const dir = makeWorkspace({});
    const pidFile = join(dir, 'pids');
    const wb = useWorkbench({
      workspace: makeWorkspace({
        '.vscode/mcp.json': JSON.stringify({ servers: { early: { type: 'stdio', command: 'node', args: [fixtureServer('mcpServer.mjs')], env: { FIXTURE_PID_FILE: pidFile } } } }),
      }),
      settings: { 'mcpManager.autoStart': autoStart, 'mcpManager.confirmFirstStart': false },
      label: `autostart-${autoStart}`,
    });
    after(() => { for (const pid of pidsIn(pidFile)) if (isAlive(pid)) process.kill(pid, 'SIGKILL'); });

    it(autoStart === 'onStartup' ? 'starts the workspace server when the window opens' : 'activates after startup and spawns nothing', async () => {
      await until('the extension to activate after startup', () => /\[activate\] activated/.test(extensionLog(wb())), E2E_WAIT);
      if (autoStart === 'onStartup') {
        await until('the server process', () => pidsIn(pidFile).some(isAlive), E2E_WAIT);
        await until('the server to run', () => /early: auto-starting/.test(extensionLog(wb())), E2E_WAIT);
      } else {
        await new Promise((r) => setTimeout(r, 3_000));
        assert.deepEqual(pidsIn(pidFile), [], 'nothing spawned');
      }
      const sidebarOpen = await wb().page.locator('.part.sidebar .composite.title', { hasText: 'MCP Manager' }).isVisible();
      assert.equal(sidebarOpen, false, 'the MCP Manager view was never opened');
    });
  });
}
autoStartSuite('onStartup');
autoStartSuite('never');

describe('Tree: an expansion made while a server starts is kept', () => {
  const wb = useWorkbench({
    workspace: makeWorkspace({ 'README.md': 'tree e2e\n' }),
    settings: {
      'mcpManager.servers': {
        slowpoke: { type: 'stdio', command: 'node', args: [fixtureServer('mcpServer.mjs')], env: { FIXTURE_DELAY_START_MS: '4000', FIXTURE_DELAY_LIST_MS: '4000' } },
      },
    },
    label: 'tree-expand',
  });

  it('Start Server, expand at once: "Starting…", then "loading…", then the groups, without a second click', async () => {
    await wb().openMcpManager();
    await wb().waitForServer('slowpoke', /stopped/);
    await wb().runCommand('Start Server');
    await wb().pickQuickItem('slowpoke');
    await wb().waitForServer('slowpoke', /starting/);
    await wb().expandTreeRow('slowpoke');
    await wb().treeRow('Starting…').waitFor({ timeout: 10_000 });
    await wb().screenshot('40-expanded-while-starting');
    await wb().waitForServer('slowpoke', /running/, 30_000);
    const loading = (await wb().treeRows()).find((r) => r.label === 'slowpoke');
    assert.match(loading?.description ?? '', /loading…/, 'the description says the catalog is loading, not "0 tools"');
    await wb().treeRow('Loading tools, resources and prompts…').waitFor({ timeout: 10_000 });
    await wb().treeRow('Tools').waitFor({ timeout: 30_000 });
    assert.equal(await wb().treeRow('slowpoke').getAttribute('aria-expanded'), 'true', 'still expanded');
    const rows = await wb().treeRows();
    assert.match(rows.find((r) => r.label === 'slowpoke')?.description ?? '', /\d+ tools/);
    assert.ok(!rows.some((r) => r.label.startsWith('Loading') || r.label === 'Starting…'), 'the pending row is gone');
    await wb().screenshot('41-groups-after-start');
  });
});

describe('mcpManager.trace in the server log', () => {
  const SECRET = 'e2e-trace-secret-7d41';
  const wb = useWorkbench({
    workspace: makeWorkspace({ 'README.md': 'trace e2e\n' }),
    settings: {
      'mcpManager.trace': 'verbose',
      'mcpManager.servers': {
        traced: { type: 'stdio', command: 'node', args: [fixtureServer('mcpServer.mjs')], env: { FIXTURE_SECRET: '${input:traceSecret}', FIXTURE_SECRET_IN_TOOLS: '1' } },
      },
      'mcpManager.inputs': [{ type: 'promptString', id: 'traceSecret', description: 'Trace secret', password: true }],
    },
    label: 'trace',
  });
  const serverLog = (): string => {
    const file = wb().extensionLogFiles().find((f) => /MCP Manager:? traced\.log$/.test(f)); // VS Code drops the colon
    return file ? readFileSync(file, 'utf8') : '';
  };
  const count = (text: string, re: RegExp): number => text.match(new RegExp(re.source, 'g'))?.length ?? 0;

  it('verbose: the tools/list response body is in the log, its secret masked', async () => {
    await wb().openMcpManager();
    await wb().runCommand('Start Server');
    await wb().pickQuickItem('traced');
    await wb().answerInput(/traceSecret|Trace secret/, SECRET, { password: true });
    await wb().waitForServer('traced', /running/);
    // The log shows Info by default, so the trace says how to see it, once.
    await until('the trace hint', () => /mcpManager\.trace is "verbose", but this log hides Trace lines/.test(serverLog()), E2E_WAIT);
    await wb().runCommand('Set Log Level...', 'Developer');
    await wb().pickQuickItem(/MCP Manager: traced/);
    await wb().pickQuickItem(/^Trace/);
    await wb().runCommand('Refresh');
    await until('a traced tools/list', () => /← response #\d+ tools\/list/.test(serverLog()), E2E_WAIT);
    await wb().runCommand('Show Server Log');
    await wb().pickQuickItem('traced');
    await wb().waitForOutput(/\[trace\]/); // the server's channel is shown
    await wb().filterOutput('whoami'); // as a user looks for one tool in a long log
    const body = await wb().waitForOutput(/Signed in with ••••/);
    assert.match(body, /"name":\s*"whoami"/, 'the tools/list body is in the log, its secret masked');
    assert.ok(!body.includes(SECRET));
    await wb().screenshot('42-trace-verbose');
    const log = serverLog();
    assert.match(log, /\[debug\] \[trace\] ← response #\d+ tools\/list \(\d+\.\d KB, \d+ ms\)/, 'one summary line per message');
    assert.match(log, /\[trace\] \[trace\] ← \{"jsonrpc":"2\.0","id":\d+,"result":\{"tools":\[.*"whoami".*Signed in with ••••/, 'the body, at Trace');
    await wb().filterOutput('');
    assert.match(serverLog(), /\[trace\] ← \{"jsonrpc":"2\.0","id":\d+,"result":\{"tools":\[.*"whoami".*Signed in with ••••/, 'the body, masked');
    assert.deepEqual(filesContaining(wb().server.userDataDir, SECRET), [], 'the secret is in no file');
  });

  it('off (changed while it runs): no more trace lines', async () => {
    await wb().setEnumSetting('mcpManager.trace', 'off');
    const before = serverLog();
    await wb().runCommand('Refresh');
    await until('the refreshed catalog', () => count(serverLog(), /\[supervisor\] catalog:/) > count(before, /\[supervisor\] catalog:/), E2E_WAIT);
    assert.equal(count(serverLog(), /\[trace\]/), count(before, /\[trace\]/), 'no trace line after "off"');
    assert.equal(wb().page.isClosed(), false);
  });
});
