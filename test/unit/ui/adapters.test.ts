import './../vscodeStub';
import * as assert from 'node:assert/strict';
import { commandId } from '../../../src/common/contracts';
import { Redactor } from '../../../src/common/redact';
import { registerCommand } from '../../../src/commands/commandRunner';
import { RemoteFeatures } from '../../../src/features/remote';
import { Logger } from '../../../src/log';
import { MemorySecretBackend } from '../../../src/remote/oauth/secretBackend';
import { Notifier } from '../../../src/vscode-adapters/notifier';
import { calls, registered } from '../vscodeStub';

const SECRET = 'sk-live-ABCDEF0123456789';
const shown = () => calls.filter((c) => c.api === 'showErrorMessage' || c.api === 'showWarningMessage').map((c) => String(c.args[0]));

describe('VS Code adapters (against a vscode stub)', () => {
  beforeEach(() => { calls.length = 0; });

  it('Notifier.show redacts every message before it is sanitized and cut (review M2, P9)', () => {
    const redactor = new Redactor();
    redactor.add(SECRET);
    const notifier = new Notifier(() => undefined, redactor);
    notifier.error(`MCP server 'x' failed: upstream rejected key ${SECRET}`);
    notifier.warn(`${'w'.repeat(280)} Authorization: Bearer ${SECRET}`);
    notifier.error(`could not connect to http://me:s3cr3t-PASSWORD@127.0.0.1:9/mcp`);
    assert.equal(shown().length, 3);
    for (const text of shown()) assert.ok(!/sk-li|s3cr3t/.test(text), text);
    assert.match(shown()[0], /rejected key ••••/);
  });

  it('a command\'s error text reaches the notification redacted, and is not cut before redaction (review M2)', async () => {
    const redactor = new Redactor();
    redactor.add(SECRET);
    const logger = new Logger('test', redactor);
    registerCommand('refresh', () => { throw new Error(`${'e'.repeat(260)} key ${SECRET}`); }, logger.scoped('commands'), new Notifier(() => undefined, redactor));
    await registered.commands.get(commandId('refresh'))!();
    const logged = calls.filter((c) => c.api.startsWith('channel.')).map((c) => String(c.args[0]));
    assert.equal(shown().length, 1);
    for (const text of [...shown(), ...logged]) assert.ok(!text.includes('sk-li'), text);
  });

  it('the URI handler logs an unknown path cleaned and bounded: no spoofed log lines (review L9)', () => {
    const logger = new Logger('test', new Redactor());
    const secrets = Object.assign(new MemorySecretBackend(), { onDidChange: () => ({ dispose: () => undefined }) });
    const remote = new RemoteFeatures({ secrets, redactor: logger.redactor, logger, definitions: { definition: () => undefined } });
    try {
      registered.uriHandler!.handleUri({ path: `/x\n[error] [remote] spoofed line\r\n${'p'.repeat(500)}`, query: '' });
      const lines = calls.filter((c) => c.api === 'channel.warn').map((c) => String(c.args[0]));
      assert.equal(lines.length, 1);
      assert.match(lines[0], /^\[remote\] ignored a URI for an unknown path \(\/x \[error\] \[remote\] spoofed line p+…\)$/);
      assert.ok(lines[0].length < 160, lines[0]);
    } finally {
      remote.dispose();
    }
  });
});
