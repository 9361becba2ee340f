import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createClient } from '../../shared/rpc/client';
import { createMemoryTransport } from '../../shared/rpc/memory';
import { createApp } from './create-app';

const dirs: string[] = [];
const dataDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'plateau-app-'));
  dirs.push(d);
  return d;
};
afterEach(() => {
  delete process.env.PLATEAU_JOBS;
  delete process.env.PLATEAU_THREADS;
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('job settings', () => {
  it('default: cores - 1 jobs at once, the cores shared out as threads', async () => {
    const app = createApp({ dataDir: dataDir(), host: 'memory' });
    const jobs = Math.max(1, cpus().length - 1);
    expect(app.ctx.jobs.concurrency).toBe(jobs);
    expect(app.ctx.jobs.threadsPerJob()).toBe(Math.max(1, Math.floor(availableParallelism() / jobs)));
    await app.close();
  });

  it('PLATEAU_JOBS and PLATEAU_THREADS set them; options win over the environment', async () => {
    process.env.PLATEAU_JOBS = '3';
    process.env.PLATEAU_THREADS = '2';
    const app = createApp({ dataDir: dataDir(), host: 'memory' });
    expect([app.ctx.jobs.concurrency, app.ctx.jobs.threadsPerJob()]).toEqual([3, 2]);
    await app.close();
    const app2 = createApp({ dataDir: dataDir(), host: 'memory', concurrency: 1, threads: 4 });
    expect([app2.ctx.jobs.concurrency, app2.ctx.jobs.threadsPerJob()]).toEqual([1, 4]);
    await app2.close();
  });

  it('a bad value is refused by name before anything is opened', () => {
    process.env.PLATEAU_THREADS = 'many';
    const d = dataDir();
    expect(() => createApp({ dataDir: d, host: 'memory' })).toThrow(/PLATEAU_THREADS must be a whole number >= 1 \(it is "many"\)/);
    expect(readdirSync(d)).toEqual([]); // no database, no lock
    process.env.PLATEAU_THREADS = '1';
    process.env.PLATEAU_JOBS = '0';
    expect(() => createApp({ dataDir: dataDir(), host: 'memory' })).toThrow(/PLATEAU_JOBS must be a whole number >= 1/);
  });

  it('saved from the app: applied at once, kept for the next start, below a flag or the environment', async () => {
    const d = dataDir();
    const open = () => {
      const app = createApp({ dataDir: d, host: 'memory' });
      return { app, client: createClient(createMemoryTransport(app.dispatch, app.ctx.bus.subscribe)) };
    };
    let { app, client } = open();
    expect(await client.system.jobSettings({ jobs: 2, threads: 3 })).toEqual({
      jobs: 2,
      threads: 3,
      threadsPerJob: 3,
      cores: availableParallelism(),
    });
    expect([app.ctx.jobs.concurrency, app.ctx.jobs.threadsPerJob()]).toEqual([2, 3]);
    await expect(client.system.jobSettings({ jobs: 0 })).rejects.toMatchObject({
      code: 'InvalidParams',
      message: expect.stringMatching(/jobs.*at least 1/),
    });
    await app.close();
    ({ app, client } = open());
    expect(await client.system.jobSettings({})).toMatchObject({ jobs: 2, threads: 3 });
    // null threads: back to the cores shared out
    expect(await client.system.jobSettings({ threads: null })).toMatchObject({
      threads: null,
      threadsPerJob: Math.max(1, Math.floor(availableParallelism() / 2)),
    });
    await app.close();
    process.env.PLATEAU_JOBS = '1';
    ({ app } = open());
    expect([app.ctx.jobs.concurrency, app.ctx.jobs.threads]).toEqual([1, undefined]);
    await app.close();
  });
});

describe('start-up', () => {
  it('removes the temp files of checkpoint writes whose process died, and only those', async () => {
    const dir = dataDir();
    const ckpts = join(dir, 'projects', '1', 'runs', '2', 'checkpoints');
    mkdirSync(ckpts, { recursive: true });
    const dead = spawnSync(process.execPath, ['-e', '0']).pid!; // exited: its pid names a writer that is gone
    const stale = [`step-00000010.safetensors.plateau-tmp-${dead}-0123abcd`, `step-00000020.safetensors.plateau-tmp-${dead}-89abcdef`];
    const kept = [
      'step-00000010.safetensors',
      `step-00000030.safetensors.tmp-${dead}`, // the old naming: could as well be a user's file
      'step-00000040.safetensors.plateau-tmp',
      'notes.plateau-tmp-12-xyz',
      'model.tmp',
      `step-00000050.safetensors.plateau-tmp-${process.ppid}-0123abcd`, // its writer is alive: maybe writing right now
    ];
    for (const f of [...stale, ...kept]) writeFileSync(join(ckpts, f), 'x');
    writeFileSync(join(dir, `loose.plateau-tmp-${dead}-0123abcd`), 'x'); // outside projects/: not the app's to clean
    const app = createApp({ dataDir: dir, host: 'memory' });
    await app.close();
    expect(readdirSync(ckpts).sort()).toEqual([...kept].sort());
    expect(readdirSync(dir)).toContain(`loose.plateau-tmp-${dead}-0123abcd`);
  });
});
