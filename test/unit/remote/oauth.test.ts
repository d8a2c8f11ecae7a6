import * as assert from 'node:assert/strict';
import { Client } from '@modelcontextprotocol/client';
import { Redactor } from '../../../src/common/redact';
import type { ServerDefinition } from '../../../src/common/config/types';
import { makeServerId } from '../../../src/common/serverId';
import { RemoteTransport, remoteTransportFactory } from '../../../src/remote/httpTransport';
import { ServerManager, launchesFrom } from '../../../src/servers/serverManager';
import { isSignInRequired } from '../../../src/remote/errors';
import { followAuthorization } from '../../../src/remote/oauth/browserless';
import { LoopbackRedirect } from '../../../src/remote/oauth/loopback';
import { callbackParamsFromUrl } from '../../../src/remote/oauth/pendingFlows';
import { staticClientSecretKey } from '../../../src/common/secretKeys';
import { RemoteAuth, type OAuthTarget, type SignInRequiredEvent } from '../../../src/remote/oauth/remoteAuth';
import { MemorySecretBackend } from '../../../src/remote/oauth/secretBackend';
import { startFixture, type FixtureServer } from './helpers';
import { TEST_CLIENT_INFO } from '../servers/helpers';

interface Env {
  readonly fixture: FixtureServer;
  readonly rsPort: number;
  readonly auth: RemoteAuth;
  readonly secrets: MemorySecretBackend;
  readonly redactor: Redactor;
  readonly logs: string[];
  readonly signInEvents: SignInRequiredEvent[];
  target: OAuthTarget;
  readonly loopback: LoopbackRedirect;
}

async function setup(accessTtl: number, fixtureEnv: NodeJS.ProcessEnv = {}): Promise<Env> {
  const fixture = await startFixture('oidcMcp.mjs', [], { ACCESS_TTL: String(accessTtl), ...fixtureEnv });
  const rsPort = Number(/^LISTENING (\d+)/.exec(fixture.lines.find((l) => l.startsWith('LISTENING')) ?? '')?.[1]);
  const secrets = new MemorySecretBackend();
  const redactor = new Redactor();
  const logs: string[] = [];
  const auth = new RemoteAuth({ secrets, redactor, log: (level, m) => logs.push(`${level} ${redactor.redact(m)}`) });
  const signInEvents: SignInRequiredEvent[] = [];
  auth.onDidRequireSignIn((e) => signInEvents.push(e));
  const loopback = await LoopbackRedirect.start((url) => auth.handleCallback(url));
  const target: OAuthTarget = { serverId: 'userSettings#protected', serverName: 'protected', secretId: 'userSettings#protected', url: `http://127.0.0.1:${rsPort}/mcp`, adoptLegacyBinding: true };
  return { fixture, rsPort, auth, secrets, redactor, logs, signInEvents, target, loopback };
}

async function teardown(env: Env | undefined): Promise<void> {
  if (!env) return;
  env.auth.dispose();
  await env.loopback.dispose();
  await env.fixture.stop();
}

/** The browser: follow redirects with cookies; the final redirect hits the real loopback listener. */
function browser(env: Env, tamper?: (callbackUrl: string) => string) {
  return (authorizationUrl: string): Promise<void> => followAuthorization(authorizationUrl, env.loopback.redirectUri, async (callbackUrl) => {
    const r = await fetch(tamper ? tamper(callbackUrl) : callbackUrl);
    await r.body?.cancel();
  });
}

async function signIn(env: Env, tamper?: (callbackUrl: string) => string): Promise<void> {
  await env.auth.signIn(env.target, { redirectUri: env.loopback.redirectUri, openBrowser: browser(env, tamper) });
}

async function connect(env: Env): Promise<Client> {
  const client = new Client({ name: 'oauth-test', version: '0' }, { capabilities: {} });
  await client.connect(new RemoteTransport({ type: 'http', url: env.target.url, headers: {} }, { fetch: env.auth.fetchFor(env.target) }));
  return client;
}

interface AdminState { registrations: number; tokenRequests: number; tokenPosts: number; clients: number; nativeClients: number }

async function adminState(env: Env): Promise<AdminState> {
  return (await (await fetch(`http://127.0.0.1:${env.rsPort}/admin/state`)).json()) as AdminState;
}

/** The authorization server's metadata (RFC 8414; oidc-provider also serves it as an OpenID configuration). */
async function asMetadata(env: Env): Promise<{ issuer: string; authorization_response_iss_parameter_supported?: boolean }> {
  const asPort = /^LISTENING \d+ (\d+)/.exec(env.fixture.lines.find((l) => l.startsWith('LISTENING')) ?? '')?.[1];
  return (await (await fetch(`http://127.0.0.1:${asPort}/.well-known/oauth-authorization-server`)).json()) as { issuer: string; authorization_response_iss_parameter_supported?: boolean };
}

/** A callback URL with its `iss` set to `iss(current)`, or removed when that is undefined. */
function withIss(iss: (current: string | null) => string | undefined): (callbackUrl: string) => string {
  return (callbackUrl) => {
    const u = new URL(callbackUrl);
    const value = iss(u.searchParams.get('iss'));
    if (value === undefined) u.searchParams.delete('iss'); else u.searchParams.set('iss', value);
    return u.href;
  };
}

/**
 * RFC 9207 (the 2026-07-28 conformance scenarios auth/iss-*): a refused authorization response fails the sign-in with a
 * SignInFailedError that names neither the code nor the iss, nothing reaches the token endpoint, nothing is stored.
 */
async function assertIssRefused(env: Env, tamper: (callbackUrl: string) => string, reason: RegExp): Promise<void> {
  await env.auth.signOut(env.target);
  const before = await adminState(env);
  let code = '';
  await assert.rejects(signIn(env, (u) => { code = new URL(u).searchParams.get('code') ?? ''; return tamper(u); }), (err: unknown) => err instanceof Error
    && err.name === 'SignInFailedError' && /different authorization server|lacks the iss/.test(err.message) && !err.message.includes(code) && !/evil|127\.0\.0\.1/.test(err.message));
  assert.ok(code, 'the authorization server answered with a code');
  assert.ok(env.logs.some((l) => reason.test(l)), 'rejection logged');
  assert.equal((await adminState(env)).tokenPosts, before.tokenPosts, 'the code was not sent to the token endpoint');
  assert.ok(![...env.secrets.values.keys()].some((k) => k.startsWith('oauthTokens/')), 'no tokens stored');
  assertNoSecretsLogged(env);
}

async function admin(env: Env, what: 'revoke-refresh' | 'delete-clients'): Promise<void> {
  const r = await fetch(`http://127.0.0.1:${env.rsPort}/admin/${what}`, { method: 'POST' });
  await r.body?.cancel();
}

function sleep(ms: number): Promise<void> { return new Promise((r) => setTimeout(r, ms)); }

function assertNoSecretsLogged(env: Env): void {
  const text = env.logs.join('\n');
  for (const [key, value] of env.secrets.values) {
    if (!key.startsWith('oauthTokens/')) continue;
    const parsed = JSON.parse(value) as { tokens?: { access_token?: string; refresh_token?: string } };
    if (parsed.tokens?.access_token) assert.ok(!text.includes(parsed.tokens.access_token), 'access token logged');
    if (parsed.tokens?.refresh_token) assert.ok(!text.includes(parsed.tokens.refresh_token), 'refresh token logged');
  }
  assert.ok(!/[?&]code=[^•]/.test(text), 'an authorization code was logged');
}

describe('OAuth against oidc-provider protecting an MCP server (127.0.0.1)', function () {
  this.timeout(60_000);

  describe('long-lived tokens', () => {
    let env: Env | undefined;
    before(async () => { env = await setup(3600); });
    after(() => teardown(env));

    it('first connection without tokens needs sign-in (no browser)', async () => {
      await assert.rejects(connect(env!), (err: unknown) => isSignInRequired(err));
      assert.equal(env!.signInEvents.length, 1);
      assert.equal(env!.secrets.values.size, 0);
    });

    it('first sign-in over the loopback redirect: DCR (native), PKCE, tokens and registration stored', async () => {
      await signIn(env!);
      const keys = [...env!.secrets.values.keys()];
      assert.ok(keys.includes('oauthTokens/userSettings#protected'));
      const clientKey = keys.find((k) => k.startsWith('oauthClient/'));
      assert.ok(clientKey, 'registration stored');
      assert.match(clientKey, /^oauthClient\/http:\/\/127\.0\.0\.1:\d+\/? http:\/\/127\.0\.0\.1\/oauth\/callback$/, 'keyed by AS and (port-less loopback) redirect URI');
      const state = await adminState(env!);
      assert.equal(state.nativeClients, state.clients, 'registered with application_type native');
      const client = await connect(env!);
      const r = await client.callTool({ name: 'whoami', arguments: {} });
      assert.match(JSON.stringify(r.content), /test-user/);
      await client.close();
      assertNoSecretsLogged(env!);
    });

    it('RFC 9207: oidc-provider advertises iss and sends its exact issuer; that callback signs in (auth/iss-supported)', async () => {
      const meta = await asMetadata(env!);
      assert.equal(meta.authorization_response_iss_parameter_supported, true);
      let iss: string | null = null;
      const before = (await adminState(env!)).tokenPosts;
      await signIn(env!, (u) => { iss = new URL(u).searchParams.get('iss'); return u; });
      assert.equal(iss, meta.issuer, 'the callback carries the metadata issuer verbatim');
      assert.equal((await adminState(env!)).tokenPosts, before + 1, 'one code exchange');
      assert.ok(env!.secrets.values.has('oauthTokens/userSettings#protected'));
    });

    it('a second sign-in reuses the stored registration', async () => {
      const before = await adminState(env!);
      await signIn(env!);
      const afterState = await adminState(env!);
      assert.equal(afterState.registrations, before.registrations);
    });

    it('the same sign-in works over legacy SSE: the event stream and the POSTs carry the bearer', async () => {
      const sse = { ...env!.target, url: `http://127.0.0.1:${env!.rsPort}/mcp/sse` };
      const client = new Client({ name: 'oauth-test', version: '0' }, { capabilities: {} });
      await client.connect(new RemoteTransport({ type: 'sse', url: sse.url, headers: {} }, { fetch: env!.auth.fetchFor(sse) }));
      const r = await client.callTool({ name: 'whoami', arguments: {} });
      assert.match(JSON.stringify(r.content), /test-user/);
      await client.close();
      // Another server id has no tokens: its SSE stream is refused with 401 and it needs sign-in (no browser).
      const stranger = { ...sse, serverId: 'userSettings#stranger', serverName: 'stranger', secretId: 'userSettings#stranger' };
      const events = env!.signInEvents.length;
      const c2 = new Client({ name: 'oauth-test', version: '0' }, { capabilities: {} });
      await assert.rejects(c2.connect(new RemoteTransport({ type: 'sse', url: sse.url, headers: {} }, { fetch: env!.auth.fetchFor(stranger) })), (err: unknown) => isSignInRequired(err));
      assert.equal(env!.signInEvents.length, events + 1);
    });

    it('step-up: 403 insufficient_scope → needsSignIn with the scope → sign-in with it → the call works', async () => {
      const client = await connect(env!);
      await assert.rejects(client.callTool({ name: 'write', arguments: {} }), (err: unknown) => /sign in/i.test(String(err)));
      const ev = env!.signInEvents.at(-1);
      assert.equal(ev?.scope, 'mcp:read mcp:write');
      await client.close().catch(() => undefined);
      await signIn(env!);
      const stored = JSON.parse(env!.secrets.values.get('oauthTokens/userSettings#protected')!) as { tokens: { scope?: string } };
      assert.match(stored.tokens.scope ?? '', /mcp:write/);
      const again = await connect(env!);
      const r = await again.callTool({ name: 'write', arguments: {} });
      assert.match(JSON.stringify(r.content), /written/);
      await again.close();
    });

    describe('callback attacks are rejected and nothing is stored', () => {
      const cases: [string, (url: string) => string, RegExp][] = [
        ['wrong state', (u) => u.replace(/state=[^&]+/, 'state=forged-state'), /noPendingFlow/],
      ];
      for (const [name, tamper, reason] of cases) {
        it(name, async () => {
          await env!.auth.signOut(env!.target);
          const before = env!.secrets.values.size;
          const attempt = signIn(env!, tamper);
          if (name === 'wrong state') {
            // The real flow is still pending: it never completes; cancel it.
            await sleep(1_000);
            assert.ok(env!.logs.some((l) => reason.test(l)), 'rejection logged');
            env!.auth.flows.cancelAll();
          }
          await assert.rejects(attempt);
          assert.ok(env!.logs.some((l) => reason.test(l)), 'rejection logged');
          assert.ok(![...env!.secrets.values.keys()].some((k) => k.startsWith('oauthTokens/')), 'no tokens stored');
          assert.ok(env!.secrets.values.size <= before + 1, 'at most the registration');
          assertNoSecretsLogged(env!);
        });
      }

      it('RFC 9207: the issuer with a trailing slash is another issuer (auth/iss-normalized)', async () => {
        await assertIssRefused(env!, withIss((iss) => `${iss}/`), /issuerMismatch/);
      });

      it('RFC 9207: a wrong iss (auth/iss-wrong-issuer), and none although the server advertises it (auth/iss-supported-missing)', async () => {
        await assertIssRefused(env!, withIss(() => 'https://evil.example'), /issuerMismatch/);
        await assertIssRefused(env!, withIss(() => undefined), /missingIssuer/);
      });

      it('replayed state / replayed code, and a callback with no pending flow', async () => {
        let captured = '';
        await signIn(env!, (u) => { captured = u; return u; });
        const tokensBefore = env!.secrets.values.get('oauthTokens/userSettings#protected');
        const replay = await fetch(captured);
        assert.equal(replay.status, 400);
        await replay.body?.cancel();
        const outcome = env!.auth.handleCallback(callbackParamsFromUrl(captured));
        assert.equal(outcome.ok, false);
        assert.equal(env!.auth.handleCallback('?code=abc&state=nothing-pending').ok, false);
        assert.equal(env!.secrets.values.get('oauthTokens/userSettings#protected'), tokensBefore, 'nothing stored by the replays');
        assert.ok(!env!.logs.join('\n').includes(new URL(captured).searchParams.get('code')!), 'code never logged');
      });
    });

    it('sign-out deletes the tokens and the registration', async () => {
      await signIn(env!);
      await env!.auth.signOut(env!.target);
      assert.ok(![...env!.secrets.values.keys()].some((k) => k.startsWith('oauthTokens/') || k.startsWith('oauthClient/')), [...env!.secrets.values.keys()].join());
      await assert.rejects(connect(env!), (err: unknown) => isSignInRequired(err));
    });

    it('through the ServerManager: no tokens → needsSignIn (not restarted, no browser); after sign-in the server runs', async () => {
      const e = env!;
      const id = makeServerId({ kind: 'userSettings' }, 'protected');
      const launch = { type: 'http' as const, url: e.target.url, headers: {} };
      const def: ServerDefinition = { id, name: 'protected', source: { kind: 'userSettings' }, config: launch, options: { ping: false } };
      const factory = remoteTransportFactory({ oauthFetch: () => e.auth.fetchFor({ ...e.target, serverId: id, secretId: id }) });
      const manager = new ServerManager({ prepareStart: launchesFrom(() => Promise.resolve(launch)), clientInfo: TEST_CLIENT_INFO, transports: { http: factory, sse: factory }, redactor: e.redactor });
      try {
        await manager.setDefinitions([def]);
        await assert.rejects(manager.start(id), (err: unknown) => isSignInRequired(err));
        assert.equal(manager.getState(id).kind, 'needsSignIn');
        await sleep(1500);
        assert.equal(manager.getState(id).kind, 'needsSignIn', 'no restart loop');
        await e.auth.signIn({ ...e.target, serverId: id, secretId: id }, { redirectUri: e.loopback.redirectUri, openBrowser: browser(e) });
        await manager.start(id);
        assert.equal(manager.getState(id).kind, 'running');
        assert.ok(manager.getCatalog(id).tools.length > 0);
      } finally {
        await manager.stopAll();
        manager.dispose();
        await e.auth.signOut({ ...e.target, serverId: id, secretId: id });
      }
    });
  });

  describe('short-lived tokens (2 s)', () => {
    let env: Env | undefined;
    beforeEach(async () => { env = await setup(2); });
    afterEach(() => teardown(env));

    it('refreshes silently at expiry', async () => {
      await signIn(env!);
      const first = JSON.parse(env!.secrets.values.get('oauthTokens/userSettings#protected')!) as { tokens: { access_token: string } };
      const client = await connect(env!);
      await sleep(2_200);
      const r = await client.callTool({ name: 'whoami', arguments: {} });
      assert.match(JSON.stringify(r.content), /test-user/);
      const second = JSON.parse(env!.secrets.values.get('oauthTokens/userSettings#protected')!) as { tokens: { access_token: string } };
      assert.notEqual(second.tokens.access_token, first.tokens.access_token, 'a new access token');
      assert.ok(env!.logs.some((l) => /token refreshed/.test(l)));
      await client.close();
      assertNoSecretsLogged(env!);
    });

    it('revoked refresh token → needsSignIn (tokens deleted, no browser) → a clean sign-in works', async () => {
      await signIn(env!);
      const client = await connect(env!);
      await admin(env!, 'revoke-refresh');
      await sleep(2_200);
      await assert.rejects(client.listTools());
      assert.ok(env!.signInEvents.length >= 1, 'needsSignIn signalled');
      assert.ok(!env!.secrets.values.has('oauthTokens/userSettings#protected'), 'rejected tokens deleted');
      await client.close().catch(() => undefined);
      await signIn(env!);
      const again = await connect(env!);
      assert.ok((await again.listTools()).tools.length > 0);
      await again.close();
    });

    it('P17: signing out of one server keeps the registration another server on the same AS uses; its refresh works', async () => {
      const other: OAuthTarget = { ...env!.target, serverId: 'userSettings#other', serverName: 'other', secretId: 'userSettings#other' };
      await signIn(env!);
      await env!.auth.signIn(other, { redirectUri: env!.loopback.redirectUri, openBrowser: browser(env!) });
      assert.equal((await adminState(env!)).registrations, 1, 'one registration shared by both servers');
      await env!.auth.signOut(env!.target);
      assert.ok(!env!.secrets.values.has('oauthTokens/userSettings#protected'));
      assert.equal([...env!.secrets.values.keys()].filter((k) => k.startsWith('oauthClient/')).length, 1, 'registration kept for "other"');
      await sleep(2_200);
      const client = new Client({ name: 'oauth-test', version: '0' }, { capabilities: {} });
      await client.connect(new RemoteTransport({ type: 'http', url: other.url, headers: {} }, { fetch: env!.auth.fetchFor(other) }));
      assert.ok((await client.listTools()).tools.length > 0);
      await client.close();
      assert.ok(env!.logs.some((l) => /other: token refreshed/.test(l)));
      // The last user signs out: now the registration goes too.
      await env!.auth.signOut(other);
      assert.ok(![...env!.secrets.values.keys()].some((k) => k.startsWith('oauthClient/') || k.startsWith('oauthTokens/')));
    });

    it('deleted client (invalid_client) → registration deleted → sign-in registers again', async () => {
      await signIn(env!);
      const regsBefore = (await adminState(env!)).registrations;
      const client = await connect(env!);
      await admin(env!, 'delete-clients');
      await sleep(2_200);
      await assert.rejects(client.listTools());
      assert.ok(![...env!.secrets.values.keys()].some((k) => k.startsWith('oauthClient/')), 'stale registration deleted');
      await client.close().catch(() => undefined);
      await signIn(env!);
      assert.equal((await adminState(env!)).registrations, regsBefore + 1, 're-registered');
      const again = await connect(env!);
      assert.ok((await again.listTools()).tools.length > 0);
      await again.close();
    });
  });

  describe('RFC 9207 with an authorization server that does not advertise iss (ISS_PARAMETER=off)', () => {
    let env: Env | undefined;
    before(async () => { env = await setup(3600, { ISS_PARAMETER: 'off' }); });
    after(() => teardown(env));

    it('no iss advertised, none sent: signs in (auth/iss-not-advertised)', async () => {
      const meta = await asMetadata(env!);
      assert.equal(meta.authorization_response_iss_parameter_supported, undefined);
      let callback = '';
      await signIn(env!, (u) => { callback = u; return u; });
      assert.ok(callback.includes('code=') && !new URL(callback).searchParams.has('iss'), 'a callback without iss');
      const client = await connect(env!);
      assert.match(JSON.stringify((await client.callTool({ name: 'whoami', arguments: {} })).content), /test-user/);
      await client.close();
    });

    it('an iss it did not advertise is still compared: a wrong one is refused (auth/iss-unexpected), the exact one signs in', async () => {
      await assertIssRefused(env!, withIss(() => 'https://evil.example'), /issuerMismatch/);
      const { issuer } = await asMetadata(env!);
      await assertIssRefused(env!, withIss(() => `${issuer}/`), /issuerMismatch/);
      await signIn(env!, withIss(() => issuer));
      assert.ok(env!.secrets.values.has('oauthTokens/userSettings#protected'));
    });
  });

  describe('a pre-registered confidential client (serverOptions.oauth.clientId + its secret in SecretStorage)', () => {
    const CLIENT_SECRET = 'static-client-secret-4b1d-do-not-leak';
    let env: Env | undefined;
    before(async () => {
      env = await setup(3600, { STATIC_CLIENT_SECRET: CLIENT_SECRET });
      // Credentials live under the target's secretId, not its serverId.
      env.target = { ...env.target, secretId: 'owner:3f2a#protected', settings: { clientId: 'static-client' } };
    });
    after(() => teardown(env));

    it('without the secret the token request is refused, with a clear error that names no secret', async () => {
      await assert.rejects(signIn(env!), (err: unknown) => /client authentication failed.*Set Secret\.\.\./.test(String(err)) && !String(err).includes(CLIENT_SECRET));
      assert.equal([...env!.secrets.values.keys()].filter((k) => k.startsWith('oauthTokens/')).length, 0, 'no tokens stored');
    });

    it('with the secret from SecretStorage: signs in without registering, and the secret is in no log', async () => {
      await env!.secrets.store('oauthClient', staticClientSecretKey('owner:3f2a#protected'), CLIENT_SECRET);
      await signIn(env!);
      assert.deepEqual([...env!.secrets.values.keys()].filter((k) => k.startsWith('oauthTokens/')), ['oauthTokens/owner:3f2a#protected']);
      assert.equal((await adminState(env!)).registrations, 0, 'no dynamic registration for a static client');
      const client = await connect(env!);
      const r = await client.callTool({ name: 'whoami', arguments: {} });
      assert.match(JSON.stringify(r.content), /test-user/);
      await client.close();
      assert.ok(!env!.logs.join('\n').includes(CLIENT_SECRET), 'the client secret was logged');
      assertNoSecretsLogged(env!);
    });
  });
});
