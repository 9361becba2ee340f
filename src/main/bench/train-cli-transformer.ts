import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BenchCase } from './bench-case';
import { cliPath } from './train-cli';

interface Line {
  type: string;
  epoch?: number;
  test_acc?: number;
  status?: string;
}

/**
 * `plateau train --preset grokking-transformer` as a user runs it (job system, worker, live checkpoint metrics,
 * SQLite): the wall time of the whole run and the epoch where test accuracy first reaches 99% (issue 14's case).
 */
export const grokkingTransformerBench: BenchCase = {
  name: 'plateau_train_grokking_transformer',
  unit: 's',
  target: 'test acc >= 99% in < 10 min on 2 cores',
  async run(log) {
    const dir = mkdtempSync(join(tmpdir(), 'plateau-bench-gt-'));
    try {
      const started = performance.now();
      const out = execFileSync(
        process.execPath,
        [cliPath(), '--data-dir', dir, 'train', '--preset', 'grokking-transformer', '--seed', '0', '--json'],
        { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, env: { ...process.env, PLATEAU_JOBS: '1' } },
      );
      const seconds = (performance.now() - started) / 1000;
      const lines = out
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as Line);
      const summary = lines.at(-1)!;
      const first = lines.find((l) => l.type === 'progress' && (l.test_acc ?? 0) >= 0.99);
      const last = lines.filter((l) => l.type === 'progress').at(-1);
      log(`${summary.status}: ${last?.epoch} epochs in ${seconds.toFixed(1)} s; test acc >= 99% first at epoch ${first?.epoch ?? 'never'}`);
      if (!first) throw new Error('test accuracy never reached 99%');
      return { value: seconds, extra: { epoch_99: first.epoch!, epochs: last?.epoch ?? 0 } };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
};

export default grokkingTransformerBench;
