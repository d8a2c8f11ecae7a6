// `npm start`: builds the VSIX and opens the extension in a real VS Code on the demo workspace (test/demo-workspace):
// the desktop `code` CLI when present, otherwise the offline code-server on 127.0.0.1 (URL printed; Ctrl+C stops it).
// Works on a fresh clone: installs the npm packages first when node_modules is missing or stale, and the offline
// VS Code (test/setup/install-vscode.sh, cached) when it is needed.
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..', '..');
const run = (cmd, args) => execFileSync(cmd, args, { cwd: root, stdio: 'inherit' });
const { name, version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const vsix = join(root, `${name}-${version}.vsix`);
const demo = join(root, 'test', 'demo-workspace');

run('bash', [join(root, 'test', 'setup', 'ensure-deps.sh')]);
run('npm', ['run', '-s', 'package']);

if (!process.env.MCP_FORCE_CODE_SERVER && spawnSync('code', ['--version'], { stdio: 'ignore' }).status === 0) {
  run('code', ['--install-extension', vsix, '--force']);
  run('code', [demo]);
  console.log(`Opened ${demo} in VS Code with ${name} ${version} installed.`);
} else {
  run('node', ['esbuild.mjs', '--tests']);
  const { CodeServer } = createRequire(import.meta.url)(join(root, 'out', 'test', 'harness', 'codeServer.js'));
  const server = await CodeServer.start({
    vsix, workspace: demo, inPlace: true, label: 'demo', port: process.env.PORT ? Number(process.env.PORT) : undefined,
    settings: { 'workbench.startupEditor': 'none' },
  });
  console.log(`\nMCP Manager ${version} is running in VS Code (code-server 4.139.1) for ${demo}`);
  console.log(`Open ${server.workbenchUrl()} in a browser on this machine. Press Ctrl+C to stop. (code-server pid ${server.pid})\n`);
  const stop = async () => { await server.stop(); process.exit(0); };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  setInterval(() => {}, 1 << 30);
}
