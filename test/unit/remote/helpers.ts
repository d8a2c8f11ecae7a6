import { spawn, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import type { ServerLogSink } from '../../../src/servers/logSink';

// Repo root (out-x/test/unit/remote is 4 levels below it).
export const REPO_ROOT = path.resolve(__dirname, '../../../..');
export const FIXTURES = path.join(REPO_ROOT, 'test/unit/remote/fixtures');

/** A fixture server child on 127.0.0.1; `stdout` collects its lines. Stop with stop(). */
export interface FixtureServer {
  readonly port: number;
  readonly child: ChildProcess;
  readonly lines: string[];
  stop(): Promise<void>;
}

export async function startFixture(script: string, args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<FixtureServer> {
  const child = spawn(process.execPath, [path.join(FIXTURES, script), ...args], {
    cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env },
  });
  const lines: string[] = [];
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => { stderr = (stderr + d.toString()).slice(-4000); });
  const port = await new Promise<number>((resolve, reject) => {
    let buf = '';
    const timer = setTimeout(() => reject(new Error(`fixture ${script} did not start: ${stderr}`)), 15_000);
    child.stdout.on('data', (d: Buffer) => {
      buf += d.toString();
      let nl: number;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl); buf = buf.slice(nl + 1);
        lines.push(line);
        const m = /^LISTENING (\d+)/.exec(line);
        if (m) { clearTimeout(timer); resolve(Number(m[1])); }
      }
    });
    child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`fixture ${script} exited (${code}): ${stderr}`)); });
  });
  return {
    port, child, lines,
    stop: () => new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) { resolve(); return; }
      child.once('exit', () => resolve());
      child.kill('SIGKILL');
    }),
  };
}

export class MemorySink implements ServerLogSink {
  readonly lines: string[] = [];
  append(_level: string, lines: readonly string[]): void { this.lines.push(...lines); }
}
