/**
 * What a stdio server costs the machine (issue 15): CPU and resident memory of its whole process tree, sampled while
 * something shows it. The tree is the server and every descendant by parent pid (an `npx`-style launcher's children,
 * and a grandchild that left the server's process group with setsid). On Linux the tree is read from /proc and
 * pidusage reads /proc too; elsewhere pidtree lists the tree and pidusage measures it, each running `ps` (macOS) or
 * wmic / PowerShell (Windows) once per sample.
 */
import { readdir } from 'node:fs/promises';
import type { Status } from 'pidusage';
import { Disposable, Emitter, toDisposable, type IDisposable } from '../common/lifecycle';
import type { ProcessUsage } from '../common/processUsageText';
import { isProcessAlive, procStatFields } from './processTree';

/**
 * One sample of the tree led by `rootPid`; undefined when the root is gone. A process that exits between listing the
 * tree and measuring it is left out. CPU is the share since pidusage last measured that pid: it keeps each pid's
 * previous reading (on Linux with its /proc stat file open) until 60 s after its last sample, dropped by an unref'd
 * timer that never keeps the process alive. Its `clear()` is not called: it would forget those files without closing
 * them. On Linux and Windows a process's first sample counts 0 %; on macOS it is the average since the process started.
 */
export async function sampleProcessTree(rootPid: number): Promise<ProcessUsage | undefined> {
  try {
    let pids: number[];
    if (process.platform === 'linux') pids = await linuxTree(rootPid);
    else { const { pidtree } = await import('pidtree'); pids = await pidtree(rootPid, { root: true }); }
    if (pids.length === 0) return undefined;
    const { default: pidusage } = await import('pidusage');
    const stats = await pidusage(pids);
    if (!stats[rootPid]) return undefined;
    let cpuPercent = 0;
    let rssBytes = 0;
    let processes = 0;
    for (const pid of pids) {
      const stat: Status | undefined = stats[pid];
      if (!stat) continue;
      cpuPercent += stat.cpu;
      rssBytes += stat.memory;
      processes++;
    }
    return { cpuPercent, rssBytes, processes, at: Date.now() };
  } catch (err) {
    // pidtree and pidusage fail when the only pid asked about is gone.
    if (!isProcessAlive(rootPid)) return undefined;
    throw err;
  }
}

/** `rootPid` and its descendants by parent pid, from /proc/<pid>/stat; empty when the root is gone (or a zombie). */
async function linuxTree(rootPid: number): Promise<number[]> {
  const children = new Map<number, number[]>();
  let rootAlive = false;
  const entries = (await readdir('/proc')).filter((name) => /^\d+$/.test(name));
  await Promise.all(entries.map(async (name) => {
    const [state, ppid] = await procStatFields(name) ?? []; // none: exited since the listing
    if (!state || state === 'Z' || state === 'X') return; // exited (a zombie is not yet reaped)
    const pid = Number(name);
    if (pid === rootPid) rootAlive = true;
    const siblings = children.get(Number(ppid));
    if (siblings) siblings.push(pid); else children.set(Number(ppid), [pid]);
  }));
  if (!rootAlive) return [];
  // A Set, so that a cycle (pids reused while /proc was read) cannot loop.
  const tree = new Set([rootPid]);
  for (const pid of tree) for (const child of children.get(pid) ?? []) tree.add(child);
  return [...tree];
}

export interface ProcessSamplerOptions {
  /** The running stdio servers' root pids, by server id; read at every round. */
  readonly pids: () => ReadonlyMap<string, number>;
  /** Time between the end of one round and the start of the next; default 3 s. */
  readonly intervalMs?: number;
  /** Samples one tree (tests inject their own). */
  readonly sample?: typeof sampleProcessTree;
}

/**
 * Samples every running stdio server's process tree while at least one `hold()` is alive (a tooltip or the quick pick
 * shows the numbers): at once, then every `intervalMs`. Rounds never overlap. A server whose sample fails, whose root
 * is gone, or that left `pids()` has no value; one restarted during a round keeps none from its old process.
 */
export class ProcessSampler extends Disposable {
  private readonly samples = new Map<string, { readonly pid: number; readonly usage: ProcessUsage }>();
  private readonly _onDidSample = this._register(new Emitter<readonly string[]>());
  /** The ids whose sample changed (a new one, or none any more). */
  readonly onDidSample = this._onDidSample.event;
  private holds = 0;
  private sampling = false;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly options: ProcessSamplerOptions) {
    super();
    this._register(toDisposable(() => { clearTimeout(this.timer); this.timer = undefined; }));
  }

  /** Keeps sampling running until the returned disposable (and every other hold) is disposed. */
  hold(): IDisposable {
    if (this.isDisposed) return toDisposable(() => undefined);
    if (this.holds++ === 0) void this.round();
    return toDisposable(() => {
      if (--this.holds > 0) return;
      clearTimeout(this.timer);
      this.timer = undefined;
    });
  }

  /** The latest sample of this server's tree. */
  get(id: string): ProcessUsage | undefined {
    return this.samples.get(id)?.usage;
  }

  private async round(): Promise<void> {
    // A hold taken again while a round runs: that round schedules the next one.
    if (this.sampling) return;
    this.sampling = true;
    this.timer = undefined;
    try {
      await this.sampleAll();
    } finally {
      this.sampling = false;
    }
    if (this.holds > 0 && !this.isDisposed) this.timer = setTimeout(() => { void this.round(); }, this.options.intervalMs ?? 3_000);
  }

  private async sampleAll(): Promise<void> {
    const sample = this.options.sample ?? sampleProcessTree;
    const asked = [...this.options.pids()];
    const results = await Promise.all(asked.map(async ([, pid]) => {
      try { return await sample(pid); } catch { return undefined; }
    }));
    if (this.isDisposed) return;
    const current = this.options.pids();
    const changed = new Set<string>();
    for (const [id, { pid }] of this.samples) {
      if (current.get(id) !== pid) { this.samples.delete(id); changed.add(id); }
    }
    asked.forEach(([id, pid], i) => {
      if (current.get(id) !== pid) return;
      const usage = results[i];
      if (usage) this.samples.set(id, { pid, usage });
      else if (!this.samples.delete(id)) return;
      changed.add(id);
    });
    if (changed.size) this._onDidSample.fire([...changed]);
  }
}
