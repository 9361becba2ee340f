import { describe, expect, it } from 'vitest';
import type { Run } from '../../../../shared/domain/types';
import { columnCatalog, visibleColumns } from './column-visibility';
import { differingKeys, finalOf, flattenConfig, runsCsv, varyingKeys } from './run-columns';

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
    // by default the table shows only keys whose values differ among the runs that have them
    expect(differingKeys(runs)).toEqual(['lr']);
    const imported = run({ source: '/x/train_ckpt.pt', format: 'torch', dataset: { classes: 3 } });
    expect(differingKeys([...runs, imported])).toEqual(['lr']);
  });

  it('reads final accuracies from the summary', () => {
    expect(finalOf(run({}, { last: { test_acc: 0.9 } }), 'test_acc')).toBe(0.9);
    expect(finalOf(run({}), 'test_acc')).toBeNull();
  });

  it('exports the columns the reader shows, in their order, not a fixed set', () => {
    const runs = [
      {
        id: 1,
        name: 'a',
        status: 'succeeded',
        preset: 'p',
        seed: 0,
        backend: 'wasm',
        tags: ['x', 'y'],
        config: { optimizer: { lr: 0.01 }, epochs: 5 },
        summary: { last: { train_acc: 1, test_acc: 0.75 } },
      },
      {
        id: 2,
        name: 'b',
        status: 'failed',
        preset: 'p',
        seed: 1,
        backend: null,
        tags: [],
        config: { optimizer: { lr: 0.1 }, epochs: 5 },
        summary: {},
      },
    ] as unknown as Run[];
    const catalog = columnCatalog(runs);
    const shown = visibleColumns(catalog, { preset: false, tags: false, kappa: true, backend: true, 'hp:epochs': true });
    const measured = { kappa: new Map([[1, 0.25]]), nc1: new Map<number, number>() };
    const csv = runsCsv(runs, catalog, shown, measured);
    expect(csv.header).toEqual([
      'id',
      'name',
      'status',
      'seed',
      'epochs',
      'optimizer.lr',
      'backend',
      'train_acc',
      'test_acc',
      'gap_acc',
      'kappa',
    ]);
    expect(csv.rows).toEqual([
      [1, 'a', 'succeeded', 0, 5, 0.01, 'wasm', 1, 0.75, 0.25, 0.25],
      [2, 'b', 'failed', 1, 5, 0.1, null, null, null, null, null],
    ]);
  });
});
