import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import * as path from 'node:path';
import type { JSONRPCMessage } from '@modelcontextprotocol/client';
import type { ResolvedLaunch } from '../common/config/types';
import { errorMessage } from '../common/errors';
import { buildWindowsLaunch, getEnvCaseInsensitive, resolveWindowsCommand } from '../common/windowsSpawn';
import { loadSdk, type McpSdk } from '../sdkLoader';
import { CommandNotFoundError } from './errors';
import { StderrCollector, type StderrCollectorOptions } from './logSink';
import { isGroupAlive, killTree, signalGroup } from './processTree';
import type { ManagedTransport, TransportContext, TransportExit } from './transport';

export type StdioLaunch = Extract<ResolvedLaunch, { type: 'stdio' }>;

/** After stdin is closed, how long the server gets to exit on its own (ms). */
export const DEFAULT_STDIN_GRACE_MS = 2_000;
/** After SIGTERM, how long before SIGKILL (ms). */
export const DEFAULT_TERM_GRACE_MS = 2_000;
/** Largest single JSON-RPC message accepted on stdout (bytes). */
export const DEFAULT_MAX_MESSAGE_BYTES = 64 * 1024 * 1024;
/** After the process exits, how long stdout may stay open (held by a grandchild) before the connection is closed (ms). */
const STDOUT_DRAIN_AFTER_EXIT_MS = 1_000;
/** Garbage stdout lines logged per process before only every 1000th is. */
const GARBAGE_LOG_LIMIT = 20;

export interface StdioTransportOptions {
  readonly stdinGraceMs?: number;
  readonly termGraceMs?: number;
  readonly maxMessageBytes?: number;
  readonly stderr?: Partial<StderrCollectorOptions>;
}

const isWindows = process.platform === 'win32';

/**
 * The SDK `Transport` over a child's stdin/stdout: newline-delimited JSON-RPC, each line parsed by the SDK's
 * `deserializeMessage` (and written by its `serializeMessage`).
 * The child leads its own process group (POSIX), so stopping reaches `npx`-style grandchildren. stdout carries only
 * JSON-RPC (anything else is logged and skipped); stderr goes to a bounded, batched, redacted collector.
 */
export class StdioTransport implements ManagedTransport {
  readonly localPipe = true;
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: <T extends JSONRPCMessage>(message: T) => void;

  private child: ChildProcessWithoutNullStreams | undefined;
  private started = false;
  /** Set by start(), before the process is spawned. */
  private deserializeMessage!: McpSdk['deserializeMessage'];
  private serializeMessage!: McpSdk['serializeMessage'];
  /** The bytes of the line not complete yet, as they came (a large message arrives in many chunks). */
  private pendingChunks: Buffer[] = [];
  private pendingBytes = 0;
  private discardingLine = false;
  private garbageLines = 0;
  private readonly stderr: StderrCollector;
  private readonly stdinGraceMs: number;
  private readonly termGraceMs: number;
  private readonly maxMessageBytes: number;

  private exited: { code: number | null; signal: string | null } | undefined;
  private stdoutEnded = false;
  private closeFired = false;
  private stopRequested = false;
  private stopPromise: Promise<void> | undefined;
  private readonly exitWaiters = new Set<() => void>();
  private readonly closeWaiters = new Set<() => void>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private _exit: TransportExit | undefined;
  private groupKilled = false;
  private groupGone: Promise<void> | undefined;

  constructor(private readonly launch: StdioLaunch, private readonly context: TransportContext, options: StdioTransportOptions = {}) {
    this.stdinGraceMs = options.stdinGraceMs ?? DEFAULT_STDIN_GRACE_MS;
    this.termGraceMs = options.termGraceMs ?? DEFAULT_TERM_GRACE_MS;
    this.maxMessageBytes = options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
    this.stderr = new StderrCollector(context.sink, context.redactor, options.stderr);
  }

  get pid(): number | undefined { return this.child?.pid; }
  get exit(): TransportExit | undefined { return this._exit; }

  stderrTail(): readonly string[] { return this.stderr.tail(); }

  async start(): Promise<void> {
    if (this.started) throw new Error('StdioTransport already started');
    this.started = true;
    const { deserializeMessage, serializeMessage } = await loadSdk(); // the SDK's framing, loaded at the first start
    if (this.stopRequested) throw new Error('StdioTransport stopped before it started');
    this.deserializeMessage = deserializeMessage;
    this.serializeMessage = serializeMessage;
    return this.spawnChild();
  }

  private spawnChild(): Promise<void> {
    const { command, args, env, cwd } = this.launch;
    let file = command;
    let argv: readonly string[] = args;
    let windowsVerbatimArguments = false;
    if (isWindows) {
      const resolved = resolveWindowsCommand(command, env, cwd, (f) => { try { return statSync(f).isFile(); } catch { return false; } });
      if (!resolved) return Promise.reject(this.notFound('ENOENT'));
      const w = buildWindowsLaunch(resolved, args, getEnvCaseInsensitive(env, 'ComSpec'));
      file = w.file; argv = w.args; windowsVerbatimArguments = w.windowsVerbatimArguments;
    }
    return new Promise<void>((resolve, reject) => {
      let child: ChildProcessWithoutNullStreams;
      try {
        child = spawn(file, [...argv], {
          cwd, env: { ...env }, stdio: ['pipe', 'pipe', 'pipe'], detached: !isWindows, windowsHide: true, windowsVerbatimArguments,
        });
      } catch (err) {
        reject(err instanceof Error ? err : new Error(errorMessage(err)));
        return;
      }
      this.child = child;
      let spawned = false;
      child.once('spawn', () => {
        spawned = true;
        if (child.pid !== undefined) this.context.onProcessSpawned?.(child.pid);
        resolve();
      });
      child.on('error', (err: NodeJS.ErrnoException) => {
        if (!spawned) {
          this.child = undefined; // nothing runs: a close() after the failed start (the SDK's, say) has nothing to stop
          this.stderr.dispose();
          reject(err.code === 'ENOENT' || err.code === 'EACCES' ? this.notFound(err.code) : err);
          return;
        }
        this.onerror?.(err);
      });
      child.once('exit', (code, signal) => this.onExit(code, signal));
      child.stdout.on('data', (chunk: Buffer) => this.onStdout(chunk));
      child.stdout.once('close', () => { this.stdoutEnded = true; this.maybeClose(); });
      child.stdout.on('error', () => undefined);
      child.stderr.on('data', (chunk: Buffer) => {
        const waitMs = this.stderr.push(chunk);
        if (waitMs > 0) { child.stderr.pause(); this.after(waitMs, () => child.stderr.resume()); }
      });
      child.stderr.on('error', () => undefined);
      // EPIPE after the child died must never surface as an uncaught exception in the host.
      child.stdin.on('error', (err) => this.log('debug', `stdin: ${errorMessage(err)}`));
    });
  }

  send(message: JSONRPCMessage): Promise<void> {
    const stdin = this.child?.stdin;
    if (!stdin || stdin.destroyed || !stdin.writable || this.exited) return Promise.reject(new Error('Not connected'));
    return new Promise((resolve) => {
      if (stdin.write(this.serializeMessage(message))) resolve();
      else stdin.once('drain', resolve);
    });
  }

  /** The SDK's close(): the graceful stop ladder. */
  close(): Promise<void> { return this.terminate(); }

  /**
   * Stop ladder: close stdin → `stdinGraceMs` → SIGTERM to the group → `termGraceMs` → SIGKILL the group. A second
   * call while stopping kills at once. Resolves once the connection is closed.
   */
  terminate(): Promise<void> {
    if (!this.child) this.stopRequested = true; // a start still loading must not spawn
    if (!this.child || this.closeFired) return Promise.resolve();
    if (this.stopPromise) { void this.kill(); return this.stopPromise; }
    this.stopRequested = true;
    this.stopPromise = this.runLadder();
    return this.stopPromise;
  }

  /** Kills the whole group now. */
  async kill(): Promise<void> {
    if (!this.child) this.stopRequested = true; // a start still loading must not spawn
    if (!this.child || this.closeFired) return;
    this.stopRequested = true;
    const pid = this.child.pid;
    this.groupKilled = true;
    if (pid !== undefined) await killTree(pid);
    await this.waitClosed();
    await this.groupGone;
  }

  private async runLadder(): Promise<void> {
    const child = this.child!;
    const pid = child.pid;
    this.log('debug', 'stopping: closing stdin');
    child.stdin.end();
    if (!(await this.waitExit(this.stdinGraceMs)) && pid !== undefined) {
      if (isWindows) {
        await killTree(pid);
      } else {
        this.log('debug', `stopping: no exit ${this.stdinGraceMs} ms after stdin closed; SIGTERM to process group ${pid}`);
        signalGroup(pid, 'SIGTERM');
        if (!(await this.waitExit(this.termGraceMs))) {
          this.log('warn', `stopping: no exit ${this.termGraceMs} ms after SIGTERM; SIGKILL to process group ${pid}`);
          this.groupKilled = true;
          signalGroup(pid, 'SIGKILL');
        }
      }
    }
    await this.waitClosed();
    await this.groupGone;
  }

  private onStdout(chunk: Buffer): void {
    if (this.discardingLine) {
      const nl = chunk.indexOf(10);
      if (nl === -1) return;
      this.discardingLine = false;
      chunk = chunk.subarray(nl + 1);
    }
    let nl = chunk.indexOf(10);
    if (nl === -1) { this.keepPending(chunk); return; }
    // The line the pending chunks began ends here: joined once, whatever the number of chunks.
    const first = chunk.subarray(0, nl);
    const pending = this.pendingChunks;
    const bytes = this.pendingBytes + first.length;
    this.pendingChunks = []; this.pendingBytes = 0;
    if (bytes > this.maxMessageBytes) this.tooLarge();
    else this.onLine(pending.length ? Buffer.concat([...pending, first]) : first);
    let start = nl + 1;
    while ((nl = chunk.indexOf(10, start)) !== -1) {
      this.onLine(chunk.subarray(start, nl));
      start = nl + 1;
    }
    if (start < chunk.length) this.keepPending(chunk.subarray(start));
  }

  /** Collects the start of a line without copying it; past the size limit, it is dropped up to its newline. */
  private keepPending(part: Buffer): void {
    this.pendingChunks.push(part);
    this.pendingBytes += part.length;
    if (this.pendingBytes > this.maxMessageBytes) {
      this.pendingChunks = []; this.pendingBytes = 0; this.discardingLine = true;
      this.tooLarge();
    }
  }

  private tooLarge(): void {
    this.log('error', `a message on stdout exceeds ${this.maxMessageBytes} bytes; dropping it`);
  }

  /** One line of stdout (without its `\n`; a `\r` before it is dropped too): a JSON-RPC message, or garbage. */
  private onLine(line: Buffer): void {
    if (line.length > this.maxMessageBytes) { this.tooLarge(); return; }
    const end = line.length && line[line.length - 1] === 13 ? line.length - 1 : line.length;
    let message: JSONRPCMessage;
    try {
      message = this.deserializeMessage(line.toString('utf8', 0, end));
    } catch (err) {
      this.onGarbage(err);
      return;
    }
    this.onmessage?.(message);
  }

  private onGarbage(err: unknown): void {
    this.garbageLines++;
    if (this.garbageLines <= GARBAGE_LOG_LIMIT || this.garbageLines % 1000 === 0) {
      const what = err instanceof SyntaxError ? err.message : 'valid JSON but not a JSON-RPC message';
      this.log('warn', `ignored a stdout line that is not JSON-RPC (#${this.garbageLines}; servers must log to stderr): ${what.slice(0, 300)}`);
    }
  }

  private onExit(code: number | null, signal: NodeJS.Signals | null): void {
    this.exited = { code, signal };
    this.stderr.flush(true);
    for (const w of [...this.exitWaiters]) w();
    const pid = this.child?.pid;
    // The leader is gone: make sure no grandchild outlives it (SIGTERM, then SIGKILL after the grace).
    this.groupGone = new Promise<void>((resolve) => {
      const gone = (): void => { if (pid !== undefined) this.context.onProcessGone?.(pid); resolve(); };
      if (pid === undefined || isWindows || !isGroupAlive(pid)) { gone(); return; }
      if (this.groupKilled) { signalGroup(pid, 'SIGKILL'); gone(); return; }
      signalGroup(pid, 'SIGTERM');
      this.after(this.termGraceMs, () => { if (isGroupAlive(pid)) signalGroup(pid, 'SIGKILL'); gone(); });
    });
    if (!this.stdoutEnded) {
      this.after(STDOUT_DRAIN_AFTER_EXIT_MS, () => { this.child?.stdout.destroy(); this.stdoutEnded = true; this.maybeClose(); });
    }
    this.maybeClose();
  }

  private maybeClose(): void {
    if (this.closeFired || !this.exited || !this.stdoutEnded) return;
    this.closeFired = true;
    this._exit = { code: this.exited.code, signal: this.exited.signal, requested: this.stopRequested };
    this.stderr.dispose();
    this.child?.stdin.destroy();
    this.pendingChunks = []; this.pendingBytes = 0;
    for (const w of [...this.closeWaiters]) w();
    this.onclose?.();
  }

  private waitExit(ms: number): Promise<boolean> {
    if (this.exited) return Promise.resolve(true);
    return new Promise((resolve) => {
      const done = (v: boolean): void => { this.exitWaiters.delete(onExit); clearTimeout(t); this.timers.delete(t); resolve(v); };
      const onExit = (): void => done(true);
      const t = setTimeout(() => done(false), ms);
      this.timers.add(t);
      this.exitWaiters.add(onExit);
    });
  }

  private waitClosed(): Promise<void> {
    if (this.closeFired) return Promise.resolve();
    return new Promise((resolve) => this.closeWaiters.add(resolve));
  }

  private after(ms: number, fn: () => void): void {
    const t = setTimeout(() => { this.timers.delete(t); fn(); }, ms);
    this.timers.add(t);
  }

  private notFound(code: string): CommandNotFoundError {
    const pathValue = (isWindows ? getEnvCaseInsensitive(this.launch.env, 'PATH') : this.launch.env['PATH']) ?? '';
    const dirs = pathValue.split(path.delimiter).filter(Boolean);
    const cwdMissing = !existsSync(this.launch.cwd) ? `The working directory '${this.launch.cwd}' does not exist` : undefined;
    return new CommandNotFoundError(this.launch.command, code, dirs, cwdMissing);
  }

  private log(level: 'debug' | 'warn' | 'error', message: string): void {
    this.context.sink.append(level, [this.context.redactor.redact(`[transport] ${message}`)]);
  }
}
