import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { inputSecretId } from '../../src/common/config/parse';
import { Redactor } from '../../src/common/redact';
import { type ServerId, makeServerId } from '../../src/common/serverId';
import { type ConfigFeatures, registerConfigFeatures } from '../../src/config';
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

describe('Server configuration (issue #3) in the extension host', () => {
  let folder: vscode.WorkspaceFolder;
  let mcpJson: vscode.Uri;
  let original: Uint8Array;
  let registry: ServersModel & vscode.Disposable;
  let features: ConfigFeatures;
  let secrets: MemorySecretStorage;
  let globalState: MemoryMemento;
  let lines: string[];
  let logger: Logger;
  const id = (name: string): ServerId => makeServerId({ kind: 'workspaceMcpJson', folder: folder.name, folderUri: folder.uri.toString() }, name);
  const has = (name: string) => registry.get(id(name)) !== undefined;
  /** Waits re-check on every change of the model (events, no polling). */
  const onRegistryChange: UntilOptions = { on: (listener) => registry.onDidChange(listener), timeoutMs: 10_000 };

  before(async () => {
    const first = vscode.workspace.workspaceFolders?.[0];
    assert.ok(first, 'the fixture workspace is open');
    folder = first;
    mcpJson = vscode.Uri.joinPath(folder.uri, '.vscode', 'mcp.json');
    original = await vscode.workspace.fs.readFile(mcpJson);
    const redactor = new Redactor();
    ({ logger, lines } = recordingLogger(redactor));
    secrets = new MemorySecretStorage();
    globalState = new MemoryMemento();
    const storage = vscode.Uri.joinPath(folder.uri, '.test-global-storage', 'globalStorage', 'mcpkit.mcp-manager');
    features = registerConfigFeatures({
      context: { globalState, globalStorageUri: storage },
      logger,
      secrets: new SecretStore(secrets, redactor, logger.scoped('secrets')),
    });
    // No server manager here: every configured entry shows its config-derived state.
    registry = features.createServersModel({ onDidChange: () => toDisposable(() => undefined), list: () => [], get: () => undefined });
    await features.ready;
  });

  after(async () => {
    await vscode.workspace.fs.writeFile(mcpJson, original);
    features.dispose();
    registry.dispose();
    logger.dispose();
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
