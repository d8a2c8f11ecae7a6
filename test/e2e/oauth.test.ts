import * as assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { type Server, createServer } from 'node:http';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { type FixtureServer, startFixture } from '../unit/remote/helpers';
import { filesContaining, makeWorkspace, useWorkbench } from './workbench';

describe('OAuth: Sign In to Server through the URI handler in a real VS Code', () => {
  let fixture: FixtureServer | undefined;
  let rsPort = 0;
  const wb = useWorkbench(async () => {
    // 127.0.0.2 (loopback): code-server would proxy-rewrite an authorization URL on 127.0.0.1 (see the fixture).
    fixture = await startFixture('oidcMcp.mjs', [], { ACCESS_TTL: '3600', HOST: '127.0.0.2', TOKEN_HOST: '127.0.0.1' });
    rsPort = fixture.port;
    return {
      settings: { 'mcpManager.servers': { protected: { type: 'http', url: `http://127.0.0.2:${rsPort}/mcp` } } },
      label: 'oauth',
    };
  });
  after(async () => { await fixture?.stop(); });

  it('signs in from the palette: the authorization page opens in a new tab, the redirect reaches the URI handler, the tools appear', async () => {
    await wb().openMcpManager();
    await wb().waitForServer('protected', /stopped/);
    const authPage = wb().context.waitForEvent('page', { timeout: 60_000 });
    await wb().runCommand('Sign In to Server');
    await wb().pickQuickItem('protected');
    // VS Code's link protection asks before opening a website that is not a trusted domain, as it would for a user.
    const prompt = await wb().answerDialog('Open', 30_000);
    assert.match(prompt, /127\.0\.0\.2/);
    const tab: Page = await authPage;
    // The authorization server auto-consents and redirects this tab to VS Code's callback URL (the URI handler).
    await tab.waitForURL(/\/callback\?.*vscode-reqid=/, { timeout: 60_000 });
    await wb().waitForServer('protected', /running/, 60_000);
    const row = (await wb().treeRows()).find((r) => r.label === 'protected');
    assert.match(row?.description ?? '', /http · 2 tools/);
    await wb().expandTreeRow('protected');
    await wb().expandTreeRow('Tools');
    await wb().treeRow('whoami').waitFor({ timeout: 30_000 });
    await wb().screenshot('30-oauth-signed-in-tools');
    const log = wb().extensionLogFiles().map((f) => readFileSync(f, 'utf8')).join('\n');
    assert.match(log, /sign-in callback accepted/, 'the callback arrived through the URI handler');
  });

  it('keeps every token out of every file VS Code wrote for this run (user data, logs, state, workspace)', async () => {
    const res = await fetch(`http://127.0.0.2:${rsPort}/admin/tokens`);
    const tokens = await res.json() as { access: string[]; refresh: string[] };
    assert.ok(tokens.access.length > 0 && tokens.refresh.length > 0, 'the server saw a bearer token and issued a refresh token');
    for (const token of [...tokens.access, ...tokens.refresh]) {
      assert.deepEqual(filesContaining(wb().server.runDir, token), [], 'a token was found in a file');
    }
  });

  it('signs out from the tree: starting it then needs a sign-in, offered by one notification whose Sign In works', async () => {
    await wb().treeContextMenu('protected', 'Sign Out of Server');
    await wb().waitForNotification(/Signed out of 'protected'/);
    await wb().waitForServer('protected', /stopped/);
    const pages = wb().context.pages().length;
    await wb().treeContextMenu('protected', 'Start Server');
    await wb().waitForServer('protected', /needs sign-in/);
    assert.equal(wb().context.pages().length, pages, 'no authorization page was opened unasked');
    await wb().waitForNotification(/MCP server 'protected' needs you to sign in/);
    assert.equal((await wb().notifications()).filter((n) => n.includes('protected') && /sign in/i.test(n)).length, 1, 'one notification, not a second one from the command');
    await wb().screenshot('31-needs-sign-in');
    const authPage = wb().context.waitForEvent('page', { timeout: 60_000 });
    await wb().clickNotificationButton(/needs you to sign in/, 'Sign In');
    await wb().answerDialog('Open', 30_000);
    const tab: Page = await authPage;
    await tab.waitForURL(/\/callback\?.*vscode-reqid=/, { timeout: 60_000 });
    await wb().waitForServer('protected', /running/, 60_000);
  });
});

describe('OAuth: a pre-registered confidential client over the loopback redirect in a real VS Code', () => {
  const CLIENT_SECRET = `static-client-secret-${Date.now()}-xyzzy`;
  let fixture: FixtureServer | undefined;
  let rsPort = 0;
  const wb = useWorkbench(async () => {
    fixture = await startFixture('oidcMcp.mjs', [], { ACCESS_TTL: '3600', HOST: '127.0.0.2', TOKEN_HOST: '127.0.0.1', STATIC_CLIENT_SECRET: CLIENT_SECRET });
    rsPort = fixture.port;
    return {
      settings: {
        'mcpManager.servers': { partner: { type: 'http', url: `http://127.0.0.2:${rsPort}/mcp` } },
        'mcpManager.serverOptions': { partner: { oauth: { clientId: 'static-client' } } },
        // The client is registered for http://127.0.0.1/oauth/callback (RFC 8252: any port), not for VS Code's URI.
        'mcpManager.oauth.redirect': 'loopback',
      },
      label: 'oauth-static',
    };
  });
  after(async () => { await fixture?.stop(); });

  it('takes the client secret through Set Secret..., signs in through a loopback listener, and registers nothing', async () => {
    await wb().openMcpManager();
    await wb().waitForServer('partner', /stopped/);
    await wb().runCommand('Set Secret...');
    await wb().pickQuickItem(/OAuth client secret of partner/);
    await wb().answerInput(/Set Secret: OAuth client secret of partner/, CLIENT_SECRET, { password: true });
    await wb().waitForNotification(/Secret "OAuth client secret of partner" saved/);

    const authPage = wb().context.waitForEvent('page', { timeout: 60_000 });
    await wb().runCommand('Sign In to Server');
    await wb().pickQuickItem('partner');
    await wb().answerDialog('Open', 30_000); // VS Code's link protection, as for a user
    const tab: Page = await authPage;
    // The authorization server redirects the browser straight to the extension host's one-shot listener.
    await tab.waitForURL(/^http:\/\/127\.0\.0\.1:\d+\/oauth\/callback\?/, { timeout: 60_000 });
    assert.match(await tab.locator('body').innerText(), /Sign-in complete/);
    await wb().waitForServer('partner', /running/, 60_000);
    const state = await (await fetch(`http://127.0.0.2:${rsPort}/admin/state`)).json() as { registrations: number };
    assert.equal(state.registrations, 0, 'a pre-registered client is not registered again');
    assert.deepEqual(filesContaining(wb().server.runDir, CLIENT_SECRET), [], 'the client secret is in no file');
  });

  it('Clear All Stored Data..., once confirmed, deletes the client secret and the tokens', async () => {
    await wb().runCommand('Clear All Stored Data...');
    assert.match(await wb().answerDialog('Clear All'), /Clear all data MCP Manager stored\?/);
    await wb().waitForNotification(/Cleared \d+ stored item\(s\)/);
    await wb().treeContextMenu('partner', 'Restart Server');
    await wb().waitForServer('partner', /needs sign-in/);
    await wb().runCommand('Set Secret...');
    const row = wb().page.locator('.quick-input-widget .monaco-list-row', { hasText: 'OAuth client secret of partner' });
    await row.waitFor({ timeout: 20_000 });
    assert.equal(await row.locator('.codicon-circle-outline').count(), 1, 'the client secret is no longer stored');
    await wb().page.keyboard.press('Escape');
  });
});

describe('OAuth: a signed-in workspace server whose URL is edited to another host in a real VS Code', () => {
  let fixture: FixtureServer | undefined;
  let rsPort = 0;
  const seen: string[] = [];
  let other: Server | undefined;
  let otherPort = 0;
  const mcpJson = (url: string): string => JSON.stringify({ servers: { moving: { type: 'http', url } } }, null, 2);
  const wb = useWorkbench(async () => {
    fixture = await startFixture('oidcMcp.mjs', [], { ACCESS_TTL: '3600', HOST: '127.0.0.2', TOKEN_HOST: '127.0.0.1' });
    rsPort = fixture.port;
    // The "new host": records every request's Authorization header and answers 401 without a challenge.
    other = createServer((req, res) => { seen.push(`${req.method} ${req.url} authorization=${req.headers.authorization ?? '-'}`); res.writeHead(401).end(); });
    await new Promise<void>((resolve) => other!.listen(0, '127.0.0.3', resolve));
    otherPort = (other.address() as { port: number }).port;
    return { workspace: makeWorkspace({ '.vscode/mcp.json': mcpJson(`http://127.0.0.2:${rsPort}/mcp`) }), label: 'oauth-moving' };
  });
  after(async () => { other?.close(); await fixture?.stop(); });

  it('signs in, then a git-pull-like edit points the url elsewhere: the new host never sees the token (review H2)', async () => {
    await wb().openMcpManager();
    await wb().waitForServer('moving', /stopped/);
    await wb().treeContextMenu('moving', 'Start Server');
    assert.match(await wb().answerDialog('Connect'), /127\.0\.0\.2/);
    await wb().waitForServer('moving', /needs sign-in/);
    const authPage = wb().context.waitForEvent('page', { timeout: 60_000 });
    await wb().clickNotificationButton(/needs you to sign in/, 'Sign In');
    await wb().answerDialog('Open', 30_000);
    await (await authPage).waitForURL(/\/callback\?.*vscode-reqid=/, { timeout: 60_000 });
    await wb().waitForServer('moving', /running/, 60_000);

    writeFileSync(join(wb().server.workspaceDir!, '.vscode', 'mcp.json'), mcpJson(`http://127.0.0.3:${otherPort}/mcp`));
    // The entry changed, so its first connection is confirmed again; the new host is named.
    assert.match(await wb().answerDialog('Connect', 30_000), new RegExp(`127\\.0\\.0\\.3:${otherPort}`));
    await wb().waitForServer('moving', /needs sign-in/, 60_000);
    const tokens = await (await fetch(`http://127.0.0.2:${rsPort}/admin/tokens`)).json() as { access: string[] };
    assert.ok(tokens.access.length > 0, 'the first host saw a token');
    for (const line of seen) for (const token of tokens.access) assert.ok(!line.includes(token), `the new host got the token: ${line}`);
    assert.ok(seen.every((l) => l.endsWith('authorization=-')), `no Authorization header reached the new host: ${seen.join('; ')}`);
  });
});
