import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { filesContaining, makeWorkspace, useWorkbench } from './workbench';

const SECRET = `export-secret-${Date.now()}-frobozz`;

describe('Export Server...: a server with a password-input header into the folder\'s .mcp.json in a real VS Code', () => {
  const workspace = makeWorkspace({
    '.vscode/mcp.json': `// Shared with the team.
{
  "servers": {
    "secured": { "type": "http", "url": "http://127.0.0.1:9/mcp", "headers": { "Authorization": "Bearer \${input:token}", "X-Team": "core" } }
  },
  "inputs": [{ "type": "promptString", "id": "token", "description": "API token", "password": true }]
}
`,
  });
  const wb = useWorkbench({ workspace, label: 'export' });
  const rootMcpJson = () => join(wb().server.workspaceDir!, '.mcp.json');

  it('exports from the tree\'s context menu; the message says what was left out, and Open File opens it', async () => {
    await wb().openMcpManager();
    await wb().waitForServer('secured', /stopped/);
    // The password input's value is in SecretStorage, as a user who set it has it.
    await wb().runCommand('Set Secret...');
    await wb().pickQuickItem(/token/);
    await wb().answerInput(/Set Secret: token/, SECRET, { password: true });
    await wb().waitForNotification(/Secret "token" saved/);

    await wb().treeContextMenu('secured', 'Export Server...');
    await wb().page.locator('.quick-input-widget .monaco-list-row', { hasText: 'Claude Desktop' }).first().waitFor({ timeout: 20_000 });
    await wb().screenshot('export-00-targets');
    await wb().pickQuickItem(/\.mcp\.json/);
    const message = await wb().waitForNotification(/Exported "secured"/);
    await wb().screenshot('export-01-notes');
    assert.match(message, /Header "Authorization" was left empty: \.mcp\.json cannot hold secrets outside its file; set it there yourself/);
    await wb().clickNotificationButton(/Exported "secured"/, 'Open File');
    await wb().page.waitForFunction(() => document.querySelector('.part.editor .tab.active')?.textContent?.includes('.mcp.json') ?? false, undefined, { timeout: 20_000 });
    assert.match(await wb().activeEditorText(), /"mcpServers"/);
  });

  it('wrote JSON any client reads, with no secret in it, next to VS Code\'s file as it was', () => {
    const written = JSON.parse(readFileSync(rootMcpJson(), 'utf8')) as unknown;
    assert.deepEqual(written, { mcpServers: { secured: { type: 'http', url: 'http://127.0.0.1:9/mcp', headers: { Authorization: 'Bearer ', 'X-Team': 'core' } } } });
    assert.ok(readFileSync(join(wb().server.workspaceDir!, '.vscode', 'mcp.json'), 'utf8').startsWith('// Shared with the team.'));
    assert.deepEqual(filesContaining(wb().server.workspaceDir!, SECRET), []);
    assert.deepEqual(filesContaining(wb().server.userDataDir, SECRET), []);
  });

  it('asks about a name the file has: Keep Both writes "secured-2"', async () => {
    await wb().runCommand('Export Server...');
    await wb().pickQuickItem(/\.vscode\/mcp\.json/); // the .vscode/mcp.json copy: the exported .mcp.json one is live (and shadowed) now
    await wb().pickQuickItem(/\.mcp\.json/);
    const dialog = await wb().answerDialog('Keep Both');
    assert.match(dialog, /already has a server named "secured"/);
    await wb().waitForNotification(/"secured-2"/);
    const written = JSON.parse(readFileSync(rootMcpJson(), 'utf8')) as { mcpServers: Record<string, unknown> };
    assert.deepEqual(Object.keys(written.mcpServers), ['secured', 'secured-2']);
    assert.deepEqual(filesContaining(wb().server.workspaceDir!, SECRET), []);
  });
});
