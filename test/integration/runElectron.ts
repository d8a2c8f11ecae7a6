/**
 * Integration tier launcher for machines that can download VS Code: the same in-host `run()` through
 * @vscode/test-electron, against the minimum engine and stable. (Not used offline; see runCodeServer.ts.)
 */
import { join } from 'node:path';
import { runTests } from '@vscode/test-electron';
import { REPO_ROOT } from '../harness/codeServer';

async function main(): Promise<void> {
  const extensionTestsPath = join(REPO_ROOT, 'out', 'test', 'integration', 'index.js');
  const workspace = join(REPO_ROOT, 'test', 'fixtures', 'workspaces', 'basic');
  for (const version of [process.env['MCP_VSCODE_MIN'] ?? '1.105.0', 'stable']) {
    await runTests({ version, extensionDevelopmentPath: REPO_ROOT, extensionTestsPath, launchArgs: [workspace, '--disable-extensions'] });
  }
}

main().catch((err: unknown) => { process.stderr.write(`${String(err)}\n`); process.exit(1); });
