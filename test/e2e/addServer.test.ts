import * as assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { filesContaining, fixtureServer, makeWorkspace, useWorkbench } from './workbench';

const SECRET = `add-server-secret-${Date.now()}-plugh`;
const SECRET_SHA256 = createHash('sha256').update(SECRET).digest('hex');

describe('Add Server...: a guided entry in a real VS Code', () => {
  const workspace = makeWorkspace({ '.vscode/mcp.json': '// Team MCP servers: keep this comment.\n{\n  "servers": {}\n}\n' });
  const wb = useWorkbench({ workspace, label: 'add-server' });
  const mcpJson = () => join(wb().server.workspaceDir!, '.vscode', 'mcp.json');

  it('adds a stdio server with a secret environment variable from the welcome view, and starts it', async () => {
    await wb().openMcpManager();
    await wb().page.locator('.welcome-view-content .monaco-button', { hasText: 'Add Server...' }).click();
    await wb().pickQuickItem(/Command \(stdio\)/);
    await wb().screenshot('add-01-type');
    await wb().answerInput('Add MCP Server: Command', `node "${fixtureServer('mcpServer.mjs')}"`);
    // A secret: its name looks like one, so "Secret" is offered first; the value is typed into a password box.
    await wb().answerInput('Add MCP Server: Environment', 'FIXTURE_TOKEN');
    await wb().pickQuickItem(/Secret/);
    await wb().screenshot('add-02-secret-value');
    await wb().answerInput('Add MCP Server: FIXTURE_TOKEN', SECRET, { password: true });
    // A plain value: the server checks the secret against it, so "running" proves the secret reached the server.
    await wb().answerInput('Add MCP Server: Environment', 'FIXTURE_EXPECT_TOKEN_SHA256');
    await wb().pickQuickItem(/Plain value/);
    await wb().answerInput('Add MCP Server: FIXTURE_EXPECT_TOKEN_SHA256', SECRET_SHA256);
    await wb().answerInput('Add MCP Server: Environment', '');
    await wb().pickQuickItem(/\.vscode\/mcp\.json/);
    await wb().answerInput('Add MCP Server: Name', 'added');

    await wb().waitForServer('added', /stopped/);
    await wb().screenshot('add-03-added');
    await wb().clickNotificationButton(/Added "added"/, 'Start Server');
    const dialog = await wb().answerDialog('Start Server');
    assert.match(dialog, /node .*mcpServer\.mjs/);
    assert.ok(!dialog.includes(SECRET), 'the secret is not in the confirmation');
    await wb().waitForServer('added', /running/);
    await wb().screenshot('add-04-running');
  });

  it('wrote VS Code format with an input reference, kept the comment, and the secret is in no file', () => {
    const text = readFileSync(mcpJson(), 'utf8');
    assert.ok(text.startsWith('// Team MCP servers: keep this comment.'), text);
    assert.match(text, /"FIXTURE_TOKEN": "\$\{input:added-FIXTURE_TOKEN\}"/);
    assert.match(text, /"password": true/);
    assert.ok(text.includes(SECRET_SHA256), 'the plain value is written as it is');
    assert.deepEqual(filesContaining(wb().server.userDataDir, SECRET), []);
    assert.deepEqual(filesContaining(wb().server.workspaceDir!, SECRET), []);
  });

  it('Set Secret... offers to restart the running server that uses it, which then gets the new value', async () => {
    const wrong = `${SECRET}-rotated`;
    const setSecret = async (value: string) => {
      await wb().runCommand('Set Secret...');
      await wb().pickQuickItem(/added-FIXTURE_TOKEN/);
      await wb().answerInput(/Set Secret: added-FIXTURE_TOKEN/, value, { password: true });
      await wb().clickNotificationButton(/Secret "added-FIXTURE_TOKEN" saved\. Restart "added" to apply it/, 'Restart Server');
    };
    // The fixture exits at start unless it gets the secret whose hash the entry names: after the restart a different
    // value makes it fail, which proves the new value reached the new process.
    await setSecret(wrong);
    await wb().waitForServer('added', /restarting|failed/);
    await wb().screenshot('add-05-rotated-secret');
    await setSecret(SECRET);
    await wb().waitForServer('added', /running/);
    assert.deepEqual(filesContaining(wb().server.userDataDir, wrong), []);
    assert.deepEqual(filesContaining(wb().server.workspaceDir!, wrong), []);
  });

  it('Clear Secrets... deletes the stored value: the next start asks for it again', async () => {
    await wb().runCommand('Clear Secrets...');
    await wb().pickQuickItem(/added-FIXTURE_TOKEN/);
    await wb().treeContextMenu('added', 'Restart Server');
    await wb().answerInput(/MCP server "added": added-FIXTURE_TOKEN/, SECRET, { password: true });
    await wb().waitForServer('added', /running/);
  });

  it('adds a remote server with a bearer token from the view title, kept in SecretStorage', async () => {
    await wb().page.locator('.part.sidebar .actions-container .action-label[aria-label*="Add Server"]').first().click();
    await wb().pickQuickItem(/HTTP/);
    await wb().answerInput('Add MCP Server: URL', 'http://127.0.0.1:9/mcp');
    await wb().pickQuickItem(/Bearer token/);
    await wb().answerInput('Add MCP Server: Token', SECRET, { password: true });
    await wb().pickQuickItem(/\.vscode\/mcp\.json/);
    await wb().answerInput('Add MCP Server: Name', '127.0.0.1');
    await wb().waitForServer('127.0.0.1', /stopped/);
    const text = readFileSync(mcpJson(), 'utf8');
    assert.match(text, /"Authorization": "Bearer \$\{input:127\.0\.0\.1-Authorization\}"/);
    assert.deepEqual(filesContaining(wb().server.userDataDir, SECRET), []);
    assert.deepEqual(filesContaining(wb().server.workspaceDir!, SECRET), []);
  });
});
