import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { testApp } from '../test/test-app';
import { acquireDataLock } from './data-lock';

let dir: string;
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('data folder lock', () => {
  it('makes the first process primary and later live ones shared; a dead holder is taken over', () => {
    dir = mkdtempSync(join(tmpdir(), 'plateau-lock-'));
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout;
    writeFileSync(join(dir, 'plateau.pid'), dead);
    const a = acquireDataLock(dir);
    expect(a.primary).toBe(true);
    writeFileSync(join(dir, 'plateau.pid'), String(process.ppid)); // a live process holds it
    expect(acquireDataLock(dir).primary).toBe(false);
  });

  it("a second process sharing the data does not mark the first one's running jobs interrupted", async () => {
    const first = testApp();
    dir = first.dataDir;
    const p = await first.client.projects.create({ name: 'P' });
    const run = first.app.ctx.repos.runs.create({ projectId: p.id, name: 'r', config: {}, status: 'running' });
    writeFileSync(join(dir, 'plateau.pid'), String(process.ppid)); // as if another live process were primary
    const { createApp } = await import('./create-app');
    const second = createApp({ dataDir: dir, host: 'cli' });
    expect(second.ctx.repos.runs.get(run.id).status).toBe('running');
    await second.close();
    await first.app.close();
  });
});
