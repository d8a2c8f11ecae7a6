import * as assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { ProcessLedger, processStartTime, type LedgerEntry } from '../../../src/servers/ledger';
import { isAlive } from '../../shared/process';
import { until } from '../../shared/wait';
import { fixture } from './helpers';

/** A detached sleeper (its own process group), like a server spawned by some window. */
async function sleeper(): Promise<ChildProcess & { pid: number }> {
  const child = spawn(process.execPath, [fixture('sleeper.mjs')], { detached: true, stdio: ['ignore', 'pipe', 'ignore'] });
  await new Promise<void>((resolve, reject) => { child.stdout.once('data', () => resolve()); child.once('error', reject); });
  return child as ChildProcess & { pid: number };
}

describe('ProcessLedger (orphan reaping with real processes)', function () {
  this.timeout(30_000);
  let dir: string;
  let file: string;
  const children: ChildProcess[] = [];

  beforeEach(() => { dir = mkdtempSync(path.join(tmpdir(), 'mcp-ledger-')); file = path.join(dir, 'sub', 'ledger.json'); });
  afterEach(() => {
    for (const c of children.splice(0)) if (c.pid && isAlive(c.pid)) { try { process.kill(-c.pid, 'SIGKILL'); } catch { c.kill('SIGKILL'); } }
    rmSync(dir, { recursive: true, force: true });
  });

  async function deadOwner(): Promise<{ pid: number; startTime: string }> {
    const owner = await sleeper();
    const startTime = (await processStartTime(owner.pid))!;
    process.kill(owner.pid, 'SIGKILL');
    await new Promise((r) => owner.once('exit', r));
    return { pid: owner.pid, startTime };
  }

  async function entryFor(child: { pid: number }, owner: { pid: number; startTime?: string }, startTime?: string): Promise<LedgerEntry> {
    return { pid: child.pid, startTime: startTime ?? (await processStartTime(child.pid))!, serverId: 'settings:user#x', owner, at: Date.now() };
  }


  it('reads the start time of a process (Linux: /proc/<pid>/stat field 22)', async function () {
    if (process.platform !== 'linux' && process.platform !== 'darwin') this.skip();
    const a = await processStartTime(process.pid);
    assert.ok(a && a.length > 0);
    assert.equal(await processStartTime(process.pid), a, 'stable');
    assert.equal(await processStartTime(2 ** 22 + 12345), undefined);
  });

  it('add/remove keep the file current and write atomically', async () => {
    const ledger = new ProcessLedger(file);
    await Promise.all([ledger.add(111, 'a'), ledger.add(222, 'b'), ledger.add(333, 'c')]);
    assert.deepEqual((await ledger.entries()).map((e) => e.pid), [111, 222, 333]);
    await ledger.remove(222);
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as { version: number; entries: LedgerEntry[] };
    assert.equal(parsed.version, 1);
    assert.deepEqual(parsed.entries.map((e) => e.pid), [111, 333]);
    assert.equal(parsed.entries[0]?.owner.pid, process.pid);
  });

  it('kills the orphan of a dead owner', async function () {
    if (process.platform !== 'linux' && process.platform !== 'darwin') this.skip();
    const orphan = await sleeper(); children.push(orphan);
    const owner = await deadOwner();
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, JSON.stringify({ version: 1, entries: [await entryFor(orphan, owner)] }));
    const result = await new ProcessLedger(file).reapOrphans();
    assert.deepEqual(result.killed.map((e) => e.pid), [orphan.pid]);
    await until('orphan killed', () => !isAlive(orphan.pid));
    assert.deepEqual(await new ProcessLedger(file).entries(), []);
  });

  it("leaves a live owner's servers alone", async function () {
    if (process.platform !== 'linux' && process.platform !== 'darwin') this.skip();
    const server = await sleeper(); children.push(server);
    const owner = await sleeper(); children.push(owner);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, JSON.stringify({ version: 1, entries: [await entryFor(server, { pid: owner.pid, startTime: await processStartTime(owner.pid) })] }));
    const result = await new ProcessLedger(file).reapOrphans();
    assert.equal(result.kept, 1);
    assert.deepEqual(result.killed, []);
    await new Promise((r) => setTimeout(r, 700));
    assert.ok(isAlive(server.pid));
    assert.equal((await new ProcessLedger(file).entries()).length, 1);
  });

  it('never kills a recycled pid (same pid, different start time); the stale entry is dropped', async function () {
    if (process.platform !== 'linux' && process.platform !== 'darwin') this.skip();
    const innocent = await sleeper(); children.push(innocent);
    const owner = await deadOwner();
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, JSON.stringify({ version: 1, entries: [await entryFor(innocent, owner, '1')] }));
    const result = await new ProcessLedger(file).reapOrphans();
    assert.deepEqual(result.killed, []);
    assert.deepEqual(result.dropped.map((e) => e.pid), [innocent.pid]);
    await new Promise((r) => setTimeout(r, 700));
    assert.ok(isAlive(innocent.pid));
    assert.deepEqual(await new ProcessLedger(file).entries(), []);
  });

  it('at activation, with no file or no entries, reads the file and probes no process (on macOS a probe runs ps)', async () => {
    let probes = 0;
    const probe = { startTime: () => { probes++; return Promise.resolve('1'); }, isAlive: () => { probes++; return true; }, killGroup: () => { probes++; return Promise.resolve(); } };
    assert.deepEqual(await new ProcessLedger(file, { probe }).reapOrphans(), { killed: [], dropped: [], kept: 0 });
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, JSON.stringify({ version: 1, entries: [] }));
    assert.deepEqual(await new ProcessLedger(file, { probe }).reapOrphans(), { killed: [], dropped: [], kept: 0 });
    assert.equal(probes, 0);
  });

  it('tolerates a corrupt or foreign file', async () => {
    mkdirSync(path.dirname(file), { recursive: true });
    for (const junk of ['{not json', 'null', '[]', '{"entries": [{"pid": "x"}, 42, null]}']) {
      writeFileSync(file, junk);
      const ledger = new ProcessLedger(file);
      assert.deepEqual(await ledger.reapOrphans(), { killed: [], dropped: [], kept: 0 });
      await ledger.add(4242, 's');
      assert.deepEqual((await ledger.entries()).map((e) => e.pid), [4242]);
    }
  });
});
