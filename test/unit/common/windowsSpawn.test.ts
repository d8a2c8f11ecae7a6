import * as assert from 'node:assert/strict';
import {
  buildCmdShimLaunch, buildTaskkillArgs, buildWindowsLaunch, escapeCmdArgument, escapeCmdCommand, isBatchFile, resolveWindowsCommand,
} from '../../../src/common/windowsSpawn';

describe('Windows launch helpers (pure)', () => {
  it('recognises batch files case-insensitively', () => {
    assert.ok(isBatchFile('C:\\n\\npx.cmd'));
    assert.ok(isBatchFile('run.BAT'));
    assert.ok(!isBatchFile('node.exe'));
    assert.ok(!isBatchFile('cmd'));
  });

  it('escapes cmd metacharacters in the command', () => {
    assert.equal(escapeCmdCommand('C:\\Program Files\\x&y.cmd'), 'C:\\Program^ Files\\x^&y.cmd');
  });

  it('quotes arguments for argv and escapes them for cmd.exe (twice for %*-forwarding shims)', () => {
    assert.equal(escapeCmdArgument('plain', false), '^"plain^"');
    assert.equal(escapeCmdArgument('a b', false), '^"a^ b^"');
    assert.equal(escapeCmdArgument('a&b', true), '^^^"a^^^&b^^^"');
    // A quote inside: backslash-escaped for argv, then the quote and backslashes survive cmd.
    assert.equal(escapeCmdArgument('say "hi"', false), '^"say^ \\^"hi\\^"^"');
    // Backslashes before a quote are doubled; trailing backslashes (before the closing quote) too.
    assert.equal(escapeCmdArgument('dir\\', false), '^"dir\\\\^"');
    assert.equal(escapeCmdArgument('a\\"b', false), '^"a\\\\\\^"b^"');
    // Backslashes elsewhere are literal.
    assert.equal(escapeCmdArgument('C:\\x\\y', false), '^"C:\\x\\y^"');
    assert.equal(escapeCmdArgument('', false), '^"^"');
    assert.equal(escapeCmdArgument('%PATH%!x!', false), '^"^%PATH^%^!x^!^"');
  });

  it('builds cmd.exe /d /s /c "<line>" with verbatim arguments', () => {
    const l = buildCmdShimLaunch('C:\\nodejs\\npx.cmd', ['-y', '@scope/pkg@1.0', 'a|b'], 'C:\\Windows\\system32\\cmd.exe');
    assert.equal(l.file, 'C:\\Windows\\system32\\cmd.exe');
    assert.deepEqual(l.args.slice(0, 3), ['/d', '/s', '/c']);
    assert.equal(l.args[3], '"C:\\nodejs\\npx.cmd ^^^"-y^^^" ^^^"@scope/pkg@1.0^^^" ^^^"a^^^|b^^^""');
    assert.equal(l.windowsVerbatimArguments, true);
    assert.equal(buildCmdShimLaunch('x.bat', [], undefined).file, 'cmd.exe');
  });

  it('launches .exe files directly', () => {
    assert.deepEqual(buildWindowsLaunch('C:\\node.exe', ['a b'], undefined), { file: 'C:\\node.exe', args: ['a b'], windowsVerbatimArguments: false });
    assert.equal(buildWindowsLaunch('C:\\npx.CMD', [], 'cmd.exe').file, 'cmd.exe');
  });

  it('resolves commands through PATH and PATHEXT with an injected probe', () => {
    const files = new Set(['C:\\nodejs\\npx.cmd', 'C:\\tools\\uvx.exe', 'C:\\proj\\local.bat']);
    const exists = (f: string): boolean => files.has(f);
    const env = { Path: 'C:\\tools;"C:\\nodejs"', PATHEXT: '.EXE;.CMD;.BAT' };
    assert.equal(resolveWindowsCommand('npx', env, 'C:\\proj', exists), 'C:\\nodejs\\npx.cmd');
    assert.equal(resolveWindowsCommand('uvx', env, 'C:\\proj', exists), 'C:\\tools\\uvx.exe');
    // A bare name is never taken from the working directory (review C1); a relative path with a directory part is.
    assert.equal(resolveWindowsCommand('local', env, 'C:\\proj', exists), undefined);
    assert.equal(resolveWindowsCommand('.\\local.bat', env, 'C:\\proj', exists), 'C:\\proj\\local.bat');
    assert.equal(resolveWindowsCommand('missing', env, 'C:\\proj', exists), undefined);
  });

  it('builds taskkill /T /F /PID', () => {
    assert.deepEqual(buildTaskkillArgs(1234), { file: 'taskkill.exe', args: ['/T', '/F', '/PID', '1234'] });
    assert.equal(buildTaskkillArgs(1, 'C:\\Windows').file, 'C:\\Windows\\System32\\taskkill.exe');
    assert.throws(() => buildTaskkillArgs(0), RangeError);
    assert.throws(() => buildTaskkillArgs(1.5), RangeError);
  });
});
