import * as assert from 'node:assert/strict';
import { FILE_NODE_NAME, type ConfiguredServer, mergeSources, runnableDefinitions } from '../../../src/common/config/merge';
import { PLAINTEXT_SECRET_CODE, type ParsedSource, inputSecretId, parseMcpJsonText, parseSettingsValues } from '../../../src/common/config/parse';
import { literalSecretValues, parseConfigFileText, parsePortableText, planSecretMove, removeProperty, secretMoveTarget } from '../../../src/common/config/portable';
import { copilotMcpConfigPath } from '../../../src/common/config/importers';
import type { ServerDefinition } from '../../../src/common/config/types';
import { describeRemote, trustDecision } from '../../../src/common/config/startConfirmation';
import { resolveDefinition } from '../../../src/common/config/variables';
import { Redactor } from '../../../src/common/redact';
import { type ServerSource, describeSource, isWorkspaceDefined, makeServerId, ownerOf, secretScope, usesVariables } from '../../../src/common/serverId';

const ROOT: ServerSource = { kind: 'workspaceRootMcpJson', folder: 'app', folderUri: 'file:///w/app' };
const COPILOT: ServerSource = { kind: 'copilotMcpConfig' };
const root = (text: string) => parsePortableText(text, ROOT, '/w/app/.mcp.json');
const copilot = (text: string) => parsePortableText(text, COPILOT, '/home/u/.copilot/mcp-config.json');
const configs = (r: ParsedSource) => Object.fromEntries(r.entries.map((e) => [e.name, e.config]));
const errors = (r: ParsedSource) => r.diagnostics.filter((d) => d.severity === 'error');
/** Line and character of the first occurrence of `needle` in `text`. */
function positionOf(text: string, needle: string): { line: number; character: number } {
  const offset = text.indexOf(needle);
  assert.ok(offset >= 0, `${needle} is in the text`);
  const before = text.slice(0, offset).split('\n');
  return { line: before.length - 1, character: before[before.length - 1].length };
}

describe('config/portable: the sources', () => {
  it('ids, owners, names and what they allow', () => {
    assert.equal(makeServerId(ROOT, 'gh'), 'mcpJson:app#gh');
    assert.equal(makeServerId(COPILOT, 'gh'), 'copilot#gh');
    assert.deepEqual(ownerOf(ROOT), { kind: 'workspace', uri: 'file:///w/app' });
    assert.deepEqual(ownerOf(COPILOT), { kind: 'user' });
    assert.equal(isWorkspaceDefined(ROOT), true);
    assert.equal(isWorkspaceDefined(COPILOT), false);
    assert.match(secretScope(ROOT), /^mcpJson:app@ws-[0-9a-f]{16}$/, 'owner-keyed SecretStorage ids');
    assert.equal(secretScope(COPILOT), 'copilot');
    assert.equal(describeSource(ROOT), 'app/.mcp.json');
    assert.equal(describeSource(COPILOT), 'Copilot user config (~/.copilot/mcp-config.json)');
    assert.deepEqual([ROOT, COPILOT].map(usesVariables), [false, false]);
    assert.deepEqual([{ kind: 'workspaceMcpJson', folder: 'a', folderUri: 'file:///a' }, { kind: 'userMcpJson' }].map((s) => usesVariables(s as ServerSource)), [true, true]);
  });

  it('a workspace .mcp.json is gated by trust and first-start confirmation; the Copilot file is the user\'s', () => {
    const def = (source: ServerSource): ServerDefinition => ({ id: makeServerId(source, 's'), name: 's', source, config: { type: 'stdio', command: 'x', args: [], env: {} }, options: {} });
    assert.equal(trustDecision(def(ROOT), { trusted: false, confirmFirstStart: true }), 'needsTrust');
    assert.equal(trustDecision(def(ROOT), { trusted: true, confirmFirstStart: true }), 'needsConfirmation');
    assert.equal(trustDecision(def(COPILOT), { trusted: false, confirmFirstStart: true }), 'allowed');
  });

  it('the Copilot file lives under $COPILOT_HOME, else ~/.copilot', () => {
    assert.equal(copilotMcpConfigPath('linux', '/home/u', {}), '/home/u/.copilot/mcp-config.json');
    assert.equal(copilotMcpConfigPath('linux', '/home/u', { COPILOT_HOME: '/cfg/cp' }), '/cfg/cp/mcp-config.json');
    assert.equal(copilotMcpConfigPath('win32', 'C:\\Users\\u', {}), 'C:\\Users\\u\\.copilot\\mcp-config.json');
  });
});

describe('config/portable: .mcp.json, both shapes', () => {
  const entries = { gh: { command: 'npx', args: ['-y', 'server-github'] }, web: { type: 'http', url: 'https://example.com/mcp' } };
  const expected = {
    gh: { type: 'stdio', command: 'npx', args: ['-y', 'server-github'], env: {} },
    web: { type: 'http', url: 'https://example.com/mcp', headers: {} },
  };

  it('{ "mcpServers": { name: entry } }', () => {
    const r = root(JSON.stringify({ mcpServers: entries }, null, 2));
    assert.deepEqual(errors(r), []);
    assert.deepEqual(configs(r), expected);
    assert.equal(r.entries[0]?.id, 'mcpJson:app#gh');
  });

  it('a bare map { name: entry }', () => {
    const r = root(JSON.stringify(entries, null, 2));
    assert.deepEqual(errors(r), []);
    assert.deepEqual(configs(r), expected);
  });

  it('JSONC, and an empty file', () => {
    assert.deepEqual(configs(root('// mine\n{ "gh": { "command": "npx", }, }')), { gh: { type: 'stdio', command: 'npx', args: [], env: {} } });
    assert.deepEqual(root('').entries, []);
    assert.deepEqual(root('{}').entries, []);
  });

  it('a file in VS Code\'s format is said to be one, with no server made of "servers"', () => {
    const text = '{\n  "servers": { "x": { "command": "x" } },\n  "inputs": []\n}';
    const r = root(text);
    assert.deepEqual(r.entries, []);
    const [servers, inputs] = r.diagnostics;
    assert.equal(servers?.severity, 'error');
    assert.match(servers?.message ?? '', /format of \.vscode\/mcp\.json/);
    assert.deepEqual(servers?.range?.start, positionOf(text, '"servers"'));
    assert.equal(inputs?.severity, 'warning');
  });

  it('file-level problems: not an object, mcpServers not an object, a syntax error', () => {
    assert.match(root('[1]').fileError ?? '', /JSON object/);
    const bad = root('{\n  "mcpServers": []\n}');
    assert.match(bad.fileError ?? '', /"mcpServers" must be an object/);
    assert.deepEqual(bad.diagnostics[0]?.range?.start, { line: 1, character: 16 });
    const syntax = root('{ "gh": { "command": "x" ');
    assert.match(syntax.fileError ?? '', /Syntax error at line 1/);
    assert.equal(syntax.entries.length, 0);
  });

  it('invalid entries: a diagnostic on the line and column of the problem, the others still usable', () => {
    const text = '{\n  "mcpServers": {\n    "ok": { "command": "x" },\n    "bad": { "command": "x", "args": "-v" },\n    "odd": { "type": "websocket", "url": "ws://x" }\n  }\n}';
    const r = root(text);
    assert.ok(r.entries.find((e) => e.name === 'ok')?.config);
    const bad = r.diagnostics.find((d) => d.serverName === 'bad');
    assert.match(bad?.message ?? '', /"args" must be an array/);
    assert.deepEqual(bad?.range?.start, positionOf(text, '"-v"'));
    const odd = r.diagnostics.find((d) => d.serverName === 'odd');
    assert.match(odd?.message ?? '', /unknown type "websocket"; expected "local", "stdio", "http" or "sse"/);
    assert.deepEqual(odd?.range?.start, positionOf(text, '"websocket"'));
  });

  it('the bare map reports at the entry itself', () => {
    const text = '{\n  "s": { "type": "http" }\n}';
    const d = root(text).diagnostics[0];
    assert.match(d?.message ?? '', /missing "url"/);
    assert.equal(d?.range?.start.line, 1);
  });

  it('checks a literal url at once (it is never substituted)', () => {
    const r = root('{ "s": { "url": "${env:HOST}/mcp" } }');
    assert.match(r.entries[0]?.error ?? '', /"url" cannot be used/);
  });
});

describe('config/portable: the Copilot user file', () => {
  const text = JSON.stringify({
    mcpServers: {
      local: { type: 'local', command: 'node', args: ['s.js'], env: { MODE: 'x' }, cwd: 'srv', tools: ['*'] },
      plain: { type: 'stdio', command: 'uvx', args: ['mcp-time'], tools: ['get_time'] },
      remote: { type: 'http', url: 'https://api.example.com/mcp', headers: { 'X-Org': 'acme' }, tools: ['*'] },
      legacy: { type: 'sse', url: 'http://127.0.0.1:3001/sse' },
    },
  }, null, 2);

  it('reads local (stdio), stdio, http and sse; tools is accepted and ignored without a word', () => {
    const r = copilot(text);
    assert.deepEqual(r.diagnostics, []);
    assert.deepEqual(r.entries.flatMap((e) => e.warnings), []);
    assert.deepEqual(configs(r), {
      local: { type: 'stdio', command: 'node', args: ['s.js'], env: { MODE: 'x' }, cwd: 'srv' },
      plain: { type: 'stdio', command: 'uvx', args: ['mcp-time'], env: {} },
      remote: { type: 'http', url: 'https://api.example.com/mcp', headers: { 'X-Org': 'acme' } },
      legacy: { type: 'sse', url: 'http://127.0.0.1:3001/sse', headers: {} },
    });
    assert.equal(r.entries[0]?.id, 'copilot#local');
  });

  it('only "mcpServers" holds servers (no bare map)', () => {
    assert.deepEqual(copilot('{ "gh": { "command": "x" } }').entries, []);
  });

  it('"local" is no type of VS Code\'s own mcp.json', () => {
    const r = parseMcpJsonText('{ "servers": { "s": { "type": "local", "command": "x" } } }', { kind: 'userMcpJson' });
    assert.match(r.entries[0]?.error ?? '', /unknown type "local"/);
  });

  it('parseConfigFileText reads each file by its source', () => {
    assert.equal(parseConfigFileText(text, COPILOT).entries.length, 4);
    assert.equal(parseConfigFileText(text, { kind: 'userMcpJson' }).entries.length, 0, 'mcp.json reads "servers"');
  });
});

describe('config/portable: ${…} is literal', () => {
  const text = '{ "s": { "command": "${userHome}/bin/x", "args": ["${workspaceFolder}", "${input:nope}", "${config:x}"], "env": { "P": "${env:HOME}" } } }';

  it('is no variable to the parser: no unknown variable or input', () => {
    const r = root(text);
    assert.deepEqual(errors(r), []);
    assert.ok(r.entries[0]?.config);
  });

  it('is kept as written by the resolver', async () => {
    const config = root(text).entries[0]?.config;
    assert.ok(config);
    const def: ServerDefinition = { id: makeServerId(ROOT, 's'), name: 's', source: ROOT, config, options: {} };
    const launch = await resolveDefinition(def, {
      platform: 'linux', home: '/home/u', env: { HOME: '/home/u' }, folders: [{ name: 'app', path: '/w/app' }], inputs: [],
      getInput: () => Promise.reject(new Error('no input may be asked')), readFile: () => Promise.reject(new Error('no file')),
    });
    assert.equal(launch.type, 'stdio');
    if (launch.type !== 'stdio') return;
    assert.equal(launch.command, '${userHome}/bin/x');
    assert.deepEqual(launch.args, ['${workspaceFolder}', '${input:nope}', '${config:x}']);
    assert.equal(launch.env['P'], '${env:HOME}');
    assert.equal(launch.cwd, '/w/app', 'its folder is the working directory, as for .vscode/mcp.json');
  });

  it('the first-connection dialog names no variable it would send', () => {
    const config = { type: 'http', url: 'https://x/mcp', headers: { 'X-Key': '${env:KEY}' } } as const;
    assert.deepEqual(describeRemote(config, true).variables, []);
    assert.deepEqual(describeRemote(config).variables, ['${env:KEY}']);
  });
});

describe('config/portable: plaintext secrets', () => {
  const text = [
    '{',
    '  "mcpServers": {',
    '    "gh": {',
    '      "command": "npx",',
    '      "env": { "GITHUB_TOKEN": "ghp_live_value_0123456789", "LOG_LEVEL": "debug", "EMPTY_KEY": "" }',
    '    },',
    '    "api": { "url": "https://api.example.com/mcp", "headers": { "Authorization": "Bearer sk-live-abcdef0123456789", "X-Team": "core" } }',
    '  }',
    '}',
  ].join('\n');

  it('a warning on the value\'s range, with the Quick Fix\'s code, and never the value', () => {
    const r = root(text);
    const warnings = r.diagnostics.filter((d) => d.code === PLAINTEXT_SECRET_CODE);
    assert.deepEqual(warnings.map((d) => [d.serverName, d.severity, d.message]), [
      ['gh', 'warning', 'Plaintext secret in .mcp.json: move it to SecretStorage (Quick Fix)'],
      ['api', 'warning', 'Plaintext secret in .mcp.json: move it to SecretStorage (Quick Fix)'],
    ]);
    assert.deepEqual(warnings[0]?.range?.start, positionOf(text, '"ghp_live'));
    assert.deepEqual(warnings[0]?.range?.end, { line: 4, character: positionOf(text, '"ghp_live').character + '"ghp_live_value_0123456789"'.length });
    assert.deepEqual(warnings[1]?.range?.start, positionOf(text, '"Bearer'));
    for (const d of r.diagnostics) assert.ok(!/ghp_live|sk-live/.test(d.message));
    for (const w of r.entries.flatMap((e) => e.warnings)) assert.ok(!/ghp_live|sk-live/.test(w), 'log-safe warnings');
    assert.ok(r.entries.every((e) => e.config), 'the servers stay usable');
  });

  it('the Copilot file says its own name', () => {
    const r = copilot(text);
    assert.equal(r.diagnostics.filter((d) => d.code === PLAINTEXT_SECRET_CODE)[0]?.message, 'Plaintext secret in mcp-config.json: move it to SecretStorage (Quick Fix)');
  });

  it('a ${…} value is a plaintext secret here too (it is literal)', () => {
    const r = root('{ "s": { "command": "x", "env": { "API_KEY": "${input:k}" } } }');
    assert.equal(r.diagnostics.filter((d) => d.code === PLAINTEXT_SECRET_CODE).length, 1);
  });

  it('VS Code\'s format gets no such warning (it has inputs)', () => {
    const r = parseMcpJsonText('{ "servers": { "s": { "command": "x", "env": { "API_KEY": "literal-value" } } } }', { kind: 'userMcpJson' });
    assert.deepEqual(r.diagnostics, []);
  });

  it('registers every form of the values with the redactor as soon as they are read', () => {
    const argsText = '{ "cli": { "command": "x", "args": ["--api-key=arg-secret-123", "--token", "tok-secret-456"] } }';
    const defs = [...root(text).entries, ...root(argsText).entries].map((e): ServerDefinition => ({ id: e.id, name: e.name, source: ROOT, config: e.config!, options: {} }));
    const values = literalSecretValues(defs);
    assert.deepEqual(values.sort(), ['Bearer sk-live-abcdef0123456789', 'arg-secret-123', 'ghp_live_value_0123456789', 'sk-live-abcdef0123456789', 'tok-secret-456'].sort());
    const redactor = new Redactor();
    redactor.add(...values);
    assert.equal(redactor.redact('x ghp_live_value_0123456789 y sk-live-abcdef0123456789 arg-secret-123'), 'x •••• y •••• ••••');
    const vscodeFormat = defs.map((d) => ({ ...d, source: { kind: 'userMcpJson' } as const }));
    assert.deepEqual(literalSecretValues(vscodeFormat), [], 'other sources register at resolution, as before');
  });
});

describe('config/merge: precedence across all six sources', () => {
  const WS: ServerSource = { kind: 'workspaceMcpJson', folder: 'app', folderUri: 'file:///w/app' };
  const WS_SETTINGS: ServerSource = { kind: 'workspaceSettings', workspaceUri: 'file:///w/app' };
  const entry = (tag: string) => ({ command: tag });
  /** Source i defines the names s<i>…s5: name s<k> is defined by sources 0…k, so its winner is source 0 for s0… */
  const all = (names: readonly string[]) => Object.fromEntries(names.map((n) => [n, entry(n)]));
  const sources = (names: readonly string[]): ParsedSource[] => [
    parsePortableText(JSON.stringify({ mcpServers: all(names) }), COPILOT, '/home/u/.copilot/mcp-config.json'),
    parseMcpJsonText(JSON.stringify({ servers: all(names) }), { kind: 'userMcpJson' }, '/u/mcp.json'),
    parseSettingsValues(all(names), [], { kind: 'userSettings' }),
    parseSettingsValues(all(names), [], WS_SETTINGS),
    parsePortableText(JSON.stringify(all(names)), ROOT, '/w/app/.mcp.json'),
    parseMcpJsonText(JSON.stringify({ servers: all(names) }), WS, '/w/app/.vscode/mcp.json'),
  ];
  const byId = (list: readonly ConfiguredServer[]) => Object.fromEntries(list.map((s) => [s.id, s]));

  it('.vscode/mcp.json > .mcp.json > workspace settings > user settings > user mcp.json > Copilot file', () => {
    const order = ['workspace:app', 'mcpJson:app', 'settings:workspace', 'settings:user', 'userMcpJson', 'copilot'];
    for (let winner = 0; winner < order.length; winner++) {
      // Every source from `winner` down defines "s": the highest of them wins, the others are shadowed by it.
      const list = sources(['s']);
      const present = list.filter((src) => order.indexOf(makeServerId(src.source, 's').split('#')[0]) >= winner);
      const m = byId(mergeSources(present).servers);
      const winnerId = `${order[winner]}#s`;
      assert.equal(m[winnerId]?.problem, undefined, `${winnerId} wins`);
      for (const lower of order.slice(winner + 1)) assert.deepEqual(m[`${lower}#s`]?.problem, { kind: 'shadowed', by: winnerId }, `${lower} is shadowed`);
      assert.equal(runnableDefinitions(mergeSources(present).servers).length, 1, 'one runs');
    }
  });

  it('names the winner in the shadowed copy\'s note', () => {
    const m = byId(mergeSources(sources(['s']).slice(4)).servers);
    assert.deepEqual(m['mcpJson:app#s']?.problem, { kind: 'shadowed', by: 'workspace:app#s' });
    assert.equal(m['mcpJson:app#s']?.note, 'Shadowed by "s" from app/.vscode/mcp.json');
    const c = byId(mergeSources(sources(['s']).slice(0, 2)).servers);
    assert.equal(c['copilot#s']?.note, 'Shadowed by "s" from User mcp.json');
  });

  it('a folder\'s .vscode/mcp.json outranks another folder\'s .mcp.json too (rank first, then folder order)', () => {
    const other: ServerSource = { kind: 'workspaceRootMcpJson', folder: 'first', folderUri: 'file:///w/first' };
    const m = byId(mergeSources([parsePortableText('{ "s": { "command": "a" } }', other), parseMcpJsonText('{ "servers": { "s": { "command": "b" } } }', WS)]).servers);
    assert.deepEqual(m['mcpJson:first#s']?.problem, { kind: 'shadowed', by: 'workspace:app#s' });
  });

  it('an unreadable .mcp.json is one configError node of its own source', () => {
    const { servers } = mergeSources([parsePortableText('{ "s": ', ROOT, '/w/app/.mcp.json')]);
    assert.deepEqual(servers.map((s) => [s.id, s.problem?.kind]), [[`mcpJson:app#${FILE_NODE_NAME}`, 'configError']]);
  });
});

describe('config/portable: Move Secrets to SecretStorage (the Quick Fix, as texts)', () => {
  const TOKEN = 'ghp_quickfix_secret_0123456789';
  const BEARER = 'sk-quickfix-bearer-abcdef012345';
  const portable = [
    '{',
    '  // shared with Claude Code',
    '  "mcpServers": {',
    '    "gh": { "type": "local", "command": "npx", "args": ["-y", "server-github"], "env": { "GITHUB_TOKEN": "' + TOKEN + '", "LOG": "info" }, "tools": ["*"] },',
    '    "keep": { "command": "x" }',
    '  }',
    '}',
  ].join('\n');
  const target = '{\n\t// mine\n\t"servers": {\n\t\t"other": { "command": "y" }\n\t},\n\t"inputs": []\n}\n';

  it('moves the entry into .vscode/mcp.json with an input reference, the value only to SecretStorage', () => {
    const plan = planSecretMove(portable, ROOT, 'gh', target);
    assert.deepEqual(plan.secrets, [{ inputId: 'gh-GITHUB_TOKEN', value: TOKEN }]);
    assert.deepEqual(plan.movedKeys, ['GITHUB_TOKEN']);
    for (const text of [plan.sourceText, plan.targetText]) assert.ok(!text.includes(TOKEN), 'nothing secret is left in either file');
    // The source keeps its comment and its other entry, and loses "gh".
    assert.match(plan.sourceText, /\/\/ shared with Claude Code/);
    assert.ok(plan.sourceText.includes('    "keep": { "command": "x" }'), `the other entry is left as written:\n${plan.sourceText}`);
    const src = parsePortableText(plan.sourceText, ROOT);
    assert.deepEqual(src.entries.map((e) => e.name), ['keep']);
    assert.deepEqual(src.diagnostics, []);
    // The target keeps its comment, gains "gh" (same name; local → stdio; tools dropped) and the password input.
    const wsSource = secretMoveTarget(ROOT);
    assert.deepEqual(wsSource, { kind: 'workspaceMcpJson', folder: 'app', folderUri: 'file:///w/app' });
    assert.match(plan.targetText, /\/\/ mine/);
    const dst = parseMcpJsonText(plan.targetText, wsSource);
    assert.deepEqual(dst.diagnostics, []);
    assert.deepEqual(dst.entries.map((e) => e.name), ['other', 'gh']);
    assert.deepEqual(dst.entries[1]?.config, { type: 'stdio', command: 'npx', args: ['-y', 'server-github'], env: { GITHUB_TOKEN: '${input:gh-GITHUB_TOKEN}', LOG: 'info' } });
    assert.deepEqual(dst.inputs, [{ type: 'promptString', id: 'gh-GITHUB_TOKEN', description: 'GITHUB_TOKEN for MCP server "gh" (stored in SecretStorage)', password: true }]);
    assert.match(inputSecretId(wsSource, 'gh-GITHUB_TOKEN'), /^workspace:app@ws-[0-9a-f]{16}\/gh-GITHUB_TOKEN$/);
    // Merged, the moved entry is the one that runs.
    const merged = mergeSources([src, dst]);
    assert.deepEqual(runnableDefinitions(merged.servers).map((d) => d.id).sort(), ['mcpJson:app#keep', 'workspace:app#gh', 'workspace:app#other']);
  });

  it('removes the entry and nothing else: the neighbours keep their bytes, wherever it stands', () => {
    const cases: [string, string][] = [
      ['{\n  "a": { "command": "x" },\n  "gh": {\n    "command": "y"\n  }\n}\n', '{\n  "a": { "command": "x" }\n}\n'],
      ['{\n  "gh": { "command": "y" },\n  "a": { "command": "x" }\n}\n', '{\n  "a": { "command": "x" }\n}\n'],
      ['{ "a": 1, "gh": { "command": "y" }, "z": [ 1,2 ] }', '{ "a": 1, "z": [ 1,2 ] }'],
      ['{\n  "gh": { "command": "y" }\n}\n', '{\n}\n'],
      ['{\n  "gh": { "command": "y" },\n}\n', '{\n}\n'],
    ];
    for (const [before, after] of cases) assert.equal(removeProperty(before, ['gh']), after);
    assert.equal(removeProperty('{ "a": 1 }', ['gh']), '{ "a": 1 }', 'nothing to remove');
  });

  it('creates the target\'s content when it has none; a bare map and a header with its scheme', () => {
    const bare = `{\n  "api": { "type": "http", "url": "https://api.example.com/mcp", "headers": { "Authorization": "Bearer ${BEARER}" } }\n}\n`;
    const plan = planSecretMove(bare, ROOT, 'api', undefined);
    assert.deepEqual(plan.secrets, [{ inputId: 'api-Authorization', value: BEARER }]);
    assert.deepEqual(parsePortableText(plan.sourceText, ROOT).entries, []);
    const dst = parseMcpJsonText(plan.targetText, secretMoveTarget(ROOT));
    assert.deepEqual(dst.entries[0]?.config, { type: 'http', url: 'https://api.example.com/mcp', headers: { Authorization: 'Bearer ${input:api-Authorization}' } });
    for (const text of [plan.sourceText, plan.targetText]) assert.ok(!text.includes(BEARER));
  });

  it('from the Copilot file into the user mcp.json', () => {
    const text = JSON.stringify({ mcpServers: { gh: { type: 'local', command: 'npx', env: { GITHUB_TOKEN: TOKEN } } } }, null, 2);
    const plan = planSecretMove(text, COPILOT, 'gh', '');
    assert.deepEqual(secretMoveTarget(COPILOT), { kind: 'userMcpJson' });
    assert.deepEqual(parsePortableText(plan.sourceText, COPILOT).entries, []);
    assert.deepEqual(JSON.parse(plan.sourceText), { mcpServers: {} });
    assert.ok(!plan.targetText.includes(TOKEN));
    assert.equal(inputSecretId({ kind: 'userMcpJson' }, plan.secrets[0].inputId), 'userMcpJson/gh-GITHUB_TOKEN');
  });

  it('keeps a literal ${…} inside a secret (the value is stored, never read as a variable)', () => {
    const plan = planSecretMove('{ "s": { "command": "x", "env": { "API_KEY": "a${b}c" } } }', ROOT, 's', undefined);
    assert.deepEqual(plan.secrets, [{ inputId: 's-API_KEY', value: 'a${b}c' }]);
  });

  it('refuses what it cannot move faithfully, saying what to do', () => {
    const cases: [string, string, string | undefined, RegExp][] = [
      ['{ "s": { "command": "x", "env": { "LOG": "1" } } }', 's', undefined, /no plaintext secret/],
      ['{ "s": { "command": "x" } }', 'nope', undefined, /no server "nope"/],
      ['{ "s": { "command": "x", "args": 3, "env": { "API_KEY": "k-123456" } } }', 's', undefined, /not valid/],
      ['{ "s": ', 's', undefined, /has errors/],
      ['{ "s": { "command": "x", "args": ["${workspaceFolder}"], "env": { "API_KEY": "k-123456" } } }', 's', undefined, /"args\[0\]" contains "\$\{"/],
      ['{ "s": { "command": "x", "args": ["--auth", "k-123456"], "env": { "API_KEY": "k-123456" } } }', 's', undefined, /also appears outside/],
      ['{ "s": { "command": "x", "env": { "API_KEY": "k-123456" } } }', 's', '{ "servers": { "s": { "command": "y" } } }', /already defined in app\/.vscode\/mcp.json/],
      ['{ "s": { "command": "x", "env": { "API_KEY": "k-123456" } } }', 's', '{ "servers": ', /syntax errors/],
    ];
    for (const [text, name, targetText, reason] of cases) {
      assert.throws(() => planSecretMove(text, ROOT, name, targetText), (err: Error) => reason.test(err.message) && !err.message.includes('k-123456'), `${text} → ${reason}`);
    }
  });
});
