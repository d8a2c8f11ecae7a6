import Module from 'node:module';

/**
 * A stand-in for the `vscode` module, so unit tests on Node can run the thin adapters that use a few VS Code APIs
 * (notifications, commands, the URI handler, output channels). Import it before the module under test. What the
 * adapters call is recorded in `calls`; `registered` holds the handlers they register.
 */
export const calls: { readonly api: string; readonly args: readonly unknown[] }[] = [];
export const registered: { commands: Map<string, (...args: unknown[]) => unknown>; uriHandler?: { handleUri(uri: unknown): void } } = { commands: new Map() };

const record = (api: string) => (...args: unknown[]) => { calls.push({ api, args }); return Promise.resolve(undefined); };
const disposable = { dispose: () => undefined };
const channel = Object.fromEntries(['trace', 'debug', 'info', 'warn', 'error'].map((level) => [level, record(`channel.${level}`)]));

const vscode = {
  CancellationError: class CancellationError extends Error {},
  LogLevel: { Off: 0, Trace: 1, Debug: 2, Info: 3, Warning: 4, Error: 5 },
  env: { appName: 'Stub Code', uriScheme: 'vscode' },
  window: {
    showErrorMessage: record('showErrorMessage'),
    showWarningMessage: record('showWarningMessage'),
    createOutputChannel: () => ({ ...channel, logLevel: 1, show: () => undefined, dispose: () => undefined }),
    registerUriHandler: (handler: { handleUri(uri: unknown): void }) => { registered.uriHandler = handler; return disposable; },
  },
  commands: {
    registerCommand: (id: string, handler: (...args: unknown[]) => unknown) => { registered.commands.set(id, handler); return disposable; },
  },
};

const STUB_PATH = '/vscode-stub/index.js';
const loader = Module as unknown as { _resolveFilename: (this: unknown, request: string, ...rest: unknown[]) => string };
const resolve = loader._resolveFilename;
loader._resolveFilename = function (request, ...rest) {
  return request === 'vscode' ? STUB_PATH : resolve.call(this, request, ...rest);
};
require.cache[STUB_PATH] = { id: STUB_PATH, filename: STUB_PATH, loaded: true, exports: vscode } as unknown as NodeJS.Module;
