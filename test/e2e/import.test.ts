import * as assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { filesContaining, fixtureServer, makeWorkspace, useWorkbench } from './workbench';

const SECRET = `import-secret-${Date.now()}-frobozz`;

describe('Import Servers...: Cursor and Claude Desktop lists into .vscode/mcp.json in a real VS Code', () => {
  const workspace = makeWorkspace({
    '.vscode/mcp.json': '// Shared with the team.\n{\n  "servers": {}\n}\n',
    '.cursor/mcp.json': JSON.stringify({ mcpServers: {
      'from-cursor': {
        command: 'node', args: [fixtureServer('mcpServer.mjs')],
        env: { FIXTURE_TOKEN: SECRET, FIXTURE_EXPECT_TOKEN_SHA256: createHash('sha256').update(SECRET).digest('hex') },
      },
    } }, null, 2),
  });
  const wb = useWorkbench({ workspace, label: 'import' });
  const mcpJson = () => join(wb().server.workspaceDir!, '.vscode', 'mcp.json');

  it('imports the servers the user picks, with the plaintext secret moved to SecretStorage, and starts one', async () => {
    // Claude Desktop's file lives under XDG_CONFIG_HOME on Linux (the test instance has its own).
    const claudeDir = join(wb().server.runDir, 'config', 'Claude');
    mkdirSync(claudeDir, { recursive: true });
    writeFileSync(join(claudeDir, 'claude_desktop_config.json'), JSON.stringify({ mcpServers: {
      'from-claude': { command: 'node', args: [fixtureServer('mcpServer.mjs')], env: { LOG_LEVEL: 'debug' } },
      'not-wanted': { command: 'node', args: ['--version'] },
    } }));

    await wb().openMcpManager();
    await wb().runCommand('Import Servers...');
    await wb().pickQuickItem(/from-cursor/);
    await wb().pickQuickItem(/from-claude/);
    await wb().screenshot('import-01-pick');
    await wb().page.keyboard.press('Enter');
    await wb().pickQuickItem(/\.vscode\/mcp\.json/);
    const message = await wb().waitForNotification(/Imported 2 server\(s\)/);
    assert.match(message, /2 secret value\(s\) were moved to SecretStorage/); // FIXTURE_TOKEN, and the hash by its TOKEN-like name

    await wb().waitForServer('from-cursor', /stopped/);
    await wb().waitForServer('from-claude', /stopped/);
    assert.ok(!(await wb().treeRows()).some((r) => r.label === 'not-wanted'), 'only the picked servers are imported');
    await wb().treeContextMenu('from-cursor', 'Start Server');
    await wb().answerDialog('Start Server');
    // The fixture exits unless FIXTURE_TOKEN hashes right: running proves the secret came back from SecretStorage.
    await wb().waitForServer('from-cursor', /running/);
    await wb().screenshot('import-02-running');
  });

  it('wrote VS Code format next to the comment, and the secret stays only in the file it came from', () => {
    const text = readFileSync(mcpJson(), 'utf8');
    assert.ok(text.startsWith('// Shared with the team.'), text);
    assert.match(text, /"FIXTURE_TOKEN": "\$\{input:from-cursor-FIXTURE_TOKEN\}"/);
    assert.match(text, /"from-claude": \{/);
    assert.deepEqual(filesContaining(wb().server.workspaceDir!, SECRET), [join(wb().server.workspaceDir!, '.cursor', 'mcp.json')]);
    assert.deepEqual(filesContaining(wb().server.userDataDir, SECRET), []);
  });
});
