import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
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
    expect(await client.system.jobSettings({ jobs: 2, threads: 3 })).toEqual({ jobs: 2, threads: 3, threadsPerJob: 3, cores: availableParallelism() });
    expect([app.ctx.jobs.concurrency, app.ctx.jobs.threadsPerJob()]).toEqual([2, 3]);
    await expect(client.system.jobSettings({ jobs: 0 })).rejects.toMatchObject({ code: 'InvalidParams', message: expect.stringMatching(/jobs.*at least 1/) });
    await app.close();
    ({ app, client } = open());
    expect(await client.system.jobSettings({})).toMatchObject({ jobs: 2, threads: 3 });
    // null threads: back to the cores shared out
    expect(await client.system.jobSettings({ threads: null })).toMatchObject({ threads: null, threadsPerJob: Math.max(1, Math.floor(availableParallelism() / 2)) });
    await app.close();
    process.env.PLATEAU_JOBS = '1';
    ({ app } = open());
    expect([app.ctx.jobs.concurrency, app.ctx.jobs.threads]).toEqual([1, undefined]);
    await app.close();
  });
});

