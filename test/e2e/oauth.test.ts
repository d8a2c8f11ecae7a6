import * as assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { type FixtureServer, startFixture } from '../unit/remote/helpers';
import { filesContaining, useWorkbench } from './workbench';

describe('OAuth: Sign In to Server through the URI handler in a real VS Code', () => {
  let fixture: FixtureServer | undefined;
  let rsPort = 0;
  const wb = useWorkbench(async () => {
    // 127.0.0.2 (loopback): code-server would proxy-rewrite an authorization URL on 127.0.0.1 (see the fixture).
    fixture = await startFixture('oidcMcp.mjs', [], { ACCESS_TTL: '3600', HOST: '127.0.0.2' });
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
});
