import { describe, expect, it } from 'vitest';
import type { Checkpoint, MetricSeries, Run } from '../../../../shared/domain/types';
import { runLog } from './run-log';

describe('runLog', () => {
  it('interleaves epoch lines and checkpoints in step order, then how the run ended', () => {
    const s = (key: string, values: number[]): MetricSeries => ({
      runId: 1,
      key,
      split: 'train',
      layer: '',
      steps: [1, 2],
      epochs: [1, 2],
      values,
    });
    const run = { status: 'diverged', error: 'loss NaN', startedAt: null, finishedAt: 5, versions: {} } as unknown as Run;
    const ckpt = { step: 1, bytes: 2048, sha256: 'abcdef0123456789' } as Checkpoint;
    const log = runLog(run, [s('train_loss', [0.5, 0.25]), s('train_acc', [0.5, 1])], [ckpt]);
    expect(log[0]).toBe('epoch 1  step 1  train loss 5.000e-1  acc 50.0%  test loss —  acc —');
    expect(log[1]).toBe('checkpoint at step 1 (2 kB, sha256 abcdef012345)');
    expect(log[2]).toContain('step 2');
    expect(log[3]).toMatch(/diverged: loss NaN$/);
  });
});
