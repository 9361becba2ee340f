import { describe, expect, it } from 'vitest';
import type { Run, Split } from '../../../../shared/domain/types';
import { columnCatalog, lastValues, parseChoices, visibleColumns } from './column-visibility';

const run = (config: Record<string, unknown>) => ({ config, summary: {} }) as unknown as Run;

describe('runs table columns', () => {
  const runs = [
    run({ seed: 0, optimizer: { lr: 0.01, kind: 'adamw' }, epochs: 60 }),
    run({ seed: 1, optimizer: { lr: 0.1, kind: 'adamw' }, epochs: 60 }),
  ];

  it('offers every setting but shows only those that differ between the runs', () => {
    const config = columnCatalog(runs).filter((c) => c.group === 'config');
    expect(config.map((c) => [c.id, c.byDefault])).toEqual([
      ['hp:epochs', false],
      ['hp:optimizer.kind', false],
      ['hp:optimizer.lr', true],
    ]);
  });

  it('offers final kappa, nc1, test accuracy and the gap', () => {
    const final = columnCatalog(runs)
      .filter((c) => c.group === 'final')
      .map((c) => c.id);
    expect(final).toEqual(expect.arrayContaining(['kappa', 'nc1', 'test_acc', 'gap_acc']));
  });

  it('lets the saved choices override the defaults, column by column', () => {
    const v = visibleColumns(columnCatalog(runs), { 'hp:epochs': true, 'hp:optimizer.lr': false, kappa: true });
    expect([v['hp:epochs'], v['hp:optimizer.lr'], v['hp:optimizer.kind'], v.kappa, v.nc1, v.status]).toEqual([
      true,
      false,
      false,
      true,
      false,
      true,
    ]);
  });

  it('reads saved choices, ignoring what it cannot read', () => {
    expect(parseChoices('{"kappa":true,"name":"yes","nc1":false}')).toEqual({ kappa: true, nc1: false });
    expect(parseChoices('{broken')).toEqual({});
    expect(parseChoices('[true]')).toEqual({});
    expect(parseChoices(null)).toEqual({});
  });

  it('takes the last whole-model train value of each run', () => {
    const s = (runId: number, split: Split, layer: string, values: number[]) => ({ runId, key: 'kappa', split, layer, values });
    const all = [s(1, 'train', '', [3, 2]), s(1, 'test', '', [9]), s(2, 'train', 'w', [7]), s(3, 'train', '', [])];
    expect([...lastValues(all, 'kappa')]).toEqual([[1, 2]]);
  });
});
