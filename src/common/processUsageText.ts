/**
 * What a stdio server's process tree costs the machine (issue 15), and its text for the tooltip and the status bar
 * quick pick. Pure: src/servers/processUsage.ts measures it.
 */
import { formatSize } from './catalogDocuments';

/** One sample of a server's whole process tree. */
export interface ProcessUsage {
  /** CPU summed over the tree since the previous sample; 100 is one core. */
  readonly cpuPercent: number;
  /** Resident memory summed over the tree, in bytes. */
  readonly rssBytes: number;
  /** Processes in the tree (the server and its descendants). */
  readonly processes: number;
  /** When it was sampled (epoch ms). */
  readonly at: number;
}

/** "CPU 3.1 % · 45.2 MB", with " (3 processes)" when the server runs more than itself. */
export function formatProcessUsage(u: ProcessUsage): string {
  const tree = u.processes > 1 ? ` (${u.processes} processes)` : '';
  return `CPU ${u.cpuPercent.toFixed(1)} % · ${formatSize(u.rssBytes)}${tree}`;
}
