import * as assert from 'node:assert/strict';
import {
  type ExportSource, type ExportTarget, type ExportTargetKind, EXPORT_TRAITS, applyExport, environmentName, exportServer, exportTargets, exportedServerNames, prepareExport,
} from '../../../src/common/config/exporters';
import { parseImportFile } from '../../../src/common/config/importers';
import { parseMcpJsonText } from '../../../src/common/config/parse';
import type { InputDefinition, ServerConfig } from '../../../src/common/config/types';
import { UserFacingError } from '../../../src/common/errors';

const FOLDER = { name: 'web', path: '/w/web' };
const CTX = { platform: 'linux' as const, home: '/home/u', folders: [FOLDER], workspaceFolder: FOLDER };
const TARGETS = exportTargets('linux', '/home/u', {}, [FOLDER]);
const target = (kind: ExportTargetKind): ExportTarget => TARGETS.find((t) => t.kind === kind)!;
const ALL_KINDS: ExportTargetKind[] = ['mcpJson', 'vscode', 'copilot', 'claude', 'cursor'];

const stdio = (config: Partial<Extract<ServerConfig, { type: 'stdio' }>> = {}): ServerConfig => ({ type: 'stdio', command: 'npx', args: ['-y', 'pkg'], env: {}, ...config });
const remote = (type: 'http' | 'sse', headers: Record<string, string> = {}): ServerConfig => ({ type, url: 'https://mcp.example.com/mcp', headers });
const server = (config: ServerConfig, inputs: InputDefinition[] = [], name = 'srv'): ExportSource => ({ name, config, inputs });
const entry = (kind: ExportTargetKind, s: ExportSource) => prepareExport(s, target(kind), CTX).json;

/** What a target's file reads back as, through the importer (mcpServers files) or the configuration parser (.vscode). */
function readBack(kind: ExportTargetKind, text: string): { name: string; config?: ServerConfig }[] {
  if (kind === 'vscode') return parseMcpJsonText(text, { kind: 'userMcpJson' }).entries.map((e) => ({ name: e.name, config: e.config }));
  return parseImportFile(text, kind).candidates.map((c) => ({ name: c.name, config: c.config }));
}

describe('config/export: targets', () => {
  it('lists each folder\'s .mcp.json and .vscode/mcp.json, then Claude Desktop, Cursor and Copilot', () => {
    assert.deepEqual(TARGETS.map((t) => [t.kind, t.label, t.path]), [
      ['mcpJson', 'web/.mcp.json', '/w/web/.mcp.json'],
      ['vscode', 'web/.vscode/mcp.json', '/w/web/.vscode/mcp.json'],
      ['claude', 'Claude Desktop', '/home/u/.config/Claude/claude_desktop_config.json'],
      ['cursor', 'Cursor (user)', '/home/u/.cursor/mcp.json'],
      ['copilot', 'Copilot (user)', '/home/u/.copilot/mcp-config.json'],
    ]);
    assert.equal(exportTargets('linux', '/home/u', { COPILOT_HOME: '/c' }).find((t) => t.kind === 'copilot')?.path, '/c/mcp-config.json');
    assert.equal(exportTargets('win32', 'C:\\Users\\u', {}, [{ name: 'a', path: 'C:\\a' }])[0]?.path, 'C:\\a\\.mcp.json');
  });
});

describe('config/export: entries per target', () => {
  const s = server(stdio({ env: { LOG_LEVEL: 'debug' } }));

  it('stdio', () => {
    const base = { command: 'npx', args: ['-y', 'pkg'], env: { LOG_LEVEL: 'debug' } };
    assert.deepEqual(entry('mcpJson', s), { type: 'stdio', ...base });
    assert.deepEqual(entry('vscode', s), { type: 'stdio', ...base });
    assert.deepEqual(entry('copilot', s), { type: 'local', ...base, tools: ['*'] });
    assert.deepEqual(entry('claude', s), base);
    assert.deepEqual(entry('cursor', s), base);
    // "args" is written even when empty for the mcpServers clients; VS Code's shape leaves empty fields out.
    assert.deepEqual(entry('claude', server(stdio({ args: [] }))), { command: 'npx', args: [] });
    assert.deepEqual(entry('vscode', server(stdio({ args: [] }))), { type: 'stdio', command: 'npx' });
  });

  it('http', () => {
    const h = server(remote('http', { 'X-Team': 'core' }));
    const base = { url: 'https://mcp.example.com/mcp', headers: { 'X-Team': 'core' } };
    assert.deepEqual(entry('mcpJson', h), { type: 'http', ...base });
    assert.deepEqual(entry('vscode', h), { type: 'http', ...base });
    assert.deepEqual(entry('copilot', h), { type: 'http', ...base, tools: ['*'] });
    assert.deepEqual(entry('cursor', h), base, 'a URL alone is Streamable HTTP to Cursor');
  });

  it('sse', () => {
    const h = server(remote('sse'));
    assert.deepEqual(entry('mcpJson', h), { type: 'sse', url: 'https://mcp.example.com/mcp' });
    assert.deepEqual(entry('copilot', h), { type: 'sse', url: 'https://mcp.example.com/mcp', tools: ['*'] });
    assert.deepEqual(entry('cursor', h), { type: 'sse', url: 'https://mcp.example.com/mcp' });
  });

  it('Claude Desktop refuses a remote server, naming where it does take one', () => {
    for (const type of ['http', 'sse'] as const) {
      assert.throws(() => prepareExport(server(remote(type)), target('claude'), CTX), (err: Error) =>
        err instanceof UserFacingError && /only local \(stdio\) servers/.test(err.message) && /Settings → Connectors/.test(err.message));
    }
    assert.equal(EXPORT_TRAITS.claude.remote, false);
  });

  it('leaves out what a target has no field for, and says so', () => {
    const r = prepareExport(server(stdio({ cwd: '/srv', envFile: '/srv/.env', env: { DROP: null } })), target('claude'), CTX);
    assert.deepEqual(r.json, { command: 'npx', args: ['-y', 'pkg'] });
    assert.ok(r.notes.some((n) => /working directory \(cwd\) was left out/.test(n)));
    assert.ok(r.notes.some((n) => /envFile was left out/.test(n)));
    assert.ok(r.notes.some((n) => /"DROP" unsets an inherited variable/.test(n)));
    const kept = prepareExport(server(stdio({ cwd: '/srv', envFile: '/srv/.env', env: { DROP: null } })), target('vscode'), CTX);
    assert.deepEqual(kept.json, { type: 'stdio', command: 'npx', args: ['-y', 'pkg'], env: { DROP: null }, envFile: '/srv/.env', cwd: '/srv' });
    assert.deepEqual(kept.notes, []);
    assert.deepEqual(prepareExport(server(stdio({ cwd: '/srv', envFile: '/e' })), target('mcpJson'), CTX).json, { type: 'stdio', command: 'npx', args: ['-y', 'pkg'], cwd: '/srv' });
    assert.deepEqual(prepareExport(server(stdio({ cwd: '/srv', envFile: '/e' })), target('cursor'), CTX).json, { command: 'npx', args: ['-y', 'pkg'], envFile: '/e' });
  });
});

describe('config/export: secrets are never written', () => {
  const SECRET = 'frobozz-export-secret-7f3a';
  const TOKEN = 'ghp_frobozzfrobozzfrobozz42';
  const inputs: InputDefinition[] = [
    { type: 'promptString', id: 'pw', description: 'The password', password: true, default: SECRET },
    { type: 'promptString', id: 'plain', description: 'Not a password' },
  ];
  const local = server(stdio({
    args: ['run', `--token=${SECRET}`, '--api-key', SECRET, TOKEN, '--pass=${input:pw}', '--verbose'],
    env: { API_KEY: SECRET, GITHUB_TOKEN: `Bearer ${SECRET}`, PW: '${input:pw}', LOG_LEVEL: 'debug', SOME_VALUE: TOKEN },
  }), inputs, 'gh');
  const web = server({
    type: 'http', url: `https://mcp.example.com/mcp?api_key=${SECRET}&team=core`,
    headers: { Authorization: `Bearer ${SECRET}`, 'X-Api-Key': '${input:pw}', 'X-Region': '${input:plain}', 'X-Team': 'core' },
  }, inputs, 'web');

  for (const kind of ALL_KINDS) {
    for (const s of kind === 'claude' ? [local] : [local, web]) {
      it(`${kind}: ${s.name} (${s.config.type}) — no secret in the file or the notes, and the file reads back`, () => {
        const r = exportServer('', s, target(kind), CTX);
        for (const needle of [SECRET, TOKEN]) {
          assert.ok(!r.text.includes(needle), `${needle} in\n${r.text}`);
          assert.ok(!r.notes.join('\n').includes(needle), r.notes.join('\n'));
        }
        const back = readBack(kind, r.text);
        assert.deepEqual(back.map((b) => b.name), [s.name]);
        assert.ok(back[0]?.config, 'a valid entry');
        assert.ok(r.notes.length > 0);
        if (kind !== 'vscode') assert.doesNotThrow(() => JSON.parse(r.text) as unknown, 'strict JSON: Claude Desktop and Copilot read nothing else');
      });
    }
  }

  it('.mcp.json, Copilot, Claude Desktop: an empty value (a scheme kept), and a note per key', () => {
    const r = prepareExport(local, target('mcpJson'), CTX);
    assert.deepEqual((r.json as { args: string[] }).args, ['run', '--token=', '--api-key', '', '', '--pass=', '--verbose']);
    assert.deepEqual((r.json as { env: unknown }).env, { API_KEY: '', GITHUB_TOKEN: 'Bearer ', PW: '', LOG_LEVEL: 'debug', SOME_VALUE: '' });
    assert.ok(r.notes.includes('Env "API_KEY" was left empty: .mcp.json cannot hold secrets outside its file; set it there yourself.'), r.notes.join('\n'));
    const h = prepareExport(web, target('copilot'), CTX);
    assert.deepEqual((h.json as { headers: unknown }).headers, { Authorization: 'Bearer ', 'X-Api-Key': '', 'X-Region': '', 'X-Team': 'core' });
    assert.equal((h.json as { url: string }).url, 'https://mcp.example.com/mcp?api_key=&team=core');
    assert.ok(h.notes.includes('Header "Authorization" was left empty: the Copilot user file cannot hold secrets outside its file; set it there yourself.'));
    assert.ok(h.notes.some((n) => /"X-Region" uses the input "plain".*left empty/.test(n)));
  });

  it('Cursor: ${env:NAME}, with a note to set NAME', () => {
    const r = prepareExport(local, target('cursor'), CTX);
    assert.deepEqual((r.json as { env: unknown }).env, { API_KEY: '${env:API_KEY}', GITHUB_TOKEN: 'Bearer ${env:GITHUB_TOKEN}', PW: '${env:PW}', LOG_LEVEL: 'debug', SOME_VALUE: '${env:SOME_VALUE}' });
    assert.deepEqual((r.json as { args: string[] }).args, ['run', '--token=${env:GH_TOKEN}', '--api-key', '${env:GH_API_KEY}', '${env:GH_ARG5}', '--pass=${env:PW}', '--verbose']);
    assert.ok(r.notes.some((n) => n.startsWith('Env "API_KEY" is written as ${env:API_KEY}: set API_KEY in your environment')));
    const h = prepareExport(web, target('cursor'), CTX);
    assert.deepEqual((h.json as { headers: unknown }).headers, { Authorization: 'Bearer ${env:WEB_AUTHORIZATION}', 'X-Api-Key': '${env:PW}', 'X-Region': '${env:PLAIN}', 'X-Team': 'core' });
  });

  it('.vscode/mcp.json: input references, password inputs defined (never a value, nor a password default)', () => {
    const r = exportServer('', local, target('vscode'), CTX);
    const parsed = parseMcpJsonText(r.text, { kind: 'userMcpJson' });
    assert.deepEqual(parsed.diagnostics.filter((d) => d.severity === 'error'), []);
    const config = parsed.entries[0]?.config;
    assert.ok(config?.type === 'stdio');
    assert.deepEqual(config.env, { API_KEY: '${input:gh-API_KEY}', GITHUB_TOKEN: 'Bearer ${input:gh-GITHUB_TOKEN}', PW: '${input:pw}', LOG_LEVEL: 'debug', SOME_VALUE: '${input:gh-SOME_VALUE}' });
    assert.ok(parsed.inputs.every((i) => i.type === 'promptString' && i.password === true && i.default === undefined));
    assert.deepEqual(parsed.inputs.map((i) => i.id).sort(), ['gh-API_KEY', 'gh-GITHUB_TOKEN', 'gh-SOME_VALUE', 'gh-api-key', 'gh-arg5', 'gh-token', 'pw']);
    assert.ok(r.notes.some((n) => /password input "pw": its definition was copied, its value was not/.test(n)));
    assert.ok(r.notes.some((n) => /default value of the password input "pw" was not copied/.test(n)));
  });

  it('a plain input under a secret-looking name is kept out like a secret, not written as its default', () => {
    const s = server(stdio({ env: { SERVICE_TOKEN: '${input:t}', REGION: '${input:r}' } }), [
      { type: 'promptString', id: 't', default: SECRET }, { type: 'pickString', id: 'r', options: ['eu', 'us'], default: 'eu' },
    ]);
    const r = prepareExport(s, target('claude'), CTX);
    assert.deepEqual((r.json as { env: unknown }).env, { SERVICE_TOKEN: '', REGION: 'eu' });
    assert.ok(r.notes.some((n) => /"REGION" uses the input "r".*its default value was written/.test(n)));
  });
});

describe('config/export: variables', () => {
  const s = server(stdio({
    command: '${userHome}/bin/srv', args: ['${workspaceFolder}${/}data', '--other=${workspaceFolder:docs}'], env: { HOME_DIR: '${userHome}', LEVEL: '${env:LEVEL}' }, cwd: '${workspaceFolder}',
  }));
  const ctx = { ...CTX, folders: [FOLDER, { name: 'docs', path: '/w/docs' }] };

  it('.mcp.json has none: the folder is its own, the home is resolved, ${env:…} is left empty', () => {
    const r = prepareExport(s, target('mcpJson'), ctx);
    assert.deepEqual(r.json, { type: 'stdio', command: '/home/u/bin/srv', args: ['/w/web/data', '--other=/w/docs'], env: { HOME_DIR: '/home/u', LEVEL: '' }, cwd: '/w/web' });
    assert.ok(r.notes.includes('${workspaceFolder} is written as "/w/web" (.mcp.json has no variables).'));
    assert.ok(r.notes.some((n) => /^Env "LEVEL" reads \$\{env:LEVEL\} from your environment in VS Code; \.mcp\.json does not expand variables, so it was left empty/.test(n)));
  });

  it('a user-level file without variables gets the folder the server uses now; with none open, an empty value and a note', () => {
    assert.deepEqual((prepareExport(s, target('copilot'), ctx).json as { args: string[] }).args, ['/w/web/data', '--other=/w/docs']);
    const r = prepareExport(server(stdio({ args: ['${workspaceFolder}'] })), target('claude'), { ...CTX, folders: [], workspaceFolder: undefined });
    assert.deepEqual((r.json as { args: string[] }).args, ['']);
    assert.ok(r.notes.some((n) => /no open folder stands for it/.test(n)));
  });

  it('Cursor keeps what it expands, and resolves a folder by name', () => {
    const r = prepareExport(s, target('cursor'), ctx);
    assert.deepEqual(r.json, { command: '${userHome}/bin/srv', args: ['${workspaceFolder}${/}data', '--other=/w/docs'], env: { HOME_DIR: '${userHome}', LEVEL: '${env:LEVEL}' } });
  });

  it('.vscode/mcp.json keeps every variable', () => {
    assert.deepEqual(prepareExport(s, target('vscode'), ctx).json, { type: 'stdio', ...(s.config as object) });
  });

  it('environment names', () => {
    assert.equal(environmentName('remote-Authorization'), 'REMOTE_AUTHORIZATION');
    assert.equal(environmentName('1x'), '_1X');
  });
});

describe('config/export: inputs into .vscode/mcp.json', () => {
  const pw: InputDefinition = { type: 'promptString', id: 'key', description: 'API key', password: true };
  const s = server(remote('http', { Authorization: 'Bearer ${input:key}' }), [pw]);

  it('reuses the same input, renames another of the same id', () => {
    const same = exportServer(`{ "servers": {}, "inputs": [${JSON.stringify(pw)}] }`, s, target('vscode'), CTX);
    assert.deepEqual(parseMcpJsonText(same.text, { kind: 'userMcpJson' }).inputs.map((i) => i.id), ['key']);
    assert.deepEqual(same.inputs, []);
    const other = exportServer('{ "servers": {}, "inputs": [{ "type": "promptString", "id": "key", "description": "Another key" }] }', s, target('vscode'), CTX);
    const parsed = parseMcpJsonText(other.text, { kind: 'userMcpJson' });
    assert.deepEqual(parsed.inputs.map((i) => i.id), ['key', 'key-2']);
    assert.deepEqual(parsed.entries[0]?.config, { type: 'http', url: 'https://mcp.example.com/mcp', headers: { Authorization: 'Bearer ${input:key-2}' } });
    assert.ok(other.notes.some((n) => /"key" is "key-2" there/.test(n)));
  });

  it('copies a plain input it uses, with its default', () => {
    const r = prepareExport(server(stdio({ args: ['--region', '${input:region}'] }), [{ type: 'pickString', id: 'region', options: ['eu', 'us'], default: 'eu' }]), target('vscode'), CTX);
    assert.deepEqual(r.inputs, [{ type: 'pickString', id: 'region', options: ['eu', 'us'], default: 'eu' }]);
  });
});

describe('config/export: writing into the file', () => {
  const s = server(stdio({ env: { LOG_LEVEL: 'debug' } }));

  it('keeps comments and the other entries (.mcp.json, Cursor, .vscode/mcp.json)', () => {
    const before = '{\n  // our servers\n  "mcpServers": {\n    "old": { "command": "x" } // keep\n  }\n}\n';
    for (const kind of ['mcpJson', 'cursor'] as const) {
      const after = exportServer(before, s, target(kind), CTX).text;
      assert.ok(after.includes('// our servers') && after.includes('// keep'), after);
      assert.deepEqual(readBack(kind, after).map((b) => b.name), ['old', 'srv']);
    }
    const vscodeBefore = '// team servers\n{\n  "servers": {\n    "old": { "type": "stdio", "command": "x" }, // keep\n  },\n}\n';
    const after = exportServer(vscodeBefore, s, target('vscode'), CTX).text;
    assert.ok(after.startsWith('// team servers') && after.includes('// keep'), after);
    assert.deepEqual(readBack('vscode', after).map((b) => b.name), ['old', 'srv']);
  });

  it('keeps a bare-map .mcp.json bare, and Claude Desktop\'s other settings', () => {
    const bare = exportServer('{\n  "old": { "command": "x" }\n}\n', s, target('mcpJson'), CTX).text;
    assert.deepEqual(Object.keys(JSON.parse(bare) as object), ['old', 'srv']);
    const claude = exportServer('{\n  "globalShortcut": "Ctrl+Space",\n  "preferences": { "x": 1 }\n}', s, target('claude'), CTX).text;
    assert.deepEqual(JSON.parse(claude), { globalShortcut: 'Ctrl+Space', preferences: { x: 1 }, mcpServers: { srv: { command: 'npx', args: ['-y', 'pkg'], env: { LOG_LEVEL: 'debug' } } } });
  });

  it('a name the file has: keep both (the default) writes <name>-2; replace replaces it', () => {
    const before = '{ "mcpServers": { "srv": { "command": "old" } } }';
    assert.deepEqual(exportedServerNames(before, target('cursor')), ['srv']);
    const both = exportServer(before, s, target('cursor'), CTX);
    assert.equal(both.name, 'srv-2');
    assert.equal(both.replaced, false);
    assert.deepEqual(readBack('cursor', both.text).map((b) => b.name), ['srv', 'srv-2']);
    assert.ok(both.notes[0]?.includes('"srv-2"'));
    const replaced = exportServer(before, s, target('cursor'), CTX, 'replace');
    assert.equal(replaced.replaced, true);
    assert.deepEqual(readBack('cursor', replaced.text).map((b) => [b.name, b.config?.type === 'stdio' && b.config.command]), [['srv', 'npx']]);
    // .vscode/mcp.json: the names in "servers"; a literal secret's input is named after the new name.
    const vs = exportServer('{ "servers": { "srv": { "type": "stdio", "command": "x" } } }', server(stdio({ env: { API_KEY: 'k' } })), target('vscode'), CTX);
    assert.equal(vs.name, 'srv-2');
    assert.deepEqual(vs.inputs.map((i) => i.id), ['srv-2-API_KEY']);
  });

  it('refuses to edit a file it cannot read', () => {
    assert.throws(() => exportServer('{ "mcpServers": ', s, target('cursor'), CTX), UserFacingError);
    assert.throws(() => exportServer('{ "mcpServers": [] }', s, target('mcpJson'), CTX), UserFacingError);
    assert.throws(() => applyExport('{ "servers": ', target('vscode'), prepareExport(s, target('vscode'), CTX)), UserFacingError);
  });
});

describe('config/export: round trips (import → export → import)', () => {
  const IMPORTED = `{
    "mcpServers": {
      "files": { "command": "npx", "args": ["-y", "@modelcontextprotocol/server-filesystem", "/data"], "env": { "LOG_LEVEL": "debug" } },
      "bare": { "command": "server" },
      "web": { "url": "https://mcp.example.com/mcp", "headers": { "X-Team": "core" } },
      "legacy": { "type": "sse", "url": "https://old.example.com/sse" }
    }
  }`;
  const candidates = parseImportFile(IMPORTED, 'Cursor').candidates;

  for (const kind of ALL_KINDS) {
    it(`${kind}: the same ServerConfig for every server it can hold`, () => {
      let text = '';
      const held = candidates.filter((c) => EXPORT_TRAITS[kind].remote || c.config.type === 'stdio');
      for (const c of held) text = exportServer(text, server(c.config, [], c.name), target(kind), CTX).text;
      assert.deepEqual(readBack(kind, text), held.map((c) => ({ name: c.name, config: c.config })));
      // A second export of the same file's servers changes nothing.
      let again = '';
      for (const b of readBack(kind, text)) again = exportServer(again, server(b.config!, [], b.name), target(kind), CTX).text;
      assert.equal(again, text);
    });
  }

  it('cwd and envFile survive where the target has them; ${env:…} survives in Cursor', () => {
    const withCwd = stdio({ cwd: '/srv' });
    assert.deepEqual(readBack('mcpJson', exportServer('', server(withCwd), target('mcpJson'), CTX).text)[0]?.config, withCwd);
    const withFile = stdio({ envFile: '/srv/.env', env: { A: '${env:A}' } });
    assert.deepEqual(readBack('cursor', exportServer('', server(withFile), target('cursor'), CTX).text)[0]?.config, withFile);
    const all = stdio({ cwd: '${workspaceFolder}', envFile: '${workspaceFolder}/.env', env: { A: '${env:A}', B: null } });
    assert.deepEqual(readBack('vscode', exportServer('', server(all), target('vscode'), CTX).text)[0]?.config, all);
  });
});

describe('config/import: the Copilot user file and .mcp.json', () => {
  it('reads Copilot\'s "local" servers (and "stdio"), ignoring "tools"', () => {
    const r = parseImportFile(JSON.stringify({ mcpServers: {
      a: { type: 'local', command: 'node', args: ['s.js'], env: { X: '1' }, tools: ['*'] },
      b: { type: 'stdio', command: 'b', tools: ['one'] },
      c: { type: 'http', url: 'https://mcp.example.com/mcp', headers: {}, tools: ['*'] },
    } }), 'Copilot (user)');
    assert.deepEqual(r.errors, []);
    assert.deepEqual(r.candidates.map((c) => [c.name, c.config]), [
      ['a', { type: 'stdio', command: 'node', args: ['s.js'], env: { X: '1' } }],
      ['b', { type: 'stdio', command: 'b', args: [], env: {} }],
      ['c', { type: 'http', url: 'https://mcp.example.com/mcp', headers: {} }],
    ]);
  });

  it('reads a bare-map .mcp.json, and nothing from a file that only has settings', () => {
    const r = parseImportFile('{ "a": { "command": "x" }, "b": { "type": "sse", "url": "https://x.example.com/sse" } }', '.mcp.json (folder web)');
    assert.deepEqual(r.candidates.map((c) => [c.name, c.config.type]), [['a', 'stdio'], ['b', 'sse']]);
    assert.deepEqual(parseImportFile('{ "globalShortcut": "x", "preferences": { "a": 1 } }', 'Claude Desktop'), { candidates: [], errors: [] });
    assert.deepEqual(parseImportFile('{}', 'x'), { candidates: [], errors: [] });
  });
});
