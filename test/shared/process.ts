import { readFileSync } from 'node:fs';

/**
 * Whether a process is alive, for every tier's leak and kill checks. A zombie counts as dead (it has exited; PID 1 in
 * a container may never reap it); a process we may not signal (EPERM) exists, so it counts as alive.
 */
export function isAlive(pid: number): boolean {
  try { process.kill(pid, 0); } catch (err) { if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false; }
  if (process.platform === 'linux') {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
      return state !== 'Z' && state !== 'X';
    } catch { return false; }
  }
  return true;
}
