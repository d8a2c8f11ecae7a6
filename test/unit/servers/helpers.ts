import { existsSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import type { LaunchResolver, ResolvedLaunch, ServerDefinition, ServerOptions } from '../../../src/common/config/types';
import { makeServerId } from '../../../src/common/serverId';
import type { ServerState } from '../../../src/common/serverState';
import type { LogLevel, ServerLogSink } from '../../../src/servers/logSink';
import type { ServerManager } from '../../../src/servers/serverManager';

/** The repository root: the nearest package.json named mcp-manager (the test output dir has its own package.json). */
export function repoRoot(): string {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    const pkg = path.join(dir, 'package.json');
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'mcp-manager') return dir;
    if (path.dirname(dir) === dir) throw new Error('repository root not found');
  }
}

export const fixture = (name: string): string => path.join(repoRoot(), 'test', 'fixtures', 'servers', name);
export const everythingServer = (): string => path.join(repoRoot(), 'node_modules', '@modelcontextprotocol', 'server-everything', 'dist', 'index.js');

export function readPids(file: string): number[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8').split('\n').filter(Boolean).map(Number);
}

export function stdioDefinition(name: string, options: ServerOptions = {}, file = 'mcpServer.mjs', env: Record<string, string> = {}): ServerDefinition {
  return {
    id: makeServerId({ kind: 'userSettings' }, name),
    name,
    source: { kind: 'userSettings' },
    config: { type: 'stdio', command: process.execPath, args: [fixture(file)], env },
    options: { ping: false, ...options },
  };
}

/** Resolves a stdio definition the way the real resolver would: inherited env + the definition's env. */
export const testResolver: LaunchResolver = (def): Promise<ResolvedLaunch> => {
  if (def.config.type !== 'stdio') return Promise.reject(new Error('stdio only'));
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined) env[k] = v;
  for (const [k, v] of Object.entries(def.config.env)) if (v === null) delete env[k]; else env[k] = v;
  return Promise.resolve({ type: 'stdio', command: def.config.command, args: def.config.args, env, cwd: def.config.cwd ?? repoRoot() });
};

export class MemorySink implements ServerLogSink {
  readonly lines: { level: LogLevel; line: string }[] = [];
  appendCalls = 0;
  append(level: LogLevel, lines: readonly string[]): void {
    this.appendCalls++;
    for (const line of lines) this.lines.push({ level, line });
  }
  has(re: RegExp, level?: LogLevel): boolean {
    return this.lines.some((l) => re.test(l.line) && (!level || l.level === level));
  }
  text(): string { return this.lines.map((l) => `${l.level} ${l.line}`).join('\n'); }
}

/** Resolves with the first state of `kind` the server enters (or is already in). */
export function nextState(manager: ServerManager, id: ServerDefinition['id'], kind: ServerState['kind'], timeoutMs = 20_000): Promise<ServerState> {
  const now = manager.getState(id);
  if (now.kind === kind) return Promise.resolve(now);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => { sub.dispose(); reject(new Error(`timed out waiting for ${kind}; state is ${manager.getState(id).kind}`)); }, timeoutMs);
    const sub = manager.onDidChangeState((e) => {
      if (e.id === id && e.state.kind === kind) { clearTimeout(timer); sub.dispose(); resolve(e.state); }
    });
  });
}

/** The clientInfo tests pass to a ServerManager (the extension passes its manifest's name and version). */
export const TEST_CLIENT_INFO = { name: 'mcp-manager-test', version: '0.0.0-test' } as const;
