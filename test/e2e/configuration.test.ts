import * as assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fixtureServer, filesContaining, makeWorkspace, useWorkbench } from './workbench';

const SECRET = `e2e-secret-${Date.now()}-xyzzy`;

function mcpJson(pidFile: string): string {
  return JSON.stringify({
    servers: {
      alpha: { type: 'stdio', command: 'node', args: [fixtureServer('mcpServer.mjs')], env: { FIXTURE_TOKEN: '${input:token}', FIXTURE_PID_FILE: pidFile } },
      beta: { url: 'http://127.0.0.1:9/mcp' },
    },
    inputs: [{ type: 'promptString', id: 'token', description: 'Token for alpha', password: true }],
  }, null, 2);
}

describe('Configuration: the servers of .vscode/mcp.json in a real VS Code', () => {
  const pidFile = join(makeWorkspace({}), 'pids.txt');
  const workspace = makeWorkspace({ '.vscode/mcp.json': mcpJson(pidFile) });
  const wb = useWorkbench({ workspace, label: 'config' });

  it('shows each server by name with its transport', async () => {
    await wb().openMcpManager();
    await wb().waitForServer('alpha', /stopped/);
    await wb().waitForServer('beta', /stopped/);
    const rows = await wb().treeRows();
    assert.deepEqual(rows.map((r) => [r.label, r.description.split(' · ')[0]]), [['alpha', 'stdio'], ['beta', 'http']]);
    await wb().screenshot('10-config-servers');
  });

  it('asks a password input once through the real input box, and not again after a reload', async () => {
    await wb().runCommand('Start Server');
    await wb().pickQuickItem('alpha');
    const input = wb().page.locator('.quick-input-widget input[type="password"]');
    await input.waitFor({ timeout: 20_000 });
    await wb().screenshot('11-password-input');
    await input.fill(SECRET);
    await wb().page.keyboard.press('Enter');
    const dialog = await wb().answerDialog('Start Server');
    assert.match(dialog, /node .*mcpServer\.mjs/, 'the confirmation shows the exact command line');
    assert.ok(!dialog.includes(SECRET), 'the secret is not in the confirmation');
    await wb().waitForServer('alpha', /running/);
    await wb().screenshot('12-alpha-running');

    await wb().runCommand('Stop Server');
    await wb().pickQuickItem('alpha');
    await wb().waitForServer('alpha', /stopped/);
    await wb().page.reload();
    await wb().page.locator('.monaco-workbench').waitFor({ timeout: 60_000 });
    await wb().openMcpManager();
    await wb().waitForServer('alpha', /stopped/);
    await wb().runCommand('Start Server');
    await wb().pickQuickItem('alpha');
    await wb().waitForServer('alpha', /running/);
    assert.equal(await wb().page.locator('.quick-input-widget input[type="password"]').isVisible(), false, 'not asked again');
    assert.equal(readFileSync(pidFile, 'utf8').trim().split('\n').length, 2, 'started twice');
  });

  it('shows a broken entry as a configuration error with a diagnostic, while the others still show', async () => {
    const file = join(wb().server.workspaceDir!, '.vscode', 'mcp.json');
    const text = readFileSync(file, 'utf8').replace('"beta": {', '"gamma": { "type": "carrier-pigeon" },\n    "beta": {');
    writeFileSync(file, text);
    await wb().waitForServer('gamma', /configuration error/);
    await wb().waitForServer('alpha', /running/);
    await wb().waitForServer('beta', /stopped/);
    await wb().page.keyboard.press('Control+Shift+M');
    const problem = wb().page.locator('.markers-panel .monaco-list-row', { hasText: /carrier-pigeon|type/ }).first();
    await problem.waitFor({ timeout: 30_000 });
    assert.match(await problem.innerText(), /\[Ln \d+, Col \d+\]|Ln \d+/);
    await wb().screenshot('13-config-error-diagnostic');
  });

  it('a remote server that cannot be reached fails at once with a plain reason and a notification', async () => {
    await wb().treeContextMenu('beta', 'Start Server');
    // A workspace-defined remote server: its first connection is confirmed, naming the host (issue #12).
    assert.match(await wb().answerDialog('Connect'), /127\.0\.0\.1:9/);
    await wb().waitForServer('beta', /failed/);
    const message = await wb().waitForNotification(/MCP server 'beta' failed/);
    // Port 9 is one fetch refuses outright ("bad port"); the unit tests cover a refused connection's wording.
    assert.match(message, /Could not reach the server: .*\(bad port\)/);
    assert.doesNotMatch(message, /fetch failed/);
  });

  it('keeps the secret out of every file VS Code wrote (settings, state, logs)', async () => {
    await wb().runCommand('Show Server Log');
    await wb().pickQuickItem('alpha');
    await wb().waitForOutput(/\[server stderr\]|supervisor/);
    assert.deepEqual(filesContaining(wb().server.userDataDir, SECRET), []);
    assert.deepEqual(filesContaining(wb().server.workspaceDir!, SECRET), []);
  });
});

describe('Configuration: Restricted Mode starts nothing the workspace defines', () => {
  const pidFile = join(makeWorkspace({}), 'pids.txt');
  const workspace = makeWorkspace({ '.vscode/mcp.json': mcpJson(pidFile) });
  const wb = useWorkbench({ workspace, workspaceTrust: true, label: 'restricted' });

  it('shows the servers as needing trust and does not start them', async () => {
    await wb().openMcpManager();
    await wb().waitForServer('alpha', /needs workspace trust/);
    await wb().waitForServer('beta', /needs workspace trust/);
    await wb().screenshot('14-restricted-mode');
    await wb().runCommand('Start Server');
    await wb().waitForNotification(/No server is in a state where this applies/);
    assert.equal(existsSync(pidFile), false, 'no server process was spawned');
  });

  it('starts them normally once the user trusts the workspace', async () => {
    await wb().runCommand('Workspaces: Manage Workspace Trust', '');
    await wb().page.locator('.workspace-trust-editor .monaco-button', { hasText: /^Trust$/ }).first().click();
    await wb().waitForServer('alpha', /stopped/);
    await wb().runCommand('Start Server');
    await wb().pickQuickItem('alpha');
    await wb().answerInput(/MCP server "alpha": token/, SECRET, { password: true });
    await wb().answerDialog('Start Server');
    await wb().waitForServer('alpha', /running/);
    assert.equal(readFileSync(pidFile, 'utf8').trim().split('\n').length, 1, 'one process, started after trust');
  });
});
