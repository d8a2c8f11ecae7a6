import * as assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../harness/codeServer';
import { useWorkbench } from './workbench';

describe('Foundation: the installed VSIX in a real VS Code', () => {
  const wb = useWorkbench({ workspace: join(REPO_ROOT, 'test', 'fixtures', 'workspaces', 'empty'), label: 'foundation' });

  it('shows MCP Manager in the activity bar with the Servers view and its welcome content', async () => {
    await wb().openMcpManager();
    const welcome = await wb().welcomeText();
    assert.match(welcome, /No MCP servers are configured/);
    assert.match(welcome, /Open Configuration/);
    await wb().screenshot('01-welcome-view');
  });

  it('runs Open Configuration from the palette: .vscode/mcp.json is created and opened', async () => {
    await wb().runCommand('Open Configuration');
    await wb().page.locator('.tabs-container .tab', { hasText: 'mcp.json' }).waitFor({ timeout: 30_000 });
    const text = await wb().activeEditorText();
    assert.match(text, /"servers"/);
    const file = join(wb().server.workspaceDir!, '.vscode', 'mcp.json');
    assert.ok(existsSync(file), 'the file exists on disk');
    assert.deepEqual(JSON.parse(readFileSync(file, 'utf8')), { servers: {}, inputs: [] });
    await wb().screenshot('02-open-configuration');
  });

  it('opens the extension log from the palette and shows its activation lines', async () => {
    await wb().runCommand('Show Extension Log');
    await wb().page.locator('.part.panel').waitFor({ timeout: 30_000 });
    const text = await wb().waitForOutput(/\[activate\] activated/);
    assert.match(text, /\[activate\] MCP Manager 0\.\d+\.\d+ activating/);
    await wb().screenshot('03-extension-log');
  });
});
