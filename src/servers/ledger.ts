import { execFile } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { isGroupAlive, isProcessAlive, killTree, procStatFields, signalGroup } from './processTree';

/**
 * The orphan ledger: a JSON file listing the process groups this extension spawned, with enough identity to reap them
 * safely after a crash of the extension host (the children run `detached`, so they survive it).
 *
 * Safety rules when reaping: an entry is killed only if its owner (the extension host that spawned it) is dead — never
 * another live window's servers — and only if its pid still has the recorded start time — never a recycled pid.
 * Windows update the file concurrently, so every write is a fresh read-modify-write, written atomically (temp + rename).
 */

export interface ProcessIdentity {
  readonly pid: number;
  /** Linux: field 22 of /proc/<pid>/stat (clock ticks after boot); macOS: `ps -o lstart=`; absent elsewhere. */
  readonly startTime?: string;
}

export interface LedgerEntry extends ProcessIdentity {
  readonly serverId: string;
  readonly owner: ProcessIdentity;
  /** Epoch ms when recorded. */
  readonly at: number;
}

interface LedgerFile { readonly version: 1; readonly entries: readonly LedgerEntry[] }

/** The side effects the ledger needs; injectable for tests of the rules. */
export interface ProcessProbe {
  startTime(pid: number): Promise<string | undefined>;
  isAlive(pid: number): boolean;
  killGroup(pid: number): Promise<void>;
}

/** Grace between SIGTERM and SIGKILL when reaping an orphan (ms). */
const REAP_GRACE_MS = 500;

export async function processStartTime(pid: number): Promise<string | undefined> {
  if (process.platform === 'linux') return (await procStatFields(pid))?.[22 - 3];
  if (process.platform === 'darwin' || process.platform === 'freebsd' || process.platform === 'openbsd') {
    return new Promise((resolve) => {
      execFile('ps', ['-o', 'lstart=', '-p', String(pid)], { timeout: 5_000 }, (err, stdout) => {
        const out = stdout.trim();
        resolve(err || !out ? undefined : out);
      });
    });
  }
  return undefined;
}

export const REAL_PROCESS_PROBE: ProcessProbe = {
  startTime: processStartTime,
  isAlive: isProcessAlive,
  async killGroup(pid: number): Promise<void> {
    if (process.platform === 'win32') { await killTree(pid); return; }
    if (!signalGroup(pid, 'SIGTERM')) return;
    await new Promise((r) => setTimeout(r, REAP_GRACE_MS));
    if (isGroupAlive(pid)) signalGroup(pid, 'SIGKILL');
  },
};

export interface ReapResult {
  readonly killed: readonly LedgerEntry[];
  /** Entries dropped without killing: process gone, pid recycled, or identity unverifiable. */
  readonly dropped: readonly LedgerEntry[];
  /** Entries of live owners, left alone. */
  readonly kept: number;
}

export class ProcessLedger {
  private queue: Promise<unknown> = Promise.resolve();
  private owner: Promise<ProcessIdentity> | undefined;

  constructor(
    readonly file: string,
    private readonly options: { readonly ownerPid?: number; readonly probe?: ProcessProbe } = {},
  ) {}

  private get probe(): ProcessProbe { return this.options.probe ?? REAL_PROCESS_PROBE; }

  /** This extension host's identity. */
  ownerIdentity(): Promise<ProcessIdentity> {
    const pid = this.options.ownerPid ?? process.pid;
    this.owner ??= this.probe.startTime(pid).then((startTime) => ({ pid, ...(startTime ? { startTime } : {}) }));
    return this.owner;
  }

  /** Records a spawned process group (its leader's pid). */
  add(pid: number, serverId: string): Promise<void> {
    return this.serialize(async () => {
      const [startTime, owner] = await Promise.all([this.probe.startTime(pid), this.ownerIdentity()]);
      await this.update((entries) => [
        ...entries.filter((e) => e.pid !== pid),
        { pid, ...(startTime ? { startTime } : {}), serverId, owner, at: Date.now() },
      ]);
    });
  }

  /** Forgets a process group (it exited or was stopped). */
  remove(pid: number): Promise<void> {
    return this.serialize(() => this.update((entries) => entries.filter((e) => e.pid !== pid)));
  }

  entries(): Promise<readonly LedgerEntry[]> {
    return this.serialize(() => this.read());
  }

  /**
   * At startup: kills the orphans of dead owners whose identity still matches; drops stale entries. With no entries it
   * only reads the file (no process is probed: on macOS a probe runs `ps`).
   */
  reapOrphans(): Promise<ReapResult> {
    return this.serialize(async () => {
      const entries = await this.read();
      if (!entries.length) return { killed: [], dropped: [], kept: 0 };
      const me = await this.ownerIdentity();
      const killed: LedgerEntry[] = [];
      const dropped: LedgerEntry[] = [];
      let kept = 0;
      const ownerAlive = new Map<string, Promise<boolean>>();
      for (const entry of entries) {
        const key = `${entry.owner.pid}/${entry.owner.startTime ?? ''}`;
        if (!ownerAlive.has(key)) ownerAlive.set(key, this.isSame(entry.owner, me) ? Promise.resolve(true) : this.isRunning(entry.owner));
        if (await ownerAlive.get(key)) { kept++; continue; }
        if (entry.startTime !== undefined && await this.isRunning(entry)) {
          await this.probe.killGroup(entry.pid);
          killed.push(entry);
        } else {
          dropped.push(entry);
        }
      }
      if (killed.length || dropped.length) {
        const gone = new Set([...killed, ...dropped]);
        await this.update((current) => current.filter((e) => ![...gone].some((g) => g.pid === e.pid && g.at === e.at)));
      }
      return { killed, dropped, kept };
    });
  }

  private isSame(a: ProcessIdentity, b: ProcessIdentity): boolean {
    return a.pid === b.pid && a.startTime === b.startTime;
  }

  /** Is this exact process (pid and, when recorded, start time) still running? */
  private async isRunning(id: ProcessIdentity): Promise<boolean> {
    if (!this.probe.isAlive(id.pid)) return false;
    if (id.startTime === undefined) return true;
    return (await this.probe.startTime(id.pid)) === id.startTime;
  }

  private async read(): Promise<LedgerEntry[]> {
    let text: string;
    try {
      text = await fs.readFile(this.file, 'utf8');
    } catch {
      return [];
    }
    try {
      const parsed: unknown = JSON.parse(text);
      const entries = (parsed as Partial<LedgerFile> | null)?.entries;
      return Array.isArray(entries) ? entries.filter(isEntry) : [];
    } catch {
      return []; // corrupt (e.g. a crash mid-write before atomic writes): start over
    }
  }

  private async update(fn: (entries: LedgerEntry[]) => LedgerEntry[]): Promise<void> {
    const next: LedgerFile = { version: 1, entries: fn(await this.read()) };
    await fs.mkdir(path.dirname(this.file), { recursive: true });
    const tmp = `${this.file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
    try {
      await fs.writeFile(tmp, JSON.stringify(next, null, 1), 'utf8');
      await fs.rename(tmp, this.file);
    } catch (err) {
      await fs.rm(tmp, { force: true }).catch(() => undefined);
      throw err;
    }
  }

  private serialize<T>(op: () => Promise<T>): Promise<T> {
    const run = this.queue.then(op, op);
    this.queue = run.catch(() => undefined);
    return run;
  }
}

function isEntry(e: unknown): e is LedgerEntry {
  if (typeof e !== 'object' || e === null) return false;
  const r = e as Record<string, unknown>;
  const owner = r['owner'] as Record<string, unknown> | undefined;
  return Number.isInteger(r['pid']) && (r['pid'] as number) > 0 && typeof r['serverId'] === 'string'
    && typeof owner === 'object' && owner !== null && Number.isInteger(owner['pid'])
    && (r['startTime'] === undefined || typeof r['startTime'] === 'string') && typeof r['at'] === 'number';
}
