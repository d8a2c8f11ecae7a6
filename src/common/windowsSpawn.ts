/**
 * Pure argument builders for launching and killing processes on Windows. They run nowhere else, so they are plain
 * functions over strings (unit-tested on any OS); the transport calls them when `process.platform === 'win32'`.
 *
 * Since Node's fix for CVE-2024-27980, `spawn()` refuses `.cmd`/`.bat` files without `shell: true`. `shell: true`
 * would hand the arguments to cmd.exe unescaped, so instead we run `cmd.exe /d /s /c "<line>"` ourselves with
 * `windowsVerbatimArguments` and escape every part of the line (the scheme of cross-spawn, after qntm.org/cmd).
 */
import * as path from 'node:path';

/** cmd.exe metacharacters, escaped with `^`. */
const CMD_META_CHARS = /([()\][%!^"`<>&|;, *?])/g;
const DEFAULT_PATHEXT = '.COM;.EXE;.BAT;.CMD';

export interface WindowsLaunch {
  readonly file: string;
  readonly args: readonly string[];
  /** Must be passed to spawn: the line is already quoted for cmd.exe. */
  readonly windowsVerbatimArguments: boolean;
}

export function isBatchFile(file: string): boolean {
  return /\.(cmd|bat)$/i.test(file);
}

/** Escapes the command (the batch file's path) for a cmd.exe line. */
export function escapeCmdCommand(command: string): string {
  return command.replace(CMD_META_CHARS, '^$1');
}

/**
 * Escapes one argument for a cmd.exe line: first for the C runtime's argv parser (quotes and the backslashes before
 * them), then for cmd.exe itself. `doubleEscape` escapes the cmd metacharacters a second time, which is needed when the
 * batch file forwards its arguments with `%*` (npm/npx shims do), because cmd parses the forwarded line again.
 */
export function escapeCmdArgument(arg: string, doubleEscape: boolean): string {
  let out = arg.replace(/(\\*)"/g, '$1$1\\"');
  out = out.replace(/(\\*)$/, '$1$1');
  out = `"${out}"`;
  out = out.replace(CMD_META_CHARS, '^$1');
  if (doubleEscape) out = out.replace(CMD_META_CHARS, '^$1');
  return out;
}

/**
 * The launch of a batch file through cmd.exe. `comspec` is `%ComSpec%` (default cmd.exe). `/d` skips AutoRun,
 * `/s` keeps the outer quotes rule simple, `/c` runs the line and exits.
 */
export function buildCmdShimLaunch(
  batchFile: string, args: readonly string[], comspec: string | undefined, doubleEscape = true,
): WindowsLaunch {
  const line = [escapeCmdCommand(path.win32.normalize(batchFile)), ...args.map((a) => escapeCmdArgument(a, doubleEscape))].join(' ');
  return { file: comspec || 'cmd.exe', args: ['/d', '/s', '/c', `"${line}"`], windowsVerbatimArguments: true };
}

/** Reads a variable from a Windows environment, whose names are case-insensitive. */
export function getEnvCaseInsensitive(env: Readonly<Record<string, string>>, name: string): string | undefined {
  const lower = name.toLowerCase();
  for (const key of Object.keys(env)) if (key.toLowerCase() === lower) return env[key];
  return undefined;
}

/**
 * Finds what Windows would run for `command`, honouring PATHEXT (so `npx` finds `npx.cmd`); a name with a directory
 * part resolves against `cwd`, a bare name only on PATH. `exists` is the probe
 * (injected: the caller passes an fs check). Returns undefined when nothing matches; the caller reports ENOENT.
 */
export function resolveWindowsCommand(
  command: string, env: Readonly<Record<string, string>>, cwd: string, exists: (file: string) => boolean,
): string | undefined {
  const pathExt = (getEnvCaseInsensitive(env, 'PATHEXT') || DEFAULT_PATHEXT).split(';').filter(Boolean);
  const hasExt = pathExt.some((ext) => command.toLowerCase().endsWith(ext.toLowerCase()));
  const candidates = (base: string): string[] => (hasExt ? [base] : [base, ...pathExt.map((ext) => base + ext.toLowerCase())]);
  const hasDir = /[\\/]/.test(command) || path.win32.isAbsolute(command);
  // A bare name is looked up on PATH only, never in the working directory (NoDefaultCurrentDirectoryInExePath): a
  // workspace's own npx.cmd must not stand in for node's (review C1).
  const dirs = hasDir ? [''] : (getEnvCaseInsensitive(env, 'PATH') ?? '').split(';').filter(Boolean);
  for (const dir of dirs) {
    const base = dir ? path.win32.join(dir.replace(/^"(.*)"$/, '$1'), command) : path.win32.resolve(cwd, command);
    for (const candidate of candidates(base)) if (exists(candidate)) return candidate;
  }
  return undefined;
}

/** The spawn of `command args` on Windows: batch files go through cmd.exe, anything else directly. */
export function buildWindowsLaunch(resolvedCommand: string, args: readonly string[], comspec: string | undefined): WindowsLaunch {
  if (isBatchFile(resolvedCommand)) return buildCmdShimLaunch(resolvedCommand, args, comspec);
  return { file: resolvedCommand, args, windowsVerbatimArguments: false };
}

/** `taskkill /T /F /PID <pid>`: kills the process and its whole tree (Windows has no process groups to signal). */
export function buildTaskkillArgs(pid: number, systemRoot?: string): { readonly file: string; readonly args: readonly string[] } {
  if (!Number.isInteger(pid) || pid <= 0) throw new RangeError(`invalid pid: ${pid}`);
  const file = systemRoot ? path.win32.join(systemRoot, 'System32', 'taskkill.exe') : 'taskkill.exe';
  return { file, args: ['/T', '/F', '/PID', String(pid)] };
}
