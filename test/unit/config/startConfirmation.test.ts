import * as assert from 'node:assert/strict';
import { confirmationFingerprint, formatCommandLine, rememberFingerprint, trustDecision, MAX_REMEMBERED_CONFIRMATIONS } from '../../../src/common/config/startConfirmation';
import { maskSecretArgs } from '../../../src/common/config/secretsInArgs';
import type { ServerConfig, ServerDefinition } from '../../../src/common/config/types';
import { Redactor } from '../../../src/common/redact';
import { type ServerSource, makeServerId } from '../../../src/common/serverId';

const ws: ServerSource = { kind: 'workspaceMcpJson', folder: 'f' };
const def = (config: Partial<Extract<ServerConfig, { type: 'stdio' }>> = {}, source: ServerSource = ws): ServerDefinition => ({
  id: makeServerId(source, 's'), name: 's', source, options: {},
  config: { type: 'stdio', command: 'node', args: ['a.js'], env: { A: '1' }, ...config },
});

describe('config/startConfirmation', () => {
  const never = () => false;

  it('decides by source, trust, transport and the setting', () => {
    const cases: [string, ServerDefinition, boolean, boolean, boolean, string][] = [
      ['user source always allowed', def({}, { kind: 'userSettings' }), false, true, false, 'allowed'],
      ['workspace source untrusted', def(), false, true, false, 'needsTrust'],
      ['workspace settings untrusted', def({}, { kind: 'workspaceSettings' }), false, false, true, 'needsTrust'],
      ['trusted, first start', def(), true, true, false, 'needsConfirmation'],
      ['trusted, confirmed before', def(), true, true, true, 'allowed'],
      ['trusted, confirmation off', def(), true, false, false, 'allowed'],
    ];
    for (const [name, d, trusted, confirmFirstStart, confirmed, expected] of cases) {
      assert.equal(trustDecision(d, { trusted, confirmFirstStart, confirmed: () => confirmed }), expected, name);
    }
    const remote: ServerDefinition = { ...def(), config: { type: 'http', url: 'https://x', headers: {} } };
    assert.equal(trustDecision(remote, { trusted: true, confirmFirstStart: true, confirmed: never }), 'allowed', 'remote servers need no confirmation');
    assert.equal(trustDecision(remote, { trusted: false, confirmFirstStart: true, confirmed: never }), 'needsTrust');
  });

  it('the fingerprint changes with command, args and env keys, not env values or cwd', () => {
    const f = confirmationFingerprint(def());
    assert.match(f, /^[0-9a-f]{64}$/);
    assert.equal(confirmationFingerprint(def({ env: { A: 'other' } })), f);
    assert.equal(confirmationFingerprint(def({ cwd: '/x' })), f);
    assert.notEqual(confirmationFingerprint(def({ command: 'python' })), f);
    assert.notEqual(confirmationFingerprint(def({ args: ['b.js'] })), f);
    assert.notEqual(confirmationFingerprint(def({ env: { A: '1', B: '2' } })), f);
    assert.notEqual(confirmationFingerprint(def({}, { kind: 'workspaceMcpJson', folder: 'g' })), f);
  });

  it('formats the command line with secrets masked and quoting', () => {
    const r = new Redactor();
    r.add('hunter22');
    const text = formatCommandLine({ type: 'stdio', command: '/usr/bin/node', args: ['my server.js', '--pw=hunter22', ''], env: {}, cwd: '/' }, (s) => r.redact(s));
    assert.equal(text, '/usr/bin/node "my server.js" --pw=•••• ""');
  });

  it('remembers a bounded list of fingerprints', () => {
    let list: string[] = [];
    for (let i = 0; i < MAX_REMEMBERED_CONFIRMATIONS + 10; i++) list = rememberFingerprint(list, String(i));
    assert.equal(list.length, MAX_REMEMBERED_CONFIRMATIONS);
    assert.equal(list.at(-1), String(MAX_REMEMBERED_CONFIRMATIONS + 9));
    assert.deepEqual(rememberFingerprint(['a', 'b'], 'a'), ['b', 'a']);
  });
});

describe('config/secretsInArgs: masking for display', () => {
  it('masks flagged values only', () => {
    assert.deepEqual(maskSecretArgs(['-v', '--api-key=abc', '--token', 'xyz', 'ghp_abcdefghijklmnopqrstu', 'plain'], [], '••'), ['-v', '--api-key=••', '--token', '••', '••', 'plain']);
  });
});
