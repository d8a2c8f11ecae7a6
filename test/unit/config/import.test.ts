import * as assert from 'node:assert/strict';
import { applyImportToMcpJson, applyImportToSettings, convertEntry, detectFormatting, importLocations, parseImportFile, prepareImport } from '../../../src/common/config/importers';
import { parseMcpJsonText } from '../../../src/common/config/parse';
import { UserFacingError } from '../../../src/common/errors';

const CLAUDE_SAMPLE = `{
  "mcpServers": {
    "filesystem": {
      "command": "npx",
      "args": ["-y", "@modelcontextprotocol/server-filesystem", "/Users/me/Desktop"]
    },
    "github": {
      "command": "docker",
      "args": ["run", "-i", "--rm", "-e", "GITHUB_PERSONAL_ACCESS_TOKEN", "ghcr.io/github/github-mcp-server"],
      "env": { "GITHUB_PERSONAL_ACCESS_TOKEN": "ghp_fakefakefakefakefake", "LOG_LEVEL": "debug" }
    },
    "broken": { "args": [] }
  },
  "globalShortcut": "Ctrl+Space"
}`;

const CURSOR_SAMPLE = `{
  // Cursor allows comments
  "mcpServers": {
    "remote": { "url": "https://mcp.example.com/mcp", "headers": { "Authorization": "Bearer fake-bearer-token", "X-Team": "core" } },
    "legacy": { "type": "sse", "url": "https://old.example.com/sse", "headers": { "X-Api-Key": "fake-api-key" } },
    "envref": { "command": "srv", "env": { "API_KEY": "\${env:API_KEY}" } },
  }
}`;

describe('config/import: locations per platform', () => {
  it('Linux', () => {
    assert.deepEqual(importLocations('linux', '/home/u', {}, [{ name: 'web', path: '/w/web' }]).map((l) => [l.app, l.label, l.path]), [
      ['claude', 'Claude Desktop', '/home/u/.config/Claude/claude_desktop_config.json'],
      ['cursor', 'Cursor (user)', '/home/u/.cursor/mcp.json'],
      ['copilot', 'Copilot (user)', '/home/u/.copilot/mcp-config.json'],
      ['cursor', 'Cursor (folder web)', '/w/web/.cursor/mcp.json'],
      ['mcpJson', '.mcp.json (folder web)', '/w/web/.mcp.json'],
    ]);
    assert.equal(importLocations('linux', '/home/u', { COPILOT_HOME: '/c' })[2]?.path, '/c/mcp-config.json');
    assert.equal(importLocations('linux', '/home/u', { XDG_CONFIG_HOME: '/x' })[0]?.path, '/x/Claude/claude_desktop_config.json');
  });
  it('macOS', () => {
    assert.deepEqual(importLocations('darwin', '/Users/u', {}).map((l) => l.path), [
      '/Users/u/Library/Application Support/Claude/claude_desktop_config.json', '/Users/u/.cursor/mcp.json', '/Users/u/.copilot/mcp-config.json',
    ]);
  });
  it('Windows', () => {
    assert.deepEqual(importLocations('win32', 'C:\\Users\\u', { APPDATA: 'C:\\Users\\u\\AppData\\Roaming' }).map((l) => l.path), [
      'C:\\Users\\u\\AppData\\Roaming\\Claude\\claude_desktop_config.json', 'C:\\Users\\u\\.cursor\\mcp.json', 'C:\\Users\\u\\.copilot\\mcp-config.json',
    ]);
    assert.equal(importLocations('win32', 'C:\\Users\\u', {})[0]?.path, 'C:\\Users\\u\\AppData\\Roaming\\Claude\\claude_desktop_config.json');
  });
});

describe('config/import: conversion', () => {
  it('reads a Claude Desktop file, skipping invalid entries by name', () => {
    const r = parseImportFile(CLAUDE_SAMPLE, 'Claude Desktop');
    assert.deepEqual(r.candidates.map((c) => c.name), ['filesystem', 'github']);
    assert.equal(r.errors.length, 1);
    assert.match(r.errors[0] ?? '', /"broken" skipped/);
    assert.deepEqual(r.candidates[0]?.config, { type: 'stdio', command: 'npx', args: ['-y', '@modelcontextprotocol/server-filesystem', '/Users/me/Desktop'], env: {} });
  });

  it('reads a Cursor file (JSONC, url → http, explicit sse kept)', () => {
    const r = parseImportFile(CURSOR_SAMPLE, 'Cursor (user)');
    assert.deepEqual(r.candidates.map((c) => [c.name, c.config.type]), [['remote', 'http'], ['legacy', 'sse'], ['envref', 'stdio']]);
  });

  it('reports an unreadable file without values', () => {
    const r = parseImportFile('{ "mcpServers": { "x": { "command": "y", "env": { "TOKEN": "zzz" } }', 'Cursor');
    assert.deepEqual(r.candidates, []);
    assert.ok(!r.errors.join().includes('zzz'));
  });

  it('convertEntry explains what it cannot convert', () => {
    assert.equal(convertEntry({ type: 'websocket', url: 'ws://x' }), 'unsupported type "websocket"');
    assert.equal(convertEntry({ command: 'x', env: { A: 1 } }), '"env" is not an object of strings');
    assert.equal(convertEntry('x'), 'not an object');
    assert.deepEqual(convertEntry({ type: 'streamable-http', url: 'https://x' }), { type: 'http', url: 'https://x', headers: {} });
    // The Copilot format's stdio.
    assert.deepEqual(convertEntry({ type: 'local', command: 'x', tools: ['*'] }), { type: 'stdio', command: 'x', args: [], env: {} });
    assert.equal(convertEntry({ type: 'local', url: 'https://x' }), 'unsupported type "local"');
  });
});

describe('config/import: secret detection', () => {
  const all = [...parseImportFile(CLAUDE_SAMPLE, 'c').candidates, ...parseImportFile(CURSOR_SAMPLE, 'u').candidates];

  it('moves plaintext secrets (env keys and headers named like secrets) into password inputs', () => {
    const p = prepareImport(all, [], []);
    const byName = Object.fromEntries(p.servers.map((s) => [s.name, s.json]));
    assert.deepEqual(byName['github'], {
      type: 'stdio', command: 'docker',
      args: ['run', '-i', '--rm', '-e', 'GITHUB_PERSONAL_ACCESS_TOKEN', 'ghcr.io/github/github-mcp-server'],
      env: { GITHUB_PERSONAL_ACCESS_TOKEN: '${input:github-GITHUB_PERSONAL_ACCESS_TOKEN}', LOG_LEVEL: 'debug' },
    });
    assert.deepEqual(byName['remote'], { type: 'http', url: 'https://mcp.example.com/mcp', headers: { Authorization: 'Bearer ${input:remote-Authorization}', 'X-Team': 'core' } });
    assert.deepEqual(byName['legacy'], { type: 'sse', url: 'https://old.example.com/sse', headers: { 'X-Api-Key': '${input:legacy-X-Api-Key}' } });
    assert.deepEqual(byName['envref'], { type: 'stdio', command: 'srv', env: { API_KEY: '${env:API_KEY}' } }, 'references are not secrets');
    assert.deepEqual(p.secrets, [
      { inputId: 'github-GITHUB_PERSONAL_ACCESS_TOKEN', value: 'ghp_fakefakefakefakefake' },
      { inputId: 'remote-Authorization', value: 'fake-bearer-token' },
      { inputId: 'legacy-X-Api-Key', value: 'fake-api-key' },
    ]);
    assert.ok(p.inputs.every((i) => i.type === 'promptString' && i.password === true));
    assert.deepEqual(p.inputs.map((i) => i.id), p.secrets.map((s) => s.inputId));
  });

  it('never puts a secret value into the written JSON or the notes', () => {
    const p = prepareImport(all, [], []);
    const written = JSON.stringify({ servers: p.servers, inputs: p.inputs, notes: p.notes });
    for (const s of p.secrets) assert.ok(!written.includes(s.value), s.inputId);
  });

  it('renames on a clash with the target, and keeps input ids unique', () => {
    const p = prepareImport(all.filter((c) => c.name === 'github'), ['github'], ['github-2-GITHUB_PERSONAL_ACCESS_TOKEN']);
    assert.equal(p.servers[0]?.name, 'github-2');
    assert.equal(p.inputs[0]?.id, 'github-2-GITHUB_PERSONAL_ACCESS_TOKEN-2');
    assert.match(p.notes[0] ?? '', /imported as "github-2"/);
  });

  it('notes a secret in args (without moving it)', () => {
    const p = prepareImport([{ name: 's', from: 'x', config: { type: 'stdio', command: 'x', args: ['--api-key=abcdef'], env: {} } }], [], []);
    assert.ok(p.notes.some((n) => /argument 1/.test(n) && !n.includes('abcdef')));
  });
});

describe('config/import: writing', () => {
  const prepared = prepareImport(parseImportFile(CURSOR_SAMPLE, 'u').candidates.slice(0, 1), [], []);

  it('inserts into mcp.json keeping comments, and the result parses with the input defined', () => {
    const before = '{\n  // keep me\n  "servers": {\n    "old": { "command": "x" }, // and me\n  },\n  "inputs": [\n    { "type": "promptString", "id": "a" }\n  ]\n}\n';
    const after = applyImportToMcpJson(before, prepared);
    assert.ok(after.includes('// keep me') && after.includes('// and me'));
    const parsed = parseMcpJsonText(after, { kind: 'userMcpJson' });
    assert.deepEqual(parsed.diagnostics, []);
    assert.deepEqual(parsed.entries.map((e) => e.name), ['old', 'remote']);
    assert.deepEqual(parsed.inputs.map((i) => i.id), ['a', 'remote-Authorization']);
    assert.ok(!after.includes('fake-bearer-token'));
  });

  it('creates a file from nothing, and adds a missing inputs array', () => {
    const fresh = parseMcpJsonText(applyImportToMcpJson('', prepared), { kind: 'userMcpJson' });
    assert.deepEqual(fresh.entries.map((e) => e.name), ['remote']);
    const noInputs = parseMcpJsonText(applyImportToMcpJson('{ "servers": {} }', prepared), { kind: 'userMcpJson' });
    assert.equal(noInputs.inputs.length, 1);
    assert.ok(noInputs.entries[0]?.config);
  });

  it('refuses to edit a file with syntax errors', () => {
    assert.throws(() => applyImportToMcpJson('{ "servers": ', prepared), UserFacingError);
  });

  it('settings values', () => {
    const r = applyImportToSettings({ old: { command: 'x' } }, undefined, prepared);
    assert.deepEqual(Object.keys(r.servers), ['old', 'remote']);
    assert.equal(r.inputs.length, 1);
  });

  it('detects indentation', () => {
    assert.deepEqual(detectFormatting('{\n    "a": 1\n}'), { insertSpaces: true, tabSize: 4, eol: '\n' });
    assert.deepEqual(detectFormatting('{\r\n\t"a": 1\r\n}'), { insertSpaces: false, tabSize: 4, eol: '\r\n' });
  });
});
