import * as assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { type IncomingHttpHeaders, type Server, createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { filesContaining, fixtureServer, useWorkbench } from './workbench';

/**
 * Issue #12 in the real VS Code: who defined a server decides which secrets it sees and what the user confirms.
 * Two checkouts of one project (same folder name `app`, same mcp.json inputs) in one VS Code: the second is asked for
 * its own password, never handed the first one's; a workspace-defined HTTP server asks before its first connection,
 * naming the host and the `${env:…}` it would send, and Cancel sends nothing.
 */
const SECRET_A = `trust-secret-A-${Date.now()}-xyzzy`;
const SECRET_B = `trust-secret-B-${Date.now()}-xyzzy`;
const ENV_KEY = `trust-env-key-${Date.now()}-xyzzy`;
const sha256 = (s: string): string => createHash('sha256').update(s).digest('hex');

function checkout(dir: string, secret: string, collectorPort: number): void {
  mkdirSync(join(dir, '.vscode'), { recursive: true });
  writeFileSync(join(dir, '.vscode', 'mcp.json'), JSON.stringify({
    inputs: [{ type: 'promptString', id: 'token', description: 'Token for alpha', password: true }],
    servers: {
      // The fixture exits at once unless FIXTURE_TOKEN is exactly this checkout's own secret.
      alpha: { type: 'stdio', command: 'node', args: [fixtureServer('mcpServer.mjs')], env: { FIXTURE_TOKEN: '${input:token}', FIXTURE_EXPECT_TOKEN_SHA256: sha256(secret) } },
      collector: { type: 'http', url: `http://127.0.0.1:${collectorPort}/mcp`, headers: { 'X-Api-Key': '${env:MCPM_E2E_KEY}' } },
    },
  }, null, 2));
}

describe('Trust: secrets and consent belong to the workspace that defined the server', () => {
  const root = mkdtempSync(join(tmpdir(), 'mcpm-trust-'));
  process.once('exit', () => rmSync(root, { recursive: true, force: true }));
  const one = join(root, 'one', 'app');
  const two = join(root, 'two', 'app');
  const received: IncomingHttpHeaders[] = [];
  let collector: Server | undefined;

  const wb = useWorkbench(async () => {
    collector = createServer((req, res) => { received.push(req.headers); res.writeHead(500).end('collector'); });
    await new Promise<void>((resolve) => collector!.listen(0, '127.0.0.1', resolve));
    const port = (collector.address() as { port: number }).port;
    checkout(one, SECRET_A, port);
    checkout(two, SECRET_B, port);
    return { workspace: one, inPlace: true, env: { MCPM_E2E_KEY: ENV_KEY }, label: 'trust' };
  });
  after(() => { collector?.close(); });

  it('a workspace HTTP server asks before it connects: the dialog names host, header and variable; Cancel sends nothing', async () => {
    await wb().openMcpManager();
    await wb().waitForServer('collector', /stopped/);
    await wb().treeContextMenu('collector', 'Start Server');
    const dialog = await wb().answerDialog('Cancel');
    assert.match(dialog, /Connect to the MCP server "collector"/);
    assert.match(dialog, new RegExp(`127\\.0\\.0\\.1:${(collector!.address() as { port: number }).port}`), 'names the host');
    assert.match(dialog, /X-Api-Key/, 'names the header');
    assert.match(dialog, /\$\{env:MCPM_E2E_KEY\}/, 'names the variable it would send');
    assert.ok(!dialog.includes(ENV_KEY), 'shows no value');
    await wb().waitForServer('collector', /stopped/);
    await new Promise((r) => setTimeout(r, 2_000));
    assert.deepEqual(received, [], 'Cancel: no request reached the server');

    await wb().treeContextMenu('collector', 'Start Server');
    await wb().answerDialog('Connect');
    await wb().waitForServer('collector', /failed|stopped|restarting/);
    assert.ok(received.length > 0, 'after Connect the server is reached');
    assert.equal(received[0]?.['x-api-key'], ENV_KEY, 'with the agreed variable');
  });

  it('two checkouts named "app": the second is asked for its own password and confirms its own start', async () => {
    await wb().runCommand('Start Server');
    await wb().pickQuickItem('alpha');
    await wb().answerInput(/token/, SECRET_A, { password: true });
    const first = await wb().answerDialog('Start Server');
    assert.match(first, /Start the MCP server "alpha"/);
    await wb().waitForServer('alpha', /running/);

    const page = await wb().context.newPage();
    await page.goto(`${wb().server.url}/?folder=${encodeURIComponent(two)}`);
    await page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
    const other = wb().onPage(page);
    await other.openMcpManager();
    await other.waitForServer('alpha', /stopped/);
    await other.runCommand('Start Server');
    await other.pickQuickItem('alpha');
    // Asked again: the value stored for ../one/app is not this checkout's.
    await other.answerInput(/token/, SECRET_B, { password: true });
    const second = await other.answerDialog('Start Server');
    assert.match(second, /Start the MCP server "alpha"/, 'its first start is confirmed again (consent is per owner)');
    // The fixture exits unless it got SECRET_B: running proves the second checkout used its own value.
    await other.waitForServer('alpha', /running/);
    await page.close();
  });

  it('keeps both passwords and the env value out of every file VS Code wrote', () => {
    for (const secret of [SECRET_A, SECRET_B, ENV_KEY]) {
      assert.deepEqual(filesContaining(wb().server.runDir, secret), [], `${secret.slice(0, 16)}… found in a file`);
    }
  });
});
