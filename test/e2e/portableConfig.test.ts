import * as assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { filesContaining, fixtureServer, makeWorkspace, useWorkbench } from './workbench';

/**
 * Issue 16 in the real VS Code: the portable `.mcp.json` at a folder's root (VS Code 1.140's MCP: Add Server, Claude
 * Code) is read live; where `.vscode/mcp.json` defines the same name, its copy runs and the other is shadowed; a
 * plaintext secret in `.mcp.json` is a warning in the Problems view whose Quick Fix moves it into SecretStorage.
 */
const SECRET = `portable-secret-${Date.now()}-plugh`;
const sha256 = (s: string): string => createHash('sha256').update(s).digest('hex');

describe('Portable .mcp.json: a workspace with only .mcp.json (bare map) in a real VS Code', () => {
  const pidFile = join(makeWorkspace({}), 'pids.txt');
  const solo = { command: 'node', args: [fixtureServer('mcpServer.mjs')], env: { FIXTURE_PID_FILE: pidFile } };
  const workspace = makeWorkspace({ '.mcp.json': JSON.stringify({ solo }, null, 2) });
  const wb = useWorkbench({ workspace, label: 'portable' });

  it('shows its server, from .mcp.json, and starts it after the first-start confirmation', async () => {
    await wb().openMcpManager();
    await wb().waitForServer('solo', /stopped/);
    assert.match(await wb().hoverTreeRow('solo', 'Source:'), /Source: .+\/\.mcp\.json \(.+\/\.mcp\.json\)/);
    await wb().treeContextMenu('solo', 'Start Server');
    const dialog = await wb().answerDialog('Start Server');
    assert.match(dialog, /Start the MCP server "solo" defined in .+\/\.mcp\.json/);
    await wb().waitForServer('solo', /running/);
    assert.equal(readFileSync(pidFile, 'utf8').trim().split('\n').length, 1);
    await wb().screenshot('portable-01-solo-running');
  });

  it('a server written in .vscode/mcp.json too: that copy wins, the .mcp.json copy is shadowed (the tooltip names the winner)', async () => {
    const dir = wb().server.workspaceDir!;
    // The other shape, solo unchanged (it keeps running).
    writeFileSync(join(dir, '.mcp.json'), JSON.stringify({ mcpServers: { solo, dup: { command: 'node', args: ['-e', '0'] } } }, null, 2));
    await wb().waitForServer('dup', /stopped/);
    mkdirSync(join(dir, '.vscode'), { recursive: true });
    writeFileSync(join(dir, '.vscode', 'mcp.json'), JSON.stringify({ servers: { dup: { type: 'stdio', command: 'node', args: [fixtureServer('mcpServer.mjs')], env: { FIXTURE_PID_FILE: pidFile } } } }, null, 2));
    await wb().waitForServer('dup', /shadowed/);
    // Two rows are labelled dup (the shadowed copy sorts first): the palette offers only the one that can start.
    await wb().runCommand('Start Server');
    await wb().pickQuickItem(/dup/);
    await wb().answerDialog('Start Server');
    await wb().waitForServer('dup', /running/);
    await wb().waitForServer('dup', /shadowed/);
    const rows = (await wb().treeRows()).filter((r) => r.label === 'dup');
    assert.equal(rows.length, 2, 'both copies are listed');
    assert.deepEqual(rows.map((r) => /running/.test(r.aria) ? 'running' : /shadowed/.test(r.aria) ? 'shadowed' : r.aria).sort(), ['running', 'shadowed']);
    const tip = await wb().hoverTreeRow('dup', 'Shadowed by', 'shadowed');
    assert.match(tip, /Shadowed by: workspace:[^#\s]+#dup/);
    assert.match(tip, /Source: .+\/\.mcp\.json/);
    await wb().waitForServer('solo', /running/);
    await wb().screenshot('portable-02-shadowed');
  });
});

describe('Portable .mcp.json: a plaintext secret, its warning in the Problems view and its Quick Fix', () => {
  const text = `{\n  // shared with Claude Code\n  "mcpServers": {\n    "gh": {\n      "command": "node",\n      "args": [${JSON.stringify(fixtureServer('mcpServer.mjs'))}],\n      "env": { "FIXTURE_TOKEN": "${SECRET}", "FIXTURE_EXPECT_TOKEN_SHA256": "${sha256(SECRET)}" }\n    }\n  }\n}\n`;
  const workspace = makeWorkspace({ '.mcp.json': text });
  /** Where the secret's value starts, 1-based as the Problems view says it. */
  const valueLine = text.split('\n').findIndex((l) => l.includes(SECRET));
  const valueColumn = text.split('\n')[valueLine].indexOf(`"${SECRET}"`) + 1;
  const wb = useWorkbench({ workspace, label: 'portable-secret' });
  const dir = () => wb().server.workspaceDir!;

  it('shows the warning on the value in the Problems view', async () => {
    await wb().openMcpManager();
    await wb().waitForServer('gh', /stopped/);
    await wb().page.keyboard.press('Control+Shift+M');
    const problem = wb().page.locator('.markers-panel .monaco-list-row', { hasText: 'Plaintext secret in .mcp.json: move it to SecretStorage (Quick Fix)' }).first();
    await problem.waitFor({ timeout: 30_000 });
    assert.match(await problem.innerText(), new RegExp(`Ln ${valueLine + 1}, Col ${valueColumn}`));
    await wb().screenshot('portable-03-plaintext-warning');
  });

  it('the Quick Fix asks, then moves the secret to SecretStorage and the entry into .vscode/mcp.json', async () => {
    const problem = wb().page.locator('.markers-panel .monaco-list-row', { hasText: 'Plaintext secret in .mcp.json' }).first();
    // Opens .mcp.json at the value; the editor's Quick Fix... then lists ours.
    await problem.waitFor({ timeout: 20_000 });
    await problem.dblclick();
    await wb().page.locator('.part.editor .monaco-editor.focused').waitFor({ timeout: 20_000 });
    await wb().runCommand('Quick Fix...', '');
    const fix = wb().page.locator('.action-widget .monaco-list-row', { hasText: 'Move secrets of "gh" to SecretStorage' }).first();
    await fix.waitFor({ timeout: 20_000 });
    await wb().screenshot('portable-04-quick-fix');
    await fix.click();
    const consent = await wb().answerDialog('Move Secrets');
    assert.match(consent, /Move the secrets of "gh" to SecretStorage\?/);
    assert.match(consent, /FIXTURE_TOKEN, FIXTURE_EXPECT_TOKEN_SHA256 in VS Code's SecretStorage/);
    assert.match(consent, /into .+\/\.vscode\/mcp\.json \(created\)/);
    assert.match(consent, /Claude Code/);
    assert.ok(!consent.includes(SECRET), 'the dialog shows no value');
    await wb().waitForNotification(/"gh" now lives in .+\/\.vscode\/mcp\.json; its 2 secret value\(s\) are in SecretStorage/);
    await wb().waitForServer('gh', /stopped/);
    assert.match(await wb().hoverTreeRow('gh', 'Source:'), /Source: .+\/\.vscode\/mcp\.json/);
  });

  it('left no trace of the value in the workspace, and the moved server gets it from SecretStorage', async () => {
    const mcpJson = readFileSync(join(dir(), '.vscode', 'mcp.json'), 'utf8');
    assert.match(mcpJson, /"FIXTURE_TOKEN": "\$\{input:gh-FIXTURE_TOKEN\}"/);
    const rootFile = readFileSync(join(dir(), '.mcp.json'), 'utf8');
    assert.match(rootFile, /\/\/ shared with Claude Code/, 'the comment is kept');
    assert.doesNotMatch(rootFile, /"gh"/);
    assert.ok(existsSync(join(dir(), '.mcp.json')));
    assert.deepEqual(filesContaining(dir(), SECRET), [], 'the value is in no file of the workspace');
    await wb().treeContextMenu('gh', 'Start Server');
    await wb().answerDialog('Start Server');
    // The fixture exits unless FIXTURE_TOKEN hashes right: running proves the value came back from SecretStorage.
    await wb().waitForServer('gh', /running/);
    await wb().screenshot('portable-05-moved-running');
  });
});
