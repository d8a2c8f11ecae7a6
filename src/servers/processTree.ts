import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { buildTaskkillArgs } from '../common/windowsSpawn';

const isWindows = process.platform === 'win32';

/** Whether a process with this pid exists (a zombie counts; EPERM means it exists but is not ours). */
export function isProcessAlive(pid: number): boolean {
  try { process.kill(pid, 0); return true; } catch (err) { return (err as NodeJS.ErrnoException).code === 'EPERM'; }
}

/**
 * Linux: the fields of /proc/<pid>/stat from field 3 (state) on, so field n is at index n - 3; undefined when there
 * is no such process.
 */
export async function procStatFields(pid: number | string): Promise<string[] | undefined> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    // Field 2 (comm) may contain spaces and parentheses: split after the last ')'.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

/** Whether the process group led by `pgid` still has members (POSIX). */
export function isGroupAlive(pgid: number): boolean {
  if (isWindows) return isProcessAlive(pgid);
  try { process.kill(-pgid, 0); return true; } catch (err) { return (err as NodeJS.ErrnoException).code === 'EPERM'; }
}

/**
 * Signals the whole process group led by `pgid` (the child was spawned `detached`, so it leads its own group and
 * `npx`-style grandchildren are in it). Returns false when the group is gone.
 */
export function signalGroup(pgid: number, signal: NodeJS.Signals): boolean {
  try { process.kill(-pgid, signal); return true; } catch { return false; }
}

/** Kills the whole tree at once: SIGKILL to the group on POSIX, `taskkill /T /F` on Windows. */
export function killTree(pid: number): Promise<void> {
  if (!isWindows) { signalGroup(pid, 'SIGKILL'); return Promise.resolve(); }
  const { file, args } = buildTaskkillArgs(pid, process.env['SystemRoot']);
  return new Promise((resolve) => { execFile(file, [...args], { windowsHide: true }, () => resolve()); });
}
