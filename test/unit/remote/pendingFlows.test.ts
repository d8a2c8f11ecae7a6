import * as assert from 'node:assert/strict';
import { CallbackRejectedError, PendingFlows, callbackParamsFromUrl, issuerExpectations, issuerRejection, type FlowExpectations } from '../../../src/remote/oauth/pendingFlows';
import { clientKey, redirectKey } from '../../../src/remote/oauth/provider';

describe('PendingFlows (pure)', () => {
  it('accepts the matching callback once, then rejects the replay', async () => {
    const flows = new PendingFlows();
    const flow = flows.begin('s1', { issuer: 'https://as.example' });
    assert.deepEqual(flows.handle({ state: flow.state, code: 'c1', iss: 'https://as.example' }), { ok: true, serverId: 's1' });
    assert.deepEqual(await flow.response, { code: 'c1', iss: 'https://as.example' });
    const replay = flows.handle({ state: flow.state, code: 'c1', iss: 'https://as.example' });
    assert.equal(replay.ok, false);
    assert.equal(flows.size, 0);
  });

  it('rejects unknown state, iss mismatch, missing iss when promised, errors and missing code; outcomes never carry the code', async () => {
    const flows = new PendingFlows();
    assert.equal(flows.handle({ code: 'x' }).ok, false);
    const cases: [Parameters<PendingFlows['handle']>[0] extends infer P ? Omit<P & object, 'state'> : never, string, boolean?][] = [
      [{ code: 'secret-code', iss: 'https://evil.example' }, 'issuerMismatch'],
      [{ code: 'secret-code', iss: 'https://as.example/' }, 'issuerMismatch', true],
      [{ code: 'secret-code' }, 'missingIssuer', true],
      [{ error: 'access_denied', iss: 'https://as.example' }, 'authorizationError'],
      [{ iss: 'https://as.example' }, 'missingCode'],
    ];
    for (const [params, reason, issRequired] of cases) {
      const flow = flows.begin('s', { issuer: 'https://as.example', issRequired });
      const outcome = flows.handle({ ...params, state: flow.state });
      assert.equal(outcome.ok, false);
      assert.equal(!outcome.ok && outcome.reason, reason);
      assert.ok(!JSON.stringify(outcome).includes('secret-code'));
      await assert.rejects(flow.response, (e: unknown) => e instanceof CallbackRejectedError && e.reason === reason);
    }
  });

  it('RFC 9207: iss equals the metadata issuer exactly (advertised or not), and is required only when advertised', () => {
    const advertised = issuerExpectations({ issuer: 'https://as.example/tenant', authorization_response_iss_parameter_supported: true } as { issuer: string });
    assert.deepEqual(advertised, { issuer: 'https://as.example/tenant', issRequired: true });
    const notAdvertised = issuerExpectations({ issuer: 'https://as.example/tenant', authorization_response_iss_parameter_supported: 'true' } as { issuer: string });
    assert.deepEqual(notAdvertised, { issuer: 'https://as.example/tenant', issRequired: false }, 'only a literal true advertises it');
    assert.deepEqual(issuerExpectations(undefined), {});
    const cases: [string | undefined, FlowExpectations, string | undefined][] = [
      ['https://as.example/tenant', advertised, undefined], // iss-supported
      [undefined, notAdvertised, undefined], // iss-not-advertised
      [undefined, advertised, 'missingIssuer'], // iss-supported-missing
      ['https://evil.example', advertised, 'issuerMismatch'], // iss-wrong-issuer
      ['https://evil.example', notAdvertised, 'issuerMismatch'], // iss-unexpected
      ['https://as.example/tenant/', advertised, 'issuerMismatch'], // iss-normalized
      ['HTTPS://as.example/tenant', advertised, 'issuerMismatch'],
      ['https://as.example:443/tenant', notAdvertised, 'issuerMismatch'],
      ['https://evil.example', {}, undefined], // no metadata (MCP 2025-03-26 defaults): nothing to compare with
    ];
    for (const [iss, expected, reason] of cases) assert.equal(issuerRejection(iss, expected)?.reason, reason, `${iss} against ${JSON.stringify(expected)}`);
  });

  it('expires after its TTL (5 minutes by default)', async () => {
    let now = 0;
    const flows = new PendingFlows(300_000, () => now);
    const flow = flows.begin('s');
    now = 300_001;
    const outcome = flows.handle({ state: flow.state, code: 'c' });
    assert.equal(!outcome.ok && outcome.reason, 'expired');
    await assert.rejects(flow.response);
    const short = new PendingFlows(20);
    await assert.rejects(short.begin('s').response, /5 minutes/);
  });

  it('cancel rejects the waiter', async () => {
    const flows = new PendingFlows();
    const flow = flows.begin('s');
    flow.cancel();
    await assert.rejects(flow.response, /cancel/i);
  });

  it('parses callback URLs and keys registrations by AS and port-less loopback redirect', () => {
    assert.deepEqual(callbackParamsFromUrl('http://127.0.0.1:1234/oauth/callback?code=a&state=b&iss=c'), { state: 'b', code: 'a', iss: 'c', error: undefined, error_description: undefined });
    assert.equal(redirectKey('http://127.0.0.1:55123/oauth/callback'), 'http://127.0.0.1/oauth/callback');
    assert.equal(redirectKey('code-oss://mcpkit.mcp-manager/oauth/callback'), 'code-oss://mcpkit.mcp-manager/oauth/callback');
    assert.equal(clientKey('https://as.example', 'http://127.0.0.1:9/oauth/callback'), 'https://as.example http://127.0.0.1/oauth/callback');
    // A workspace-owned server's registrations carry its owner (review H1): another workspace never reuses them.
    assert.equal(clientKey('https://as.example', 'http://127.0.0.1:9/oauth/callback', 'ws-0123456789abcdef'), 'ws-0123456789abcdef https://as.example http://127.0.0.1/oauth/callback');
  });
});
