/**
 * Integration tier launcher (offline): runs test/integration/index.ts `run()` inside a real VS Code extension host
 * (code-server with the smoke-test driver), loading this repository as the extension under development.
 * Exit code = the in-host mocha result. The same `run()` serves @vscode/test-electron (runElectron.ts).
 */
import { join } from 'node:path';
import { format } from 'node:util';
import { CodeServer, REPO_ROOT, launchBrowser } from '../harness/codeServer';

const TIMEOUT_MS = 10 * 60_000;
/** Workbench chatter forwarded with the extension host's console; known harmless offline (REAL-VSCODE.md). */
const NOISE = [/open-vsx\.org/, /^\s*at /, /^\[(AgentHost|AccountPolicyGate|Service Worker)/, /^Creat(ing|ion of)/, /vsda/, /authentication provider 'github'/, /^Resolv(ing|ed) connection token/];

async function main(): Promise<number> {
  const workspace = process.env['MCP_INTEGRATION_WORKSPACE'] ?? join(REPO_ROOT, 'test', 'fixtures', 'workspaces', 'basic');
  const server = await CodeServer.start({ workspace, smokeTestDriver: true, label: 'integration' });
  const { context, page } = await launchBrowser(join(server.runDir, 'browser'));
  try {
    let resolveExit!: (code: number) => void;
    const exit = new Promise<number>((r) => { resolveExit = r; });
    await page.exposeFunction('codeAutomationLog', (_type: string, args: unknown[]) => {
      const line = format(...args);
      if (!NOISE.some((re) => re.test(line))) process.stdout.write(`${line}\n`);
    });
    await page.exposeFunction('codeAutomationExit', (code: number) => resolveExit(code));
    const authority = `127.0.0.1:${server.port}`;
    const payload = JSON.stringify([
      ['extensionDevelopmentPath', `vscode-remote://${authority}${REPO_ROOT}`],
      ['extensionTestsPath', `vscode-remote://${authority}${join(REPO_ROOT, 'out', 'test', 'integration', 'index.js')}`],
    ]);
    await page.goto(server.workbenchUrl(`&payload=${encodeURIComponent(payload)}`));
    const timeout = new Promise<number>((r) => setTimeout(() => { process.stderr.write('integration tests timed out\n'); r(1); }, TIMEOUT_MS).unref());
    return await Promise.race([exit, timeout]);
  } finally {
    await context.close().catch(() => undefined);
    await server.stop();
  }
}

main().then((code) => process.exit(code), (err: unknown) => { process.stderr.write(`${String(err instanceof Error ? err.stack : err)}\n`); process.exit(1); });
