import * as assert from 'node:assert/strict';
import { parseMcpJsonText, parseSettingsValues } from '../../../src/common/config/parse';
import type { ServerSource } from '../../../src/common/serverId';

const WS: ServerSource = { kind: 'workspaceMcpJson', folder: 'app', folderUri: 'file:///w/app' };
const parseText = (text: string) => parseMcpJsonText(text, WS, '/w/app/.vscode/mcp.json');

/** Every example shape of VS Code's MCP configuration reference, plus our extensions of them. */
const VALID: { name: string; text: string; expect: Record<string, unknown> }[] = [
  {
    name: 'stdio with args and env',
    text: `{ "servers": { "memory": { "type": "stdio", "command": "npx", "args": ["-y", "@modelcontextprotocol/server-memory"], "env": { "MEMORY_FILE": "\${workspaceFolder}/mem.json", "DROP": null } } } }`,
    expect: { memory: { type: 'stdio', command: 'npx', args: ['-y', '@modelcontextprotocol/server-memory'], env: { MEMORY_FILE: '${workspaceFolder}/mem.json', DROP: null } } },
  },
  {
    name: 'stdio with envFile and cwd',
    text: `{ "servers": { "py": { "type": "stdio", "command": "uv", "args": ["run", "server.py"], "envFile": "\${workspaceFolder}/.env", "cwd": "server" } } }`,
    expect: { py: { type: 'stdio', command: 'uv', args: ['run', 'server.py'], env: {}, envFile: '${workspaceFolder}/.env', cwd: 'server' } },
  },
  {
    name: 'http with headers and a password input',
    text: `{
      "inputs": [ { "type": "promptString", "id": "api-key", "description": "API key", "password": true } ],
      "servers": { "gh": { "type": "http", "url": "https://api.githubcopilot.com/mcp/", "headers": { "Authorization": "Bearer \${input:api-key}" } } }
    }`,
    expect: { gh: { type: 'http', url: 'https://api.githubcopilot.com/mcp/', headers: { Authorization: 'Bearer ${input:api-key}' } } },
  },
  {
    name: 'sse',
    text: `{ "servers": { "legacy": { "type": "sse", "url": "http://localhost:3001/sse" } } }`,
    expect: { legacy: { type: 'sse', url: 'http://localhost:3001/sse', headers: {} } },
  },
  {
    name: 'missing type inferred: command → stdio, url → http',
    text: `{ "servers": { "a": { "command": "node", "args": ["s.js"] }, "b": { "url": "https://example.com/mcp" } } }`,
    expect: { a: { type: 'stdio', command: 'node', args: ['s.js'], env: {} }, b: { type: 'http', url: 'https://example.com/mcp', headers: {} } },
  },
  {
    name: 'JSONC: comments and trailing commas',
    text: `// my servers\n{\n  /* block */ "servers": {\n    "x": { "command": "x", "args": ["a",], }, // trailing\n  },\n  "inputs": [],\n}\n`,
    expect: { x: { type: 'stdio', command: 'x', args: ['a'], env: {} } },
  },
  {
    name: 'variables of every supported kind',
    text: `{ "inputs": [{ "type": "pickString", "id": "mode", "options": ["a", "b"] }], "servers": { "v": { "command": "\${userHome}\${pathSeparator}bin\${/}tool", "args": ["\${workspaceFolder:app}", "\${env:HOME}", "\${input:mode}"] } } }`,
    expect: { v: { type: 'stdio', command: '${userHome}${pathSeparator}bin${/}tool', args: ['${workspaceFolder:app}', '${env:HOME}', '${input:mode}'], env: {} } },
  },
  { name: 'empty file', text: '', expect: {} },
  { name: 'no servers', text: '{ "inputs": [] }', expect: {} },
];

describe('config/parse: valid mcp.json files', () => {
  for (const c of VALID) {
    it(c.name, () => {
      const r = parseText(c.text);
      assert.equal(r.fileError, undefined);
      assert.deepEqual(r.diagnostics.filter((d) => d.severity === 'error'), []);
      assert.deepEqual(Object.fromEntries(r.entries.map((e) => [e.name, e.config])), c.expect);
      for (const e of r.entries) assert.equal(e.error, undefined);
    });
  }

  it('parses inputs of both kinds', () => {
    const r = parseText(`{ "inputs": [
      { "type": "promptString", "id": "k", "description": "Key", "password": true },
      { "type": "promptString", "id": "plain", "default": "x" },
      { "type": "pickString", "id": "p", "options": ["a", "b"], "default": "a" } ] }`);
    assert.deepEqual(r.inputs, [
      { type: 'promptString', id: 'k', description: 'Key', password: true },
      { type: 'promptString', id: 'plain', default: 'x' },
      { type: 'pickString', id: 'p', options: ['a', 'b'], default: 'a' },
    ]);
  });

  it('tags ids with the source', () => {
    const r = parseText('{ "servers": { "a": { "command": "x" } } }');
    assert.equal(r.entries[0]?.id, 'workspace:app#a');
  });
});

/** Each invalid case: the entry (or file) shows the reason, and a diagnostic points at line/column. */
const INVALID: { name: string; text: string; server?: string; reason: RegExp; line: number; character?: number }[] = [
  { name: 'wrong type of args', server: 's', text: '{\n "servers": {\n  "s": { "command": "x", "args": "-v" }\n }\n}', reason: /"args" must be an array/, line: 2, character: 33 },
  { name: 'wrong type of an args item', server: 's', text: '{\n "servers": {\n  "s": { "command": "x", "args": ["a", {}] }\n }\n}', reason: /"args\[1\]" must be a string/, line: 2 },
  { name: 'wrong type of env value', server: 's', text: '{ "servers": {\n "s": { "command": "x", "env": { "A": [1] } } } }', reason: /"env.A" must be a string or null/, line: 1 },
  { name: 'wrong type of header value', server: 's', text: '{ "servers": {\n "s": { "url": "https://x", "headers": { "A": null } } } }', reason: /"headers.A" must be a string/, line: 1 },
  { name: 'unknown type', server: 's', text: '{ "servers": {\n\n "s": { "type": "websocket", "url": "ws://x" } } }', reason: /unknown type "websocket"/, line: 2 },
  { name: 'missing command (stdio)', server: 's', text: '{ "servers": {\n "s": { "type": "stdio", "args": [] } } }', reason: /missing "command"/, line: 1, character: 1 },
  { name: 'missing url (http)', server: 's', text: '{ "servers": {\n "s": { "type": "http" } } }', reason: /missing "url"/, line: 1 },
  { name: 'neither command nor url', server: 's', text: '{ "servers": { "s": {} } }', reason: /needs "command".*or "url"/, line: 0 },
  { name: 'entry not an object', server: 's', text: '{ "servers": { "s": 42 } }', reason: /must be an object/, line: 0 },
  { name: 'empty command', server: 's', text: '{ "servers": { "s": { "command": "  " } } }', reason: /"command" must be a non-empty string/, line: 0 },
  { name: 'url not http(s)', server: 's', text: '{ "servers": { "s": { "url": "ftp://x" } } }', reason: /http:\/\/ or https:\/\//, line: 0 },
  { name: 'unknown variable', server: 's', text: '{ "servers": {\n "s": { "command": "x", "args": ["${config:foo}"] } } }', reason: /unknown variable \$\{config:foo\}/, line: 1 },
  { name: 'unknown input', server: 's', text: '{ "servers": {\n "s": { "url": "https://x", "headers": { "K": "${input:nope}" } } } }', reason: /unknown input "nope"/, line: 1 },
  { name: 'syntax error', text: '{ "servers": {\n "s": { "command": "x" \n } ', reason: /Syntax error at line/, line: 2 },
  { name: 'root not an object', text: '[1, 2]', reason: /must contain a JSON object/, line: 0 },
  { name: 'servers not an object', text: '{ "servers": [] }', reason: /"servers" must be an object/, line: 0 },
];

describe('config/parse: invalid mcp.json files', () => {
  for (const c of INVALID) {
    it(c.name, () => {
      const r = parseText(c.text);
      const reason = c.server ? r.entries.find((e) => e.name === c.server)?.error : r.fileError;
      assert.match(reason ?? '(none)', c.reason);
      const diag = r.diagnostics.find((d) => d.severity === 'error');
      assert.ok(diag?.range, 'a diagnostic with a range');
      assert.equal(diag.range.start.line, c.line, `line of ${JSON.stringify(diag)}`);
      if (c.character !== undefined) assert.equal(diag.range.start.character, c.character);
      if (c.server) assert.equal(diag.serverName, c.server);
    });
  }

  it('refuses credentials (user:password@) in a url, as Add Server does, without quoting them (review L8, M2)', () => {
    const r = parseText('{ "servers": { "u": { "type": "http", "url": "http://me:s3cr3t-PASSWORD@127.0.0.1:9/mcp" }, "v": { "url": "ftp://h/x" } } }');
    const u = r.entries.find((e) => e.name === 'u');
    assert.ok(!u?.config);
    assert.match(u?.error ?? '', /"url" cannot be used\. Do not put credentials in the URL/);
    assert.ok(r.diagnostics.every((d) => !d.message.includes('s3cr3t')));
    assert.equal(r.diagnostics.filter((d) => d.severity === 'error').length, 2);
    assert.match(r.entries.find((e) => e.name === 'v')?.error ?? '', /must start with http:\/\/ or https:\/\//);
  });

  it('keeps the other servers of the file working', () => {
    const r = parseText('{ "servers": { "bad": { "type": "nope" }, "good": { "command": "x" } } }');
    assert.ok(r.entries.find((e) => e.name === 'good')?.config);
    assert.ok(r.entries.find((e) => e.name === 'bad')?.error);
  });

  it('keeps the transport of an entry whose type is known', () => {
    const r = parseText('{ "servers": { "s": { "type": "http" } } }');
    assert.equal(r.entries[0]?.transport, 'http');
  });

  it('reports invalid inputs and skips them', () => {
    const r = parseText('{ "inputs": [ { "type": "command", "id": "c" }, { "id": "" }, 3, { "type": "promptString", "id": "ok", "password": "yes" } ] }');
    assert.deepEqual(r.inputs, []);
    assert.equal(r.diagnostics.length, 4);
  });

  it('hints at the mcpServers format', () => {
    const r = parseText('{ "mcpServers": { "x": { "command": "x" } } }');
    assert.match(r.diagnostics[0]?.message ?? '', /Import Servers/);
    assert.equal(r.diagnostics[0]?.severity, 'warning');
  });
});

describe('config/parse: secrets in args', () => {
  it('warns, with a diagnostic on the argument, and keeps the server usable', () => {
    const r = parseText(`{ "inputs": [{ "type": "promptString", "id": "tok", "password": true }],
      "servers": { "s": { "command": "x", "args": ["--verbose",\n "--token=\${input:tok}", "--api-key", "abc123", "ghp_abcdefghijklmnopqrstuvwxyz0123"] } } }`);
    const e = r.entries[0];
    assert.ok(e.config);
    assert.equal(e.warnings.length, 3);
    const warnings = r.diagnostics.filter((d) => d.severity === 'warning');
    assert.equal(warnings.length, 3);
    assert.equal(warnings[0]?.range?.start.line, 2);
    assert.match(warnings[0]?.message ?? '', /password input "tok".*"env"/);
    assert.ok(!warnings.some((w) => w.message.includes('abc123')), 'the value is never in the message');
  });

  it('does not warn for ${env:…} values', () => {
    const r = parseText('{ "servers": { "s": { "command": "x", "args": ["--token", "${env:TOKEN}"] } } }');
    assert.deepEqual(r.entries[0]?.warnings, []);
  });
});

describe('config/parse: settings values', () => {
  it('parses servers and inputs of a scope', () => {
    const r = parseSettingsValues({ a: { command: 'x', env: { K: '${input:k}' } } }, [{ type: 'promptString', id: 'k', password: true }], { kind: 'userSettings' });
    assert.equal(r.entries[0]?.id, 'settings:user#a');
    assert.ok(r.entries[0]?.config);
    assert.equal(r.inputs.length, 1);
  });

  it('reports a non-object servers value without throwing', () => {
    const r = parseSettingsValues('nope', 'nope', { kind: 'workspaceSettings', workspaceUri: 'file:///w' });
    assert.equal(r.entries.length, 0);
    assert.equal(r.diagnostics.length, 2);
    assert.equal(r.diagnostics[0]?.range, undefined);
  });

  it('accepts undefined and null', () => {
    assert.equal(parseSettingsValues(undefined, undefined, { kind: 'userSettings' }).entries.length, 0);
    assert.equal(parseSettingsValues(null, null, { kind: 'userSettings' }).entries.length, 0);
  });
});
