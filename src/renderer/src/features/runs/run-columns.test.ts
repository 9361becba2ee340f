import { describe, expect, it } from 'vitest';
import type { Run } from '../../../../shared/domain/types';
import { finalOf, flattenConfig, varyingKeys } from './run-columns';

const run = (config: Record<string, unknown>, summary: Record<string, unknown> = {}) => ({ config, summary }) as unknown as Run;

describe('run columns', () => {
  it('flattens configs to dotted scalar keys', () => {
    expect(flattenConfig({ optimizer: { lr: 0.01, kind: 'adamw' }, hidden: [64, 64], seed: 1 })).toEqual({
      'optimizer.lr': 0.01,
      'optimizer.kind': 'adamw',
      hidden: '[64,64]',
      seed: 1,
    });
  });

  it('keeps only the hyperparameters that vary, without the seed', () => {
    const runs = [run({ lr: 1, wd: 0, seed: 0 }), run({ lr: 2, wd: 0, seed: 1 }), run({ lr: 1, wd: 0, seed: 2, extra: true })];
    expect(varyingKeys(runs)).toEqual(['extra', 'lr']);
  });

  it('reads final accuracies from the summary', () => {
    expect(finalOf(run({}, { last: { test_acc: 0.9 } }), 'test_acc')).toBe(0.9);
    expect(finalOf(run({}), 'test_acc')).toBeNull();
  });
});
