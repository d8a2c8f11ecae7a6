import * as assert from 'node:assert/strict';
import type { InputDefinition, ServerConfig, ServerDefinition } from '../../../src/common/config/types';
import { ConfigResolutionError, type ResolveContext, findVariables, mergeEnvironment, referencedInputs, resolveDefinition } from '../../../src/common/config/variables';
import { type ServerSource, makeServerId } from '../../../src/common/serverId';
import { resolveWindowsCommand } from '../../../src/common/windowsSpawn';

function def(config: ServerConfig, source: ServerSource = { kind: 'workspaceMcpJson', folder: 'web', folderUri: 'file:///w/web' }): ServerDefinition {
  return { id: makeServerId(source, 's'), name: 's', source, config, options: {} };
}
const stdio = (over: Partial<Extract<ServerConfig, { type: 'stdio' }>>): ServerConfig => ({ type: 'stdio', command: 'node', args: [], env: {}, ...over });

function ctx(over: Partial<ResolveContext> = {}): ResolveContext & { asked: string[]; secrets: string[]; warnings: string[] } {
  const asked: string[] = [];
  const secrets: string[] = [];
  const warnings: string[] = [];
  return {
    platform: 'linux', home: '/home/u', env: { PATH: '/usr/bin:/bin', HOME: '/home/u', KEEP: '1', DROP: 'x' },
    folders: [{ name: 'api', path: '/w/api' }, { name: 'web', path: '/w/web' }],
    inputs: [
      { type: 'promptString', id: 'tok', password: true },
      { type: 'promptString', id: 'name' },
    ],
    getInput: (i: InputDefinition) => { asked.push(i.id); return Promise.resolve(i.id === 'tok' ? 's3cret-value' : `v-${i.id}`); },
    readFile: (p: string) => (p === '/w/web/.env' ? Promise.resolve('FROM_FILE=f\nAPI_TOKEN=file-secret\nPATH=/file/bin\n') : Promise.reject(new Error('ENOENT'))),
    onSecret: (v) => secrets.push(v),
    onWarning: (m) => warnings.push(m),
    asked, secrets, warnings,
    ...over,
  };
}

async function args(a: string[], c = ctx(), source?: ServerSource): Promise<readonly string[]> {
  const r = await resolveDefinition(def(stdio({ args: a }), source), c);
  assert.equal(r.type, 'stdio');
  return r.type === 'stdio' ? r.args : [];
}

describe('config/variables: each variable', () => {
  const cases: [string, string, string][] = [
    ['${workspaceFolder} is the defining folder', '${workspaceFolder}/x', '/w/web/x'],
    ['${workspaceFolder:name}', '${workspaceFolder:api}', '/w/api'],
    ['${userHome}', '${userHome}/.cache', '/home/u/.cache'],
    ['${env:NAME}', 'k=${env:KEEP}', 'k=1'],
    ['${env:UNSET} is empty', '[${env:NOPE}]', '[]'],
    ['${pathSeparator} and ${/}', 'a${pathSeparator}b${/}c', 'a/b/c'],
    ['${input:id} (non-password)', '--name=${input:name}', '--name=v-name'],
    ['no variables', 'plain $HOME {x}', 'plain $HOME {x}'],
  ];
  for (const [name, input, expected] of cases) {
    it(name, async () => assert.deepEqual(await args([input]), [expected]));
  }

  it('${workspaceFolder} of a settings server is the first folder', async () => {
    assert.deepEqual(await args(['${workspaceFolder}'], ctx(), { kind: 'userSettings' }), ['/w/api']);
  });

  it('${pathSeparator} is \\ on Windows', async () => {
    assert.deepEqual(await args(['a${/}b'], ctx({ platform: 'win32', env: {} })), ['a\\b']);
  });

  it('${env:name} is case-insensitive on Windows', async () => {
    assert.deepEqual(await args(['${env:path}'], ctx({ platform: 'win32', env: { Path: 'C:\\bin' } })), ['C:\\bin']);
  });

  it('asks each input once per resolution', async () => {
    const c = ctx();
    await resolveDefinition(def(stdio({ args: ['${input:name}', '${input:name}'], env: { N: '${input:name}' } })), c);
    assert.deepEqual(c.asked, ['name']);
  });

  it('registers password values as secrets and warns (without the value) when one is in args', async () => {
    const c = ctx();
    await args(['--t', '${input:tok}'], c);
    assert.ok(c.secrets.includes('s3cret-value'));
    assert.equal(c.warnings.length, 1);
    assert.ok(!c.warnings[0].includes('s3cret-value'));
  });

  it('findVariables classifies', () => {
    assert.deepEqual(findVariables('${a} ${input:x} ${env:} ${workspaceFolder:w}').map((v) => v.kind), ['unknown', 'input', 'unknown', 'workspaceFolder']);
  });
});

describe('config/variables: errors', () => {
  const cases: [string, string, RegExp][] = [
    ['unknown variable', '${config:editor.fontSize}', /unknown variable \$\{config:editor.fontSize\}/],
    ['unknown input', '${input:missing}', /unknown input "missing"/],
    ['unknown folder', '${workspaceFolder:nope}', /no workspace folder named "nope"/],
  ];
  for (const [name, input, re] of cases) {
    it(name, async () => {
      await assert.rejects(args([input]), (err: unknown) => err instanceof ConfigResolutionError && re.test(err.message));
    });
  }

  it('${workspaceFolder} without folders', async () => {
    await assert.rejects(args(['${workspaceFolder}'], ctx({ folders: [] })), ConfigResolutionError);
  });

  it('an unreadable envFile', async () => {
    await assert.rejects(resolveDefinition(def(stdio({ envFile: 'missing.env' })), ctx()), /cannot read envFile "\/w\/web\/missing.env"/);
  });

  it('passes the input lookup failure (e.g. cancellation) through', async () => {
    class Cancelled extends Error {}
    await assert.rejects(args(['${input:name}'], ctx({ getInput: () => Promise.reject(new Cancelled()) })), Cancelled);
  });
});

describe('config/variables: cwd, envFile, env and PATH', () => {
  it('cwd defaults to the defining folder for workspace servers, to home for user servers (review C1)', async () => {
    const cwdOf = async (source: ServerSource, folders = ctx().folders, cwd?: string) => {
      const r = await resolveDefinition(def(stdio(cwd === undefined ? {} : { cwd }), source), ctx({ folders }));
      return r.type === 'stdio' ? r.cwd : '';
    };
    assert.equal(await cwdOf({ kind: 'workspaceMcpJson', folder: 'web', folderUri: 'file:///w/web' }), '/w/web');
    assert.equal(await cwdOf({ kind: 'workspaceSettings', workspaceUri: 'file:///w' }), '/w/api');
    assert.equal(await cwdOf({ kind: 'workspaceSettings', workspaceUri: 'file:///w' }, []), '/home/u');
    // A user server never lands in the (maybe untrusted) workspace by default, relative paths included...
    assert.equal(await cwdOf({ kind: 'userMcpJson' }), '/home/u');
    assert.equal(await cwdOf({ kind: 'userSettings' }), '/home/u');
    assert.equal(await cwdOf({ kind: 'userSettings' }, undefined, 'tools'), '/home/u/tools');
    // ...only where its definition asks for it.
    assert.equal(await cwdOf({ kind: 'userSettings' }, undefined, '${workspaceFolder}'), '/w/api');
  });

  it('P8: a user server in an untrusted Windows clone runs node\'s npx, not the clone\'s npx.cmd (review C1)', async () => {
    const user: ServerSource = { kind: 'userSettings' };
    const l = await resolveDefinition(def(stdio({ command: 'npx', args: ['-y', '@modelcontextprotocol/server-github'] }), user), ctx({
      platform: 'win32', home: 'C:\\Users\\u', env: { PATH: 'C:\\Program Files\\nodejs', PATHEXT: '.COM;.EXE;.BAT;.CMD' },
      folders: [{ name: 'clone', path: 'C:\\Users\\u\\Downloads\\clone' }],
    }));
    assert.ok(l.type === 'stdio');
    assert.equal(l.cwd, 'C:\\Users\\u');
    const planted = new Set(['C:\\Users\\u\\Downloads\\clone\\npx.cmd', 'C:\\Users\\u\\npx.cmd', 'C:\\Program Files\\nodejs\\npx.cmd']);
    assert.equal(resolveWindowsCommand('npx', l.env, l.cwd, (f) => planted.has(f)), 'C:\\Program Files\\nodejs\\npx.cmd');
    assert.equal(resolveWindowsCommand('npx', l.env, 'C:\\Users\\u\\Downloads\\clone', (f) => planted.has(f)), 'C:\\Program Files\\nodejs\\npx.cmd');
  });

  it('resolves ~ and relative cwd', async () => {
    const cwd = async (c: string) => { const r = await resolveDefinition(def(stdio({ cwd: c })), ctx()); return r.type === 'stdio' ? r.cwd : ''; };
    assert.equal(await cwd('~/src'), '/home/u/src');
    assert.equal(await cwd('~'), '/home/u');
    assert.equal(await cwd('sub/dir'), '/w/web/sub/dir');
    assert.equal(await cwd('/abs/./x'), '/abs/x');
  });

  it('env is inherited + envFile + env; null removes; PATH entries from env first', async () => {
    const c = ctx();
    const r = await resolveDefinition(def(stdio({ envFile: '${workspaceFolder}/.env', env: { FROM_FILE: 'override', DROP: null, PATH: '/env/bin:/usr/bin', TOKEN: '${input:tok}' } })), c);
    assert.equal(r.type, 'stdio');
    if (r.type !== 'stdio') return;
    assert.equal(r.env['KEEP'], '1');
    assert.equal(r.env['FROM_FILE'], 'override');
    assert.equal(r.env['API_TOKEN'], 'file-secret');
    assert.equal('DROP' in r.env, false);
    assert.equal(r.env['PATH'], '/env/bin:/usr/bin:/file/bin:/bin');
    assert.equal(r.env['TOKEN'], 's3cret-value');
    assert.ok(c.secrets.includes('file-secret'), 'secret-named envFile values are registered');
  });

  it('reports the envFile it read: its path, variable names and a content digest (for the start dialog)', async () => {
    const r = await resolveDefinition(def(stdio({ envFile: '.env' })), ctx());
    assert.ok(r.type === 'stdio' && r.envFile);
    assert.equal(r.envFile.path, '/w/web/.env');
    assert.deepEqual(r.envFile.names, ['FROM_FILE', 'API_TOKEN', 'PATH']);
    assert.match(r.envFile.digest, /^[0-9a-f]{64}$/);
    const other = await resolveDefinition(def(stdio({ envFile: '.env' })), ctx({ readFile: () => Promise.resolve('NODE_OPTIONS=--require x') }));
    assert.ok(other.type === 'stdio' && other.envFile && other.envFile.digest !== r.envFile.digest);
  });

  it('children do not inherit VS Code\'s and Electron\'s internals, but may set them on purpose (review L3, P3)', async () => {
    const r = await resolveDefinition(def(stdio({ env: { VSCODE_WANTED: 'yes' } })), ctx({ env: {
      PATH: '/usr/bin', HOME: '/home/u', GITHUB_TOKEN: 'mine', ELECTRON_RUN_AS_NODE: '1', VSCODE_IPC_HOOK_CLI: '/tmp/s.sock',
      VSCODE_GIT_ASKPASS_MAIN: '/x/askpass.js', VSCODE_GIT_IPC_HANDLE: '/tmp/g.sock', VSCODE_NLS_CONFIG: '{}', VSCODE_PORTABLE: '/p',
    } }));
    assert.ok(r.type === 'stdio');
    assert.deepEqual(Object.keys(r.env).sort(), ['GITHUB_TOKEN', 'HOME', 'PATH', 'VSCODE_PORTABLE', 'VSCODE_WANTED']);
  });

  it('mergeEnvironment on Windows keeps one Path, case-insensitively', () => {
    const env = mergeEnvironment({ Path: 'C:\\Windows;C:\\bin', Foo: 'a' }, {}, { PATH: 'D:\\tools;c:\\bin', FOO: 'b' }, 'win32');
    assert.deepEqual(env, { Path: 'D:\\tools;c:\\bin;C:\\Windows', Foo: 'b' });
  });

  it('PATH: null removes it', () => {
    assert.deepEqual(mergeEnvironment({ PATH: '/bin', A: '1' }, {}, { PATH: null }, 'linux'), { A: '1' });
  });

  it('does not touch PATH when neither env nor envFile sets it', () => {
    assert.equal(mergeEnvironment({ PATH: '/bin:/bin' }, {}, { A: 'x' }, 'linux')['PATH'], '/bin:/bin');
  });
});

describe('config/variables: remote servers', () => {
  it('resolves url and headers, registering secret-named header values (also without the scheme)', async () => {
    const c = ctx();
    const r = await resolveDefinition(def({ type: 'http', url: 'https://h/${input:name}', headers: { Authorization: 'Bearer ${input:tok}', 'X-Trace': 'on' } }), c);
    assert.deepEqual(r, { type: 'http', url: 'https://h/v-name', headers: { Authorization: 'Bearer s3cret-value', 'X-Trace': 'on' } });
    assert.ok(c.secrets.includes('Bearer s3cret-value'));
    assert.ok(c.secrets.includes('s3cret-value'));
  });
});

describe('config/variables: remote servers, what they are sent (review L2, L8)', () => {
  it('registers every ${env:…} and ${input:…} value in url and headers as a secret, whatever the header name', async () => {
    const c = ctx({ env: { AWS_SECRET_ACCESS_KEY: 'wJalrFAKEXUtnFEMI', DBG: 'ghp_abc123xyz' } });
    const r = await resolveDefinition(def({ type: 'http', url: 'https://c.example/mcp?k=${env:AWS_SECRET_ACCESS_KEY}', headers: { 'X-Debug': '${env:DBG}', 'X-Who': '${input:name}', 'X-Plain': 'on' } }), c);
    assert.equal(r.type === 'http' && r.url, 'https://c.example/mcp?k=wJalrFAKEXUtnFEMI');
    for (const v of ['wJalrFAKEXUtnFEMI', 'ghp_abc123xyz', 'v-name']) assert.ok(c.secrets.includes(v), v);
    assert.ok(!c.secrets.includes('on'));
  });
  for (const [name, url, env] of [
    ['userinfo', 'https://${env:U}@h.example/mcp', { U: 'me:s3cr3t-PASSWORD' }],
    ['another scheme', '${env:U}', { U: 'file:///etc/passwd' }],
    ['not a URL', 'https://h.example${env:U}', { U: ':not a port' }],
  ] as const) {
    it(`re-validates the URL after substitution: ${name} is a ConfigResolutionError that does not quote it`, async () => {
      await assert.rejects(resolveDefinition(def({ type: 'sse', url, headers: {} }), ctx({ env })), (err: unknown) =>
        err instanceof ConfigResolutionError && /the resolved "url" cannot be used/.test(err.message) && !err.message.includes(env.U));
    });
  }
});

describe('config/variables: referencedInputs', () => {
  it('finds inputs in every field of a stdio entry, and nothing else', () => {
    const config: ServerConfig = {
      type: 'stdio', command: '${input:cmd}', args: ['--key=${input:key}', '${env:HOME}'],
      env: { A: '${input:a} and ${input:key}', B: null, C: '${workspaceFolder}' }, envFile: '${input:file}', cwd: '${input:dir}',
    };
    assert.deepEqual([...referencedInputs(config)].sort(), ['a', 'cmd', 'dir', 'file', 'key']);
  });

  it('finds inputs in a remote entry\'s URL and headers', () => {
    assert.deepEqual([...referencedInputs({ type: 'http', url: 'https://x.test/${input:tenant}/mcp', headers: { Authorization: 'Bearer ${input:tok}', X: 'plain' } })].sort(), ['tenant', 'tok']);
    assert.equal(referencedInputs({ type: 'sse', url: 'https://x.test/sse', headers: {} }).size, 0);
  });
});
