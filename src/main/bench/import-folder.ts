import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeSafetensors } from '../io/safetensors';
import { runWorker, workerEntry } from '../jobs/worker-runner';
import type { BenchCase } from './bench-case';

const CHECKPOINTS = 100;
/** A small MLP (784-256-10), the size of a course project's checkpoints: 0.8 MB each. */
const LAYERS: [string, number[]][] = [
  ['fc1.weight', [256, 784]],
  ['fc1.bias', [256]],
  ['fc2.weight', [10, 256]],
  ['fc2.bias', [10]],
];

/** Checkpoints that drift a little from step to step, as a training run's do. */
function writeFolder(dir: string): void {
  let x = 0x2545f491;
  const rand = () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x | 0) / 2 ** 31;
  };
  const weights = LAYERS.map(([, shape]) => Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rand() * 0.05));
  for (let i = 0; i < CHECKPOINTS; i++) {
    for (const w of weights) for (let k = 0; k < w.length; k++) w[k] += rand() * 1e-3;
    const tensors = Object.fromEntries(LAYERS.map(([name, shape], j) => [name, { shape, data: weights[j] }]));
    writeFileSync(join(dir, `ckpt_step${(i + 1) * 100}.safetensors`), encodeSafetensors(tensors));
  }
}

/** Seconds to import a folder of 100 small checkpoints through the import worker: one run, all its metrics. */
export const importFolderBench: BenchCase = {
  name: 'import_folder_100_checkpoints',
  unit: 's',
  target: '< 10 s (the issue: "takes seconds")',
  async run(log) {
    const dir = mkdtempSync(join(tmpdir(), 'plateau-bench-import-'));
    try {
      const folder = join(dir, 'run');
      mkdirSync(folder);
      writeFolder(folder);
      let rows = 0;
      const started = performance.now();
      const result = await runWorker(
        workerEntry('import'),
        { path: folder, runDir: join(dir, 'imported') },
        (m) => {
          if (m.type === 'metrics') rows += m.rows.length;
        },
        new AbortController().signal,
        'thread',
      ).done;
      const seconds = (performance.now() - started) / 1000;
      log(
        `${String(result.checkpoints)} checkpoints (${LAYERS.map(([n, s]) => `${n} ${s.join('x')}`).join(', ')}), ${rows} metric rows in ${seconds.toFixed(2)} s`,
      );
      return {
        value: Number(seconds.toFixed(2)),
        extra: {
          checkpoints: Number(result.checkpoints),
          metric_rows: rows,
          ms_per_checkpoint: Number(((seconds * 1000) / CHECKPOINTS).toFixed(1)),
        },
      };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
};

export default importFolderBench;
