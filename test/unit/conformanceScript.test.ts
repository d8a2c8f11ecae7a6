import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from './servers/helpers';

describe('npm run conformance:client', function () {
  this.timeout(60_000);
  it('works on a checkout that has only run npm ci (no test build in out/)', () => {
    const root = repoRoot();
    const dir = mkdtempSync(join(tmpdir(), 'mcpm-conf-'));
    try {
      for (const entry of ['src', 'node_modules', 'tsconfig.json']) symlinkSync(join(root, entry), join(dir, entry));
      copyFileSync(join(root, 'package.json'), join(dir, 'package.json'));
      const r = spawnSync('npm', ['run', '-s', 'conformance:client'], { cwd: dir, encoding: 'utf8' });
      const output = r.stdout + r.stderr;
      assert.doesNotMatch(output, /Cannot find module|MODULE_NOT_FOUND/);
      assert.match(output, /usage/i, output);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
