import * as assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Redactor } from '../../../src/common/redact';
import type { ServerDefinition } from '../../../src/common/config/types';
import { makeServerId } from '../../../src/common/serverId';
import { isSignInRequired } from '../../../src/remote/errors';
import { remoteTransportFactory } from '../../../src/remote/httpTransport';
import { checkAuthorizationServer, clientKey, McpOAuthProvider, type DiscoveryEntry, type StoredTokens } from '../../../src/remote/oauth/provider';
import { PendingFlows, type PendingFlow } from '../../../src/remote/oauth/pendingFlows';
import { RemoteAuth, type OAuthTarget } from '../../../src/remote/oauth/remoteAuth';
import { MemorySecretBackend } from '../../../src/remote/oauth/secretBackend';
import { ServerManager, launchesFrom } from '../../../src/servers/serverManager';
import { TEST_CLIENT_INFO } from '../servers/helpers';

const PLACEHOLDER_REDIRECT = 'http://127.0.0.1/oauth/callback';

/**
 * A resource server and an authorization server in one process on 127.0.0.1 (review security-2026-12, Appendix A):
 * PRM at /.well-known/oauth-protected-resource/mcp names `<base>/as`; AS metadata (overridable) at
 * /.well-known/oauth-authorization-server/as; /as/register registers 'evil-client'; /as/token rotates refresh tokens
 * (30 ms latency; a reused refresh token gets 400 invalid_grant); /mcp answers 200 to a bearer the AS issued, else 401.
 */
class FakeServers {
  readonly seen: string[] = [];
  metadata: Record<string, unknown> = {};
  private readonly access = new Set<string>();
  private readonly refresh = new Set<string>();
  private issued = 0;
  private constructor(private readonly server: Server, readonly base: string) {}

  static async start(): Promise<FakeServers> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const fake = new FakeServers(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    server.on('request', (req, res) => {
      void fake.handle(req).then(({ status, body, headers }) => {
        res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(body === undefined ? '' : JSON.stringify(body));
      });
    });
    return fake;
  }

  get url(): string { return `${this.base}/mcp`; }
  get as(): string { return `${this.base}/as`; }

  /** Issues a token pair the way a sign-in would have (rt-0 / at-0 first). */
  grant(): { access_token: string; refresh_token: string } {
    const n = this.issued++;
    this.access.add(`at-${n}`); this.refresh.add(`rt-${n}`);
    return { access_token: `at-${n}`, refresh_token: `rt-${n}` };
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage): Promise<{ status: number; body?: unknown; headers?: Record<string, string> }> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    const path = new URL(req.url ?? '/', this.base).pathname;
    this.seen.push(`${req.method} ${path}${req.headers.authorization ? ` ${req.headers.authorization}` : ''}`);
    if (path === '/.well-known/oauth-protected-resource/mcp') return { status: 200, body: { resource: this.url, authorization_servers: [this.as] } };
    if (path === '/.well-known/oauth-authorization-server/as') {
      const body: Record<string, unknown> = {
        issuer: this.as, authorization_endpoint: `${this.as}/authorize`, token_endpoint: `${this.as}/token`,
        registration_endpoint: `${this.as}/register`, response_types_supported: ['code'], code_challenge_methods_supported: ['S256'],
        ...this.metadata,
      };
      for (const [k, v] of Object.entries(body)) if (v === undefined) delete body[k];
      return { status: 200, body };
    }
    if (path === '/as/register') return { status: 201, body: { client_id: 'evil-client', redirect_uris: [PLACEHOLDER_REDIRECT] } };
    if (path === '/as/token') {
      await sleep(30);
      const rt = new URLSearchParams(text).get('refresh_token') ?? '';
      if (!this.refresh.delete(rt)) {
        await sleep(50); // the loser's answer arrives after the winner's
        return { status: 400, body: { error: 'invalid_grant', error_description: 'refresh token already used' } };
      }
      return { status: 200, body: { ...this.grant(), token_type: 'Bearer', expires_in: 3600 } };
    }
    if (path === '/mcp') {
      const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
      if (bearer && this.access.has(bearer)) return { status: 200, body: {} };
      return { status: 401, headers: { 'www-authenticate': `Bearer resource_metadata="${this.base}/.well-known/oauth-protected-resource/mcp"` } };
    }
    return { status: 404 };
  }
}

function sleep(ms: number): Promise<void> { return new Promise((r) => setTimeout(r, ms)); }

function record(tokens: { access_token: string; refresh_token?: string }, extra: Partial<StoredTokens> = {}): string {
  const now = Date.now();
  return JSON.stringify({ v: 1, obtainedAt: now - 60_000, expiresAt: now + 3600e3, tokens: { token_type: 'Bearer', ...tokens }, ...extra });
}

function newAuth(secrets: MemorySecretBackend, logs: string[] = []): RemoteAuth {
  const redactor = new Redactor();
  return new RemoteAuth({ secrets, redactor, refreshJitterMs: 0, log: (level, m) => logs.push(`${level} ${redactor.redact(m)}`) });
}

const post = (fetchFn: ReturnType<RemoteAuth['fetchFor']>, url: string): Promise<Response> => fetchFn(url, { method: 'POST', body: '{}' });

describe('OAuth hardening (review security-2026-12; fake servers on 127.0.0.1)', function () {
  this.timeout(20_000);
  let fake: FakeServers;
  beforeEach(async () => { fake = await FakeServers.start(); });
  afterEach(() => fake.close());

  describe('H2: tokens go only to the resource they were issued for', () => {
    it('P4: a workspace server whose URL changed gets no bearer (legacy record, not adopted) → needsSignIn', async () => {
      const secrets = new MemorySecretBackend();
      const source = { kind: 'workspaceMcpJson' as const, folder: 'app', folderUri: 'file:///w/app' };
      const id = makeServerId(source, 'github');
      await secrets.store('oauthTokens', id, record({ access_token: 'gho_REALTOKENofProjectA', refresh_token: 'r' }, { obtainedAt: Date.now(), issuer: undefined }));
      const auth = newAuth(secrets);
      const launch = { type: 'http' as const, url: fake.url, headers: {} };
      const def: ServerDefinition = { id, name: 'github', source, config: launch, options: { ping: false, restart: false } };
      const factory = remoteTransportFactory({
        oauthFetch: (l, c) => auth.fetchFor({ serverId: c.serverId, serverName: c.serverName, secretId: c.serverId, url: l.url, adoptLegacyBinding: false }),
      });
      const manager = new ServerManager({ prepareStart: launchesFrom(() => Promise.resolve(launch)), clientInfo: TEST_CLIENT_INFO, transports: { http: factory, sse: factory }, redactor: new Redactor() });
      try {
        await manager.setDefinitions([def]);
        await assert.rejects(manager.start(id), (err: unknown) => isSignInRequired(err));
        assert.ok(fake.seen.length > 0, 'the server was asked (without a token)');
        assert.ok(!fake.seen.some((l) => l.includes('gho_REALTOKENofProjectA')), fake.seen.join('\n'));
      } finally {
        await manager.stopAll();
        manager.dispose();
        auth.dispose();
      }
    });

    it('a record bound to another URL is never sent: SignInRequiredError naming both origins, and no request at all', async () => {
      const secrets = new MemorySecretBackend();
      await secrets.store('oauthTokens', 'settings:user#github', record({ access_token: 'at-bound-elsewhere', refresh_token: 'rt-x' }, { resource: 'https://api.github.example/mcp' }));
      const auth = newAuth(secrets);
      const events: string[] = [];
      auth.onDidRequireSignIn((e) => events.push(e.reason));
      const target: OAuthTarget = { serverId: 'settings:user#github', serverName: 'github', secretId: 'settings:user#github', url: fake.url, adoptLegacyBinding: true };
      await assert.rejects(post(auth.fetchFor(target), fake.url), (err: unknown) => isSignInRequired(err)
        && /URL changed \(was https:\/\/api\.github\.example, now http:\/\/127\.0\.0\.1:\d+\); sign in again/.test(String(err)));
      assert.deepEqual(fake.seen, [], 'nothing was sent to the new URL');
      assert.equal(events.length, 1, 'needsSignIn signalled');
      auth.dispose();
    });

    it('a legacy record of a user server is bound to the current URL once and used; tokens record resource and issuer', async () => {
      const secrets = new MemorySecretBackend();
      const t = fake.grant();
      await secrets.store('oauthTokens', 'settings:user#s', record(t));
      const auth = newAuth(secrets);
      const target: OAuthTarget = { serverId: 'settings:user#s', serverName: 's', secretId: 'settings:user#s', url: fake.url, adoptLegacyBinding: true };
      assert.equal((await post(auth.fetchFor(target), fake.url)).status, 200);
      const stored = JSON.parse(secrets.values.get('oauthTokens/settings:user#s')!) as StoredTokens;
      assert.equal(stored.resource, fake.url);
      // Once bound, a changed URL (another path on the same host) is refused.
      const moved = { ...target, url: `${fake.base}/other` };
      await assert.rejects(post(auth.fetchFor(moved), moved.url), (err: unknown) => isSignInRequired(err) && /was http:\/\/127\.0\.0\.1:\d+\/mcp, now http:\/\/127\.0\.0\.1:\d+\/other/.test(String(err)));
      auth.dispose();
    });
  });

  describe('M3: a background connection never registers a client', () => {
    it('P5: discovery names another AS → SignInRequiredError, no POST /register, the old AS registration untouched', async () => {
      const secrets = new MemorySecretBackend();
      const githubKey = `https://github.com/login/oauth ${PLACEHOLDER_REDIRECT}`;
      const legit = JSON.stringify({ client_id: 'legit-client', issuer: 'https://github.com/login/oauth' });
      await secrets.store('oauthClient', githubKey, legit);
      await secrets.store('oauthTokens', 'settings:workspace#github', record({ access_token: 'gho_x', refresh_token: 'gho_r' }, {
        expiresAt: Date.now() - 1000, clientKey: githubKey, resource: fake.url,
        tokens: { access_token: 'gho_x', refresh_token: 'gho_r', token_type: 'Bearer', issuer: 'https://github.com/login/oauth' },
      }));
      const logs: string[] = [];
      const auth = newAuth(secrets, logs);
      const target: OAuthTarget = { serverId: 'settings:workspace#github', serverName: 'github', secretId: 'settings:workspace#github', url: fake.url, adoptLegacyBinding: false };
      await assert.rejects(post(auth.fetchFor(target), fake.url), (err: unknown) => isSignInRequired(err));
      assert.ok(!fake.seen.some((l) => l.startsWith('POST /as/')), fake.seen.join('\n'));
      assert.equal(secrets.values.get(`oauthClient/${githubKey}`), legit);
      assert.deepEqual([...secrets.values.keys()].filter((k) => k.startsWith('oauthClient/')), [`oauthClient/${githubKey}`]);
      assert.ok(!logs.some((l) => /stored a client registration/.test(l)));
      auth.dispose();
    });

    it('saveClientInformation in silent mode stores nothing (SignInRequiredError)', async () => {
      const secrets = new MemorySecretBackend();
      const discovery = new Map<string, DiscoveryEntry>([['s', { serverUrl: fake.url, state: { authorizationServerUrl: fake.as } }]]);
      const provider = new McpOAuthProvider({
        serverId: 's', serverName: 's', secretId: 's', serverUrl: fake.url, adoptLegacyBinding: true, secrets, settings: {},
        redactor: new Redactor(), log: () => undefined, discovery,
      }, { kind: 'silent' });
      await assert.rejects(provider.saveClientInformation({ client_id: 'new-client' }), (err: unknown) => isSignInRequired(err));
      assert.equal(secrets.values.size, 0);
    });
  });

  describe('M4: authorization server metadata is checked before anything is sent', () => {
    it('a server without protected-resource metadata (MCP 2025-03-26) is its own AS: defaults allowed on a safe origin', () => {
      const meta = (issuer: string) => ({ issuer, authorization_endpoint: `${issuer}/authorize`, token_endpoint: `${issuer}/token`, response_types_supported: ['code'], code_challenge_methods_supported: ['S256'] });
      // The 2025-03-26 layout: root metadata, issuer with a path, on the MCP server's own origin.
      assert.doesNotThrow(() => checkAuthorizationServer('http://127.0.0.1:9/', meta('http://127.0.0.1:9/oauth'), true));
      assert.doesNotThrow(() => checkAuthorizationServer('https://mcp.example/', undefined, true), 'no metadata: the default endpoints on its origin');
      assert.throws(() => checkAuthorizationServer('http://127.0.0.1:9/', meta('https://accounts.example'), true), /names another issuer/);
      assert.throws(() => checkAuthorizationServer('http://mcp.example/', undefined, true), /not https/);
      // With protected-resource metadata the exact rules hold.
      assert.throws(() => checkAuthorizationServer('http://127.0.0.1:9/', meta('http://127.0.0.1:9/oauth')), /names another issuer/);
      assert.throws(() => checkAuthorizationServer('https://as.example/', undefined), /publishes no metadata/);
    });

    const cases: [string, Record<string, unknown>, RegExp][] = [
      ['file: authorization endpoint', { authorization_endpoint: 'file:///etc/passwd' }, /insecure authorization_endpoint \(file:\)/],
      ['command: authorization endpoint', { authorization_endpoint: 'command:workbench.action.terminal.new' }, /insecure authorization_endpoint \(command:\)/],
      ['plain http authorization endpoint on another host', { authorization_endpoint: 'http://example.invalid/authorize' }, /insecure authorization_endpoint \(http:\/\/example\.invalid\)/],
      ['plain http token endpoint on another host', { token_endpoint: 'http://example.invalid/token' }, /insecure token_endpoint/],
      ['plain http registration endpoint on another host', { registration_endpoint: 'http://example.invalid/register' }, /insecure registration_endpoint/],
      ['issuer of another AS (RFC 8414 §3.3)', { issuer: 'https://accounts.google.com' }, /names another issuer \(https:\/\/accounts\.google\.com\)/],
      ['no code_challenge_methods_supported', { code_challenge_methods_supported: undefined }, /PKCE with S256/],
      ['no S256', { code_challenge_methods_supported: ['plain'] }, /PKCE with S256/],
    ];
    for (const [name, metadata, reason] of cases) {
      it(`P11: ${name} → refused, naming the AS; no browser, no registration, nothing stored`, async () => {
        fake.metadata = metadata;
        const secrets = new MemorySecretBackend();
        const auth = newAuth(secrets);
        const opened: string[] = [];
        const target: OAuthTarget = { serverId: 'settings:user#s', serverName: 's', secretId: 'settings:user#s', url: fake.url, adoptLegacyBinding: true };
        await assert.rejects(
          auth.signIn(target, { redirectUri: 'http://127.0.0.1:9/oauth/callback', openBrowser: (u) => { opened.push(u); return Promise.resolve(); } }),
          (err: unknown) => err instanceof Error && err.name === 'UnsafeAuthorizationServerError' && reason.test(err.message)
            && err.message.includes(`authorization server ${fake.as} `),
        );
        assert.deepEqual(opened, []);
        assert.ok(fake.seen.every((l) => l.startsWith('GET /.well-known/')), fake.seen.join('\n'));
        assert.equal(secrets.values.size, 0);
        auth.dispose();
      });
    }

    it('an issuer spelled with a trailing slash is the same issuer', async () => {
      fake.metadata = { issuer: `${fake.base}/as/` };
      const auth = newAuth(new MemorySecretBackend());
      const opened: string[] = [];
      const target: OAuthTarget = { serverId: 'settings:user#s', serverName: 's', secretId: 'settings:user#s', url: fake.url, adoptLegacyBinding: true };
      const signIn = auth.signIn(target, { redirectUri: 'http://127.0.0.1:9/oauth/callback', openBrowser: (u) => { opened.push(u); return Promise.resolve(); } });
      while (opened.length === 0) await sleep(10);
      assert.match(opened[0], /^http:\/\/127\.0\.0\.1:\d+\/as\/authorize\?/);
      auth.flows.cancelAll();
      await assert.rejects(signIn);
      auth.dispose();
    });
  });

  describe('RFC 9207 where the code is exchanged (v1\'s auth() ignores iss)', () => {
    /** Flows that learn nothing from discovery: only the check before the code exchange is left. */
    class UninformedFlows extends PendingFlows {
      override begin(serverId: string): PendingFlow { return { ...super.begin(serverId), expect: () => undefined }; }
    }

    it('the AS advertises iss: a wrong, a trailing-slash or no iss is refused before the token endpoint; the exact one is exchanged', async () => {
      fake.metadata = { authorization_response_iss_parameter_supported: true };
      const target: OAuthTarget = { serverId: 'settings:user#s', serverName: 's', secretId: 'settings:user#s', url: fake.url, adoptLegacyBinding: true };
      const tokenPosts = (): number => fake.seen.filter((l) => l.startsWith('POST /as/token')).length;
      for (const iss of ['https://evil.example', `${fake.as}/`, undefined, fake.as]) {
        const logs: string[] = [];
        const redactor = new Redactor();
        const auth = new RemoteAuth({ secrets: new MemorySecretBackend(), redactor, flows: new UninformedFlows(), log: (level, m) => logs.push(`${level} ${redactor.redact(m)}`) });
        const openBrowser = (url: string): Promise<void> => {
          assert.equal(auth.handleCallback({ state: new URL(url).searchParams.get('state') ?? '', code: 'secret-code-1234', iss }).ok, true, 'the uninformed flow accepts it');
          return Promise.resolve();
        };
        const before = tokenPosts();
        const expected = iss === fake.as ? /failed at the token endpoint/ : iss ? /failed: the callback came from a different authorization server/ : /failed: the callback lacks the iss/;
        await assert.rejects(auth.signIn(target, { redirectUri: 'http://127.0.0.1:9/oauth/callback', openBrowser }),
          (err: unknown) => err instanceof Error && err.name === 'SignInFailedError' && expected.test(err.message) && !err.message.includes('secret-code-1234'));
        // The fake's token endpoint refuses codes (and v1's auth() tries again): only the exact iss got there.
        assert.equal(tokenPosts() > before, iss === fake.as, String(iss));
        assert.ok(!logs.join('\n').includes('secret-code-1234'), 'the code was logged');
        auth.dispose();
      }
    });
  });

  describe('M7: two windows refresh one rotating refresh token', () => {
    it('P15: the loser adopts the winner\'s tokens instead of deleting them; both requests succeed', async () => {
      const secrets = new MemorySecretBackend();
      const key = clientKey(fake.as, PLACEHOLDER_REDIRECT);
      await secrets.store('oauthClient', key, JSON.stringify({ client_id: 'c1', issuer: fake.as }));
      const t = fake.grant();
      const now = Date.now();
      await secrets.store('oauthTokens', 'settings:user#s', JSON.stringify({
        v: 1, obtainedAt: now - 3570e3, expiresAt: now + 30e3, clientKey: key, redirectUri: PLACEHOLDER_REDIRECT, resource: fake.url,
        tokens: { ...t, token_type: 'Bearer', issuer: fake.as },
      }));
      const windowA = newAuth(secrets);
      const windowB = newAuth(secrets);
      const target: OAuthTarget = { serverId: 'settings:user#s', serverName: 's', secretId: 'settings:user#s', url: fake.url, adoptLegacyBinding: true };
      const results = await Promise.allSettled([post(windowA.fetchFor(target), fake.url), post(windowB.fetchFor(target), fake.url)]);
      assert.deepEqual(results.map((r) => (r.status === 'fulfilled' ? r.value.status : String(r.reason))), [200, 200]);
      assert.equal(fake.seen.filter((l) => l.startsWith('POST /as/token')).length, 2, 'both refreshed at once (the race happened)');
      const stored = JSON.parse(secrets.values.get('oauthTokens/settings:user#s') ?? 'null') as StoredTokens | null;
      assert.equal(stored?.tokens.refresh_token, 'rt-1', 'the winner\'s tokens are still stored');
      // Both windows keep working with what is stored.
      for (const w of [windowA, windowB]) assert.equal((await post(w.fetchFor(target), fake.url)).status, 200);
      windowA.dispose();
      windowB.dispose();
    });

    it('a refresh token rejected with nothing newer stored is still deleted (needsSignIn)', async () => {
      const secrets = new MemorySecretBackend();
      const key = clientKey(fake.as, PLACEHOLDER_REDIRECT);
      await secrets.store('oauthClient', key, JSON.stringify({ client_id: 'c1', issuer: fake.as }));
      await secrets.store('oauthTokens', 'settings:user#s', record({ access_token: 'at-unknown', refresh_token: 'rt-unknown' }, {
        expiresAt: Date.now() - 1000, clientKey: key, resource: fake.url,
      }));
      const auth = newAuth(secrets);
      const target: OAuthTarget = { serverId: 'settings:user#s', serverName: 's', secretId: 'settings:user#s', url: fake.url, adoptLegacyBinding: true };
      await assert.rejects(post(auth.fetchFor(target), fake.url), (err: unknown) => isSignInRequired(err));
      assert.ok(!secrets.values.has('oauthTokens/settings:user#s'));
      auth.dispose();
    });
  });
});
