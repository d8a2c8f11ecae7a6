import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { PLAINTEXT_SECRET_CODE, inputSecretId } from '../../src/common/config/parse';
import { Redactor } from '../../src/common/redact';
import { type ServerId, type ServerSource, makeServerId } from '../../src/common/serverId';
import { type ConfigFeatures, registerConfigFeatures } from '../../src/config';
import { copilotMcpConfigUri } from '../../src/config/configService';
import { Logger } from '../../src/log';
import type { ServersModel } from '../../src/common/model';
import { toDisposable } from '../../src/common/lifecycle';
import { SecretStore } from '../../src/vscode-adapters/secretStore';
import { type UntilOptions, until } from '../shared/wait';

/** A fake secret that must never leave SecretStorage. */
const SEEDED_SECRET = 'fixture-secret-7f3a9c-do-not-leak';

class MemorySecretStorage implements vscode.SecretStorage {
  readonly data = new Map<string, string>();
  private readonly emitter = new vscode.EventEmitter<vscode.SecretStorageChangeEvent>();
  readonly onDidChange = this.emitter.event;
  keys(): Thenable<string[]> { return Promise.resolve([...this.data.keys()]); }
  get(key: string): Thenable<string | undefined> { return Promise.resolve(this.data.get(key)); }
  store(key: string, value: string): Thenable<void> { this.data.set(key, value); this.emitter.fire({ key }); return Promise.resolve(); }
  delete(key: string): Thenable<void> { this.data.delete(key); this.emitter.fire({ key }); return Promise.resolve(); }
}

class MemoryMemento implements vscode.Memento {
  readonly data = new Map<string, unknown>();
  keys(): readonly string[] { return [...this.data.keys()]; }
  get<T>(key: string, defaultValue?: T): T | undefined { return (this.data.has(key) ? this.data.get(key) : defaultValue) as T | undefined; }
  update(key: string, value: unknown): Thenable<void> { this.data.set(key, value); return Promise.resolve(); }
  setKeysForSync(): void { /* not synced */ }
}

/** A Logger whose channel records every line (already redacted by ComponentLogger). */
function recordingLogger(redactor: Redactor): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const logger = new Logger('MCP Manager (config test)', redactor);
  const record = (m: string) => { lines.push(m); };
  const channel = logger.channel;
  Object.assign(channel, { trace: record, debug: record, info: record, warn: record, error: (m: string | Error) => record(String(m)) });
  return { logger, lines };
}

/** The configuration feature on the fixture workspace, with in-memory SecretStorage and state and a recording log. */
interface ConfigFixture {
  readonly folder: vscode.WorkspaceFolder;
  /** The folder's .vscode/mcp.json and its content before the tests. */
  readonly mcpJson: vscode.Uri;
  readonly original: Uint8Array;
  readonly features: ConfigFeatures;
  /** Every configured entry with its config-derived state (no server manager here). */
  readonly registry: ServersModel & vscode.Disposable;
  readonly secrets: MemorySecretStorage;
  readonly globalState: MemoryMemento;
  readonly lines: string[];
  readonly logger: Logger;
  /** Waits re-check on every change of the model (events, no polling). */
  readonly onRegistryChange: UntilOptions;
}

/** Registers before/after hooks that set up (and restore the workspace, and dispose) one ConfigFixture. */
function useConfigFixture(): () => ConfigFixture {
  let fixture: ConfigFixture | undefined;
  before(async () => {
    const folder = vscode.workspace.workspaceFolders?.[0];
    assert.ok(folder, 'the fixture workspace is open');
    const mcpJson = vscode.Uri.joinPath(folder.uri, '.vscode', 'mcp.json');
    const original = await vscode.workspace.fs.readFile(mcpJson);
    const redactor = new Redactor();
    const { logger, lines } = recordingLogger(redactor);
    const secrets = new MemorySecretStorage();
    const globalState = new MemoryMemento();
    const storage = vscode.Uri.joinPath(folder.uri, '.test-global-storage', 'globalStorage', 'mcpkit.mcp-manager');
    const features = registerConfigFeatures({
      context: { globalState, globalStorageUri: storage },
      logger,
      secrets: new SecretStore(secrets, redactor, logger.scoped('secrets')),
    });
    const registry = features.createServersModel({ onDidChange: () => toDisposable(() => undefined), list: () => [], get: () => undefined });
    await features.ready;
    fixture = {
      folder, mcpJson, original, features, registry, secrets, globalState, lines, logger,
      onRegistryChange: { on: (listener) => registry.onDidChange(listener), timeoutMs: 10_000 },
    };
  });
  after(async () => {
    if (!fixture) return;
    await vscode.workspace.fs.writeFile(fixture.mcpJson, fixture.original);
    fixture.features.dispose();
    fixture.registry.dispose();
    fixture.logger.dispose();
  });
  return () => {
    assert.ok(fixture, 'the config fixture is set up');
    return fixture;
  };
}

describe('Server configuration (issue #3) in the extension host', () => {
  const fx = useConfigFixture();
  let folder: vscode.WorkspaceFolder;
  let mcpJson: vscode.Uri;
  let original: Uint8Array;
  let registry: ServersModel & vscode.Disposable;
  let features: ConfigFeatures;
  let secrets: MemorySecretStorage;
  let globalState: MemoryMemento;
  let lines: string[];
  let logger: Logger;
  let onRegistryChange: UntilOptions;
  const id = (name: string): ServerId => makeServerId({ kind: 'workspaceMcpJson', folder: folder.name, folderUri: folder.uri.toString() }, name);
  const has = (name: string) => registry.get(id(name)) !== undefined;

  before(() => {
    ({ folder, mcpJson, original, registry, features, secrets, globalState, lines, logger, onRegistryChange } = fx());
  });

  it('shows the servers of .vscode/mcp.json in the model, tagged with their source', () => {
    assert.ok(has('echo'), 'echo is listed');
    assert.ok(has('remote'), 'remote is listed');
    const echo = registry.get(id('echo'));
    assert.equal(echo?.transport, 'stdio');
    assert.equal(echo?.file, mcpJson.fsPath);
    assert.equal(echo?.state.kind, vscode.workspace.isTrusted ? 'stopped' : 'needsTrust');
    assert.ok(features.service.definitions.some((d) => d.id === id('remote')));
  });

  it('adds and removes servers live when mcp.json is edited', async () => {
    const text = new TextDecoder().decode(original).replace('"remote"', '"added"');
    await vscode.workspace.fs.writeFile(mcpJson, new TextEncoder().encode(text));
    await until('added to appear and remote to go', () => has('added') && !has('remote'), onRegistryChange);
    await vscode.workspace.fs.writeFile(mcpJson, original);
    await until('the original servers to come back', () => has('remote') && !has('added'), onRegistryChange);
  });

  it('shows a broken entry as configError with a diagnostic on its line', async () => {
    const text = new TextDecoder().decode(original).replace('"type": "http"', '"type": "websocket"');
    await vscode.workspace.fs.writeFile(mcpJson, new TextEncoder().encode(text));
    await until('remote to show a config error', () => registry.get(id('remote'))?.state.kind === 'configError', onRegistryChange);
    assert.equal(registry.get(id('echo'))?.state.kind === 'configError', false, 'the other server keeps working');
    const diags = vscode.languages.getDiagnostics(mcpJson);
    const d = diags.find((x) => x.message.includes('websocket'));
    assert.ok(d, 'a diagnostic names the problem');
    assert.equal(d.severity, vscode.DiagnosticSeverity.Error);
    assert.equal(d.range.start.line, text.split('\n').findIndex((l) => l.includes('websocket')));
    await vscode.workspace.fs.writeFile(mcpJson, original);
    // "Not a configError" also holds while a half-written file lists no servers: wait for both to be back.
    await until('the error to clear', () => has('remote') && has('echo') && registry.get(id('remote'))?.state.kind !== 'configError', onRegistryChange);
  });

  it('resolves a seeded password input from SecretStorage, and the secret is found nowhere else', async () => {
    const source = { kind: 'workspaceMcpJson', folder: folder.name, folderUri: folder.uri.toString() } as const;
    const store = new SecretStore(secrets, features.redactor, logger.scoped('secrets'));
    await store.store('input', inputSecretId(source, 'fixture-token'), SEEDED_SECRET);
    const def = features.service.definitions.find((d) => d.id === id('echo'));
    assert.ok(def);
    const launch = await features.resolveLaunch(def);
    assert.equal(launch.type === 'stdio' ? launch.env['FIXTURE_TOKEN'] : undefined, SEEDED_SECRET, 'read from SecretStorage without a prompt');
    logger.scoped('test').info(`a line that mentions ${SEEDED_SECRET}`);

    const config = vscode.workspace.getConfiguration();
    const places: [string, string][] = [
      ['settings (mcpManager)', JSON.stringify(config.inspect('mcpManager.servers')) + JSON.stringify(config.inspect('mcpManager.inputs'))],
      ['globalState', JSON.stringify([...globalState.data])],
      ['logs', lines.join('\n')],
      ['mcp.json', new TextDecoder().decode(await vscode.workspace.fs.readFile(mcpJson))],
    ];
    const settingsFile = vscode.Uri.joinPath(folder.uri, '.vscode', 'settings.json');
    try { places.push(['workspace settings.json', new TextDecoder().decode(await vscode.workspace.fs.readFile(settingsFile))]); } catch { /* none */ }
    for (const [where, text] of places) assert.ok(!text.includes(SEEDED_SECRET), `the secret leaked into ${where}`);
    assert.ok(lines.some((l) => l.includes('a line that mentions ••••')), 'the log redacts it');
    assert.deepEqual([...secrets.data.values()].filter((v) => v === SEEDED_SECRET).length, 1, 'it lives in SecretStorage only');
  });
});

describe('Portable configuration files (issue 16): .mcp.json in the extension host', () => {
  const fx = useConfigFixture();
  /** A fake credential written in plain text into .mcp.json. */
  const PLAINTEXT = 'ghp_portable_fixture_0123456789abcdef';
  let rootMcpJson: vscode.Uri;
  const source = (): ServerSource => ({ kind: 'workspaceRootMcpJson', folder: fx().folder.name, folderUri: fx().folder.uri.toString() });
  const portableId = (name: string): ServerId => makeServerId(source(), name);
  const workspaceId = (name: string): ServerId => makeServerId({ kind: 'workspaceMcpJson', folder: fx().folder.name, folderUri: fx().folder.uri.toString() }, name);
  const write = (uri: vscode.Uri, value: unknown) => vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(typeof value === 'string' ? value : JSON.stringify(value, null, 2)));
  const ids = () => fx().registry.list().map((s) => s.id);

  before(() => { rootMcpJson = vscode.Uri.joinPath(fx().folder.uri, '.mcp.json'); });
  after(async () => {
    await vscode.workspace.fs.delete(rootMcpJson).then(undefined, () => undefined);
    await vscode.workspace.fs.writeFile(fx().mcpJson, fx().original);
  });

  it('a folder with only .mcp.json (a bare map) shows its servers, source mcpJson:<folder>', async () => {
    await vscode.workspace.fs.delete(fx().mcpJson);
    await write(rootMcpJson, { solo: { command: 'node', args: ['--version'] } });
    await until('the .mcp.json server to be listed, and none of .vscode/mcp.json', () => ids().includes(portableId('solo')) && !ids().some((i) => i.startsWith('workspace:')), fx().onRegistryChange);
    const solo = fx().registry.get(portableId('solo'));
    assert.equal(portableId('solo'), `mcpJson:${fx().folder.name}#solo`);
    assert.equal(solo?.source.kind, 'workspaceRootMcpJson');
    assert.equal(solo?.file, rootMcpJson.fsPath);
    assert.equal(solo?.state.kind, vscode.workspace.isTrusted ? 'stopped' : 'needsTrust');
  });

  it('adds and removes servers live when .mcp.json is edited (the mcpServers shape too)', async () => {
    await write(rootMcpJson, { mcpServers: { other: { type: 'local', command: 'node', tools: ['*'] } } });
    await until('"other" to replace "solo"', () => ids().includes(portableId('other')) && !ids().includes(portableId('solo')), fx().onRegistryChange);
    assert.equal(fx().registry.get(portableId('other'))?.transport, 'stdio');
    // A save with a syntax error keeps the last good servers, and says where the error is.
    await write(rootMcpJson, '{ "mcpServers": { "other": ');
    await until('a syntax error on .mcp.json', () => vscode.languages.getDiagnostics(rootMcpJson).some((d) => /Syntax error/.test(d.message)), { on: (l) => vscode.languages.onDidChangeDiagnostics(l), timeoutMs: 10_000 });
    assert.ok(ids().includes(portableId('other')), 'the last good servers are kept');
    await vscode.workspace.fs.delete(rootMcpJson);
    await until('the servers of .mcp.json to go', () => !ids().some((i) => i.startsWith('mcpJson:')), fx().onRegistryChange);
  });

  it('a server in both files: .vscode/mcp.json\'s copy runs, the .mcp.json copy is shadowed by it', async () => {
    await vscode.workspace.fs.writeFile(fx().mcpJson, fx().original);
    await write(rootMcpJson, { echo: { command: 'node', args: ['-e', '0'] } });
    await until('both copies of echo', () => ids().includes(portableId('echo')) && ids().includes(workspaceId('echo')), fx().onRegistryChange);
    assert.deepEqual(fx().registry.get(portableId('echo'))?.state, { kind: 'shadowed', by: workspaceId('echo') });
    assert.deepEqual(fx().features.service.definitions.filter((d) => d.name === 'echo').map((d) => d.id), [workspaceId('echo')], 'one runs');
    assert.match(fx().features.service.servers.find((s) => s.id === portableId('echo'))?.note ?? '', /Shadowed by "echo" from .*\/\.vscode\/mcp\.json/);
  });

  it('reads the Copilot user file live, even when its folder did not exist at start', async function () {
    const file = copilotMcpConfigUri();
    const dir = vscode.Uri.joinPath(file, '..');
    const copilotId = makeServerId({ kind: 'copilotMcpConfig' }, 'cli-tool');
    // Only where nobody's Copilot configuration is (the code-server run's own HOME): never touch a real one.
    if (await vscode.workspace.fs.stat(dir).then(() => true, () => false)) this.skip();
    try {
      await vscode.workspace.fs.createDirectory(dir);
      await write(file, { mcpServers: { 'cli-tool': { type: 'local', command: 'node', tools: ['*'] } } });
      await until('the Copilot file\'s server', () => ids().includes(copilotId), fx().onRegistryChange);
      const server = fx().registry.get(copilotId);
      assert.equal(server?.file, file.fsPath, 'its tooltip names the real path');
      assert.equal(server?.state.kind, 'stopped', 'owned by the user: no trust needed');
      await vscode.workspace.fs.delete(file);
      await until('the Copilot file\'s server to go', () => !ids().includes(copilotId), fx().onRegistryChange);
    } finally {
      await vscode.workspace.fs.delete(dir, { recursive: true }).then(undefined, () => undefined);
    }
  });

  it('warns on a plaintext secret with a Quick Fix, and masks the value before anything starts', async () => {
    const text = `{\n  "mcpServers": {\n    "gh": { "command": "node", "env": { "GITHUB_TOKEN": "${PLAINTEXT}" } }\n  }\n}\n`;
    await write(rootMcpJson, text);
    await until('the plaintext-secret warning', () => vscode.languages.getDiagnostics(rootMcpJson).some((d) => d.code === PLAINTEXT_SECRET_CODE), { on: (l) => vscode.languages.onDidChangeDiagnostics(l), timeoutMs: 10_000 });
    const warning = vscode.languages.getDiagnostics(rootMcpJson).find((d) => d.code === PLAINTEXT_SECRET_CODE);
    assert.ok(warning);
    assert.equal(warning.severity, vscode.DiagnosticSeverity.Warning);
    assert.equal(warning.message, 'Plaintext secret in .mcp.json: move it to SecretStorage (Quick Fix)');
    assert.equal(warning.range.start.line, 2);
    assert.equal(warning.range.start.character, text.split('\n')[2].indexOf(`"${PLAINTEXT}"`));
    assert.equal(fx().features.redactor.redact(`a ${PLAINTEXT} b`), 'a •••• b', 'registered with the redactor when read');

    await vscode.workspace.openTextDocument(rootMcpJson); // code actions are asked of an open document's model
    const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', rootMcpJson, warning.range, vscode.CodeActionKind.QuickFix.value);
    const fix = actions.find((a) => a.title === 'Move secrets of "gh" to SecretStorage');
    assert.ok(fix, `the Quick Fix is offered (got ${JSON.stringify(actions.map((a) => a.title))})`);
    assert.equal(fix.command?.command, 'mcpManager.moveSecrets');
    assert.deepEqual((fix.command?.arguments as unknown[] | undefined)?.[1], 'gh');
    assert.ok(!fx().lines.some((l) => l.includes(PLAINTEXT)), 'the log never has it');
  });
});
