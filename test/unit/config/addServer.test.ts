import * as assert from 'node:assert/strict';
import { checkServerName, checkServerUrl, checkVariableName, splitCommandLine, suggestServerName } from '../../../src/common/config/addServer';
import { applyImportToMcpJson, prepareImport } from '../../../src/common/config/importers';
import { parseMcpJsonText } from '../../../src/common/config/parse';

describe('Add Server...: reading what the user typed', () => {
  it('splits a command line like a shell: quotes group, backslashes escape', () => {
    assert.deepEqual(splitCommandLine('npx -y @modelcontextprotocol/server-everything', 'linux'), { command: 'npx', args: ['-y', '@modelcontextprotocol/server-everything'] });
    assert.deepEqual(splitCommandLine(`node "/my dir/server.js" --name 'a b' x\\ y ""`, 'linux'), { command: 'node', args: ['/my dir/server.js', '--name', 'a b', 'x y', ''] });
    assert.deepEqual(splitCommandLine('  uvx   mcp-server-git  ', 'linux'), { command: 'uvx', args: ['mcp-server-git'] });
    assert.deepEqual(splitCommandLine('"C:\\Program Files\\nodejs\\node.exe" C:\\srv\\index.js', 'win32'), { command: 'C:\\Program Files\\nodejs\\node.exe', args: ['C:\\srv\\index.js'] });
    assert.match(splitCommandLine('node "unclosed', 'linux') as string, /unclosed " quote/);
    assert.match(splitCommandLine('   ', 'linux') as string, /Enter the command/);
  });

  it('accepts only http(s) URLs without credentials', () => {
    assert.equal(checkServerUrl('https://example.com/mcp'), undefined);
    assert.equal(checkServerUrl(' http://127.0.0.1:3001/mcp '), undefined);
    assert.match(checkServerUrl('example.com/mcp')!, /full URL/);
    assert.match(checkServerUrl('ftp://example.com')!, /http:\/\/ or https:\/\//);
    assert.match(checkServerUrl('https://user:pw@example.com/mcp')!, /credentials/);
  });

  it('suggests a recognisable name', () => {
    const cmd = (line: string) => splitCommandLine(line, 'linux') as { command: string; args: string[] };
    assert.equal(suggestServerName(cmd('npx -y @modelcontextprotocol/server-everything@latest')), 'server-everything');
    assert.equal(suggestServerName(cmd('uvx mcp-server-git --repository .')), 'mcp-server-git');
    assert.equal(suggestServerName(cmd('docker run -i --rm -e TOKEN=1 ghcr.io/github/github-mcp-server')), 'github-mcp-server');
    assert.equal(suggestServerName(cmd('node /srv/My Server.mjs')), 'my');
    assert.equal(suggestServerName(cmd('/usr/local/bin/weather-mcp')), 'weather-mcp');
    assert.equal(suggestServerName({ url: 'https://api.githubcopilot.com/mcp/' }), 'githubcopilot');
    assert.equal(suggestServerName({ url: 'http://127.0.0.1:3001/mcp' }), '127.0.0.1');
  });

  it('checks names and variable names', () => {
    assert.equal(checkServerName('weather', ['other']), undefined);
    assert.match(checkServerName('weather', ['weather'])!, /already defined/);
    assert.match(checkServerName('', [])!, /Enter a name/);
    assert.match(checkServerName(' x', [])!, /spaces/);
    assert.match(checkServerName('a#b', [])!, /#/);
    assert.equal(checkVariableName('API_KEY', 'env'), undefined);
    assert.ok(checkVariableName('API-KEY', 'env'));
    assert.equal(checkVariableName('X-API-Key', 'header'), undefined);
    assert.ok(checkVariableName('X API Key', 'header'));
  });

  it('moves exactly the values the user marked secret, and writes references in their place', () => {
    const prepared = prepareImport([{
      name: 'weather', from: 'Add MCP Server', secretKeys: ['SERVICE_PASS'],
      config: { type: 'stdio', command: 'npx', args: ['weather'], env: { SERVICE_PASS: 'hunter2-value', API_TOKEN_HINT: 'shown-on-purpose' } },
    }], [], []);
    assert.deepEqual(prepared.secrets, [{ inputId: 'weather-SERVICE_PASS', value: 'hunter2-value' }]);
    const text = applyImportToMcpJson('// mine\n{ "servers": {} }\n', prepared);
    assert.ok(text.startsWith('// mine'), 'the comment is kept');
    assert.ok(!text.includes('hunter2-value'));
    const parsed = parseMcpJsonText(text, { kind: 'userMcpJson' });
    const entry = parsed.entries.find((e) => e.name === 'weather');
    assert.deepEqual(entry?.config?.type === 'stdio' && entry.config.env, { SERVICE_PASS: '${input:weather-SERVICE_PASS}', API_TOKEN_HINT: 'shown-on-purpose' });
    assert.deepEqual(parsed.inputs.map((i) => i.id), ['weather-SERVICE_PASS']);
  });

  it('keeps the Bearer scheme in the header and only the token in SecretStorage', () => {
    const prepared = prepareImport([{
      name: 'remote', from: 'Add MCP Server', secretKeys: ['Authorization'],
      config: { type: 'http', url: 'https://example.com/mcp', headers: { Authorization: 'Bearer tok-123' } },
    }], [], []);
    assert.deepEqual(prepared.secrets, [{ inputId: 'remote-Authorization', value: 'tok-123' }]);
    assert.deepEqual(prepared.servers[0].json, { type: 'http', url: 'https://example.com/mcp', headers: { Authorization: 'Bearer ${input:remote-Authorization}' } });
  });
});
