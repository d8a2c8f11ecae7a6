import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import type { ProcessUsage } from '../../../src/common/processUsageText';
import { ProcessSampler, sampleProcessTree } from '../../../src/servers/processUsage';
import { isAlive } from '../../shared/process';
import { until } from '../../shared/wait';
import { fixture, readPids } from './helpers';

/** A server stand-in that starts one child in a session of its own (setsid): only the ppid chain links the two. */
const PARENT = `
require('node:child_process').spawn(process.execPath, JSON.parse(process.env.CHILD_ARGS), { detached: true, stdio: 'ignore' });
setInterval(() => undefined, 60_000);
`;
const BUSY_CHILD = ['-e', `require('node:fs').appendFileSync(process.env.FIXTURE_PID_FILE, process.pid + '\\n'); for (;;);`];
const IDLE_CHILD = [fixture('sleeper.mjs')];

describe('Process cost of a real process tree', function () {
  this.timeout(30_000);
  let dir: string;
  const roots: number[] = [];

  beforeEach(() => { dir = mkdtempSync(path.join(tmpdir(), 'mcp-usage-')); });
  afterEach(() => {
    for (const pid of [...roots.splice(0), ...readPids(path.join(dir, 'pids'))]) {
      if (isAlive(pid)) { try { process.kill(-pid, 'SIGKILL'); } catch { /* gone */ } }
    }
    rmSync(dir, { recursive: true, force: true });
  });

  /** Spawns a tree like the product spawns a server (detached), once its child is up. */
  async function tree(childArgs: string[]): Promise<number> {
    const pidFile = path.join(dir, 'pids');
    const child = spawn(process.execPath, ['-e', PARENT], {
      detached: true, stdio: 'ignore', env: { ...process.env, CHILD_ARGS: JSON.stringify(childArgs), FIXTURE_PID_FILE: pidFile },
    });
    roots.push(child.pid!);
    await until('the child to start', () => readPids(pidFile).length > 0);
    return child.pid!;
  }

  it('sums the whole tree: two processes (one in a session of its own), its memory, and a busy child\'s CPU', async () => {
    const root = await tree(BUSY_CHILD);
    const first = await sampleProcessTree(root);
    assert.ok(first, 'a sample of a running tree');
    assert.ok(first.processes >= 2, `${first.processes} processes`);
    assert.ok(first.rssBytes > 1024 * 1024, `${first.rssBytes} bytes`);
    assert.ok(Math.abs(first.at - Date.now()) < 5_000);
    await delay(500);
    const second = await sampleProcessTree(root);
    assert.ok(second && second.cpuPercent > 20, `busy tree: ${second?.cpuPercent} %`);
  });

  it('an idle tree stays under 20 % CPU', async () => {
    const root = await tree(IDLE_CHILD);
    await delay(300); // the child's start-up is over
    assert.equal((await sampleProcessTree(root))?.processes, 2);
    await delay(500);
    const second = await sampleProcessTree(root);
    assert.ok(second && second.cpuPercent < 20, `idle tree: ${second?.cpuPercent} %`);
  });

  it('a dead or unknown pid has no sample', async () => {
    const child = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' });
    await new Promise((resolve) => child.once('exit', resolve));
    assert.equal(await sampleProcessTree(child.pid!), undefined);
    assert.equal(await sampleProcessTree(2 ** 22 + 12345), undefined);
  });

  it('ProcessSampler samples a real tree while held', async () => {
    const root = await tree(IDLE_CHILD);
    const sampler = new ProcessSampler({ pids: () => new Map([['srv', root]]), intervalMs: 50 });
    const changed: string[][] = [];
    sampler.onDidSample((ids) => changed.push([...ids]));
    const hold = sampler.hold();
    const usage = await until('a sample', () => sampler.get('srv'));
    assert.ok(usage.processes >= 2 && usage.rssBytes > 1024 * 1024);
    assert.deepEqual(changed[0], ['srv']);
    hold.dispose();
    sampler.dispose();
  });
});

describe('ProcessSampler', () => {
  const usage = (cpuPercent = 1): ProcessUsage => ({ cpuPercent, rssBytes: 2 * 1024 * 1024, processes: 1, at: Date.now() });
  let sampler: ProcessSampler | undefined;
  afterEach(() => { sampler?.dispose(); sampler = undefined; });

  it('samples only while held: at once, then every intervalMs, until the last hold is released', async () => {
    let calls = 0;
    const count = (): number => calls; // not narrowed by the asserts
    sampler = new ProcessSampler({ pids: () => new Map([['a', 1]]), intervalMs: 50, sample: () => { calls++; return Promise.resolve(usage()); } });
    await delay(120);
    assert.equal(count(), 0, 'nothing holds it');
    assert.equal(sampler.get('a'), undefined);
    const one = sampler.hold();
    const two = sampler.hold();
    assert.equal(count(), 1, 'the first round starts at once');
    await until('three rounds', () => calls >= 3);
    assert.ok(sampler.get('a'));
    one.dispose();
    one.dispose();
    const afterOne = calls;
    await until('more rounds while the other hold lives', () => calls > afterOne);
    two.dispose();
    const stopped = calls;
    await delay(200);
    assert.equal(count(), stopped, 'no round after the last hold');
    sampler.hold();
    assert.equal(count(), stopped + 1, 'held again: a round at once');
  });

  it('drops servers that left pids() or were restarted, and keeps none for a failing sample', async () => {
    const pids = new Map([['a', 1], ['b', 2], ['c', 3]]);
    let failC = false;
    sampler = new ProcessSampler({
      pids: () => pids, intervalMs: 20,
      sample: (pid) => (pid === 3 && failC ? Promise.reject(new Error('boom')) : Promise.resolve(usage(pid))),
    });
    const fired: string[][] = [];
    sampler.onDidSample((ids) => fired.push([...ids].sort()));
    sampler.hold();
    await until('every server sampled', () => fired.length > 0);
    assert.deepEqual(fired[0], ['a', 'b', 'c']);
    assert.equal(sampler.get('b')?.cpuPercent, 2);
    pids.delete('b');
    pids.set('a', 10); // restarted
    failC = true;
    await until('b and c dropped', () => sampler!.get('b') === undefined && sampler!.get('c') === undefined);
    assert.equal(sampler.get('a')?.cpuPercent, 10, 'the new process of a');
    assert.ok(['b', 'c'].every((id) => fired.slice(1).flat().includes(id)), 'their drop was reported');
  });

  it('never overlaps two rounds, even when held again while one runs', async () => {
    let active = 0;
    let most = 0;
    let calls = 0;
    sampler = new ProcessSampler({
      pids: () => new Map([['a', 1]]), intervalMs: 5,
      sample: async () => { calls++; most = Math.max(most, ++active); await delay(60); active--; return usage(); },
    });
    sampler.hold().dispose();
    const hold = sampler.hold();
    await until('three rounds', () => calls >= 3);
    assert.equal(most, 1);
    hold.dispose();
  });

  it('stops when disposed, mid-round too', async () => {
    let calls = 0;
    const fired: unknown[] = [];
    sampler = new ProcessSampler({ pids: () => new Map([['a', 1]]), intervalMs: 10, sample: async () => { calls++; await delay(30); return usage(); } });
    sampler.onDidSample((ids) => fired.push(ids));
    sampler.hold();
    sampler.dispose();
    await delay(100);
    assert.equal(calls, 1);
    assert.deepEqual(fired, [], 'the round in flight reports nothing');
    assert.equal(sampler.get('a'), undefined);
    sampler.hold();
    await delay(30);
    assert.equal(calls, 1, 'a hold after dispose samples nothing');
  });
});
