import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient } from '../../shared/rpc/client';
import { createMemoryTransport } from '../../shared/rpc/memory';
import { createApp } from '../app/create-app';
import { importLogRuns } from '../cli/import-command';
import type { BenchCase } from './bench-case';
import { writeTfeventsFolder } from './tfevents-synth';

const RUNS = 4;
const BYTES = 100e6;

/**
 * `plateau import runs/` of a 100 MB TensorBoard folder (4 runs of 8 scalar tags, one Event per add_scalar
 * as PyTorch writes them) through the command's own path: a core on a fresh data folder, imports.inspect
 * (every record read and CRC-checked), imports.start per run, the import jobs storing every point in SQLite.
 * CPU seconds are printed beside wall seconds: on a shared machine the wall clock mostly measures the others.
 * No peer: the reference reader (tensorboard's EventAccumulator) is not installed here.
 */
export const importTfeventsBench: BenchCase = {
  name: 'import_tfevents_100mb',
  unit: 's',
  target: '< 10 s (issue 17)',
  async run(log) {
    const dir = mkdtempSync(join(tmpdir(), 'plateau-bench-tfevents-'));
    const app = createApp({ dataDir: join(dir, 'data'), host: 'cli', concurrency: 1 });
    try {
      const runs = join(dir, 'runs');
      mkdirSync(runs);
      const { bytes, points } = writeTfeventsFolder(runs, RUNS, BYTES);
      const client = createClient(createMemoryTransport(app.dispatch, app.ctx.bus.subscribe));
      const project = await client.projects.create({ name: 'bench' });
      const cpu0 = process.cpuUsage();
      const started = performance.now();
      const preview = await client.imports.inspect({ path: runs });
      const inspected = performance.now();
      const imported = await importLogRuns(client, app, project.id, runs, preview);
      const seconds = (performance.now() - started) / 1000;
      const cpu = process.cpuUsage(cpu0);
      const cpuSeconds = (cpu.user + cpu.system) / 1e6;
      const stored = (await client.metrics.series({ runIds: imported.map((r) => r.id), keys: ['train/loss'], split: 'none' })).reduce(
        (n, s) => n + s.steps.length,
        0,
      );
      if (preview.runs.reduce((n, r) => n + r.points, 0) !== points || stored !== points / 8) {
        throw new Error(`imported ${preview.runs.reduce((n, r) => n + r.points, 0)} points of the ${points} written`);
      }
      const mb = bytes / 1e6;
      log(
        `${mb.toFixed(1)} MB in ${RUNS} runs, ${points} scalar points: ${seconds.toFixed(2)} s wall (inspect ${((inspected - started) / 1000).toFixed(2)} s), ${cpuSeconds.toFixed(2)} s CPU; ${(mb / seconds).toFixed(1)} MB/s`,
      );
      return {
        value: Number(seconds.toFixed(2)),
        extra: {
          mb: Number(mb.toFixed(1)),
          mb_per_s: Number((mb / seconds).toFixed(1)),
          cpu_s: Number(cpuSeconds.toFixed(2)),
          mb_per_cpu_s: Number((mb / cpuSeconds).toFixed(1)),
          points,
        },
      };
    } finally {
      await app.close();
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
