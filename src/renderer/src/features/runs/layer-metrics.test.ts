import { describe, expect, it } from 'vitest';
import type { MetricSeries } from '../../../../shared/domain/types';
import { kindSeries, kindsPresent, layerGrid } from './layer-metrics';

const s = (key: string, layer: string, steps: number[], values: number[], split: MetricSeries['split'] = 'none'): MetricSeries => ({
  runId: 1,
  key,
  split,
  layer,
  steps,
  epochs: steps.map(() => null),
  values,
});

// A two-block GPT-2 measured at steps 10 and 20 (block 1's MLP missing at 10), plus a trained run's whole-model row.
const SERIES = [
  s('fro_norm', 'transformer.h.1.mlp.c_fc.weight', [20], [6]),
  s('fro_norm', 'transformer.h.0.mlp.c_fc.weight', [10, 20], [2, 4]),
  s('fro_norm', 'transformer.h.0.attn.c_attn.weight', [10, 20], [1, 3]),
  s('fro_norm', 'transformer.wte.weight', [10, 20], [9, 9.5]),
  s('fro_norm', '', [10, 20], [100, 200]),
  s('spectral_norm', 'transformer.h.0.attn.c_attn.weight', [10], [0.5]),
];

describe('per-layer metrics', () => {
  it('grids layers (embeddings, blocks by index then kind) by checkpoint, leaving out the whole-model row', () => {
    const g = layerGrid(SERIES, 'fro_norm');
    expect(g.labels).toEqual(['embed', '0.qkv', '0.up', '1.up']);
    expect(g.steps).toEqual([10, 20]);
    expect(g.cells.sort((a, b) => a[1] - b[1] || a[0] - b[0])).toEqual([
      [0, 0, 9],
      [1, 0, 9.5],
      [0, 1, 1],
      [1, 1, 3],
      [0, 2, 2],
      [1, 2, 4],
      [1, 3, 6],
    ]);
  });

  it('averages each kind over its layers per checkpoint, or lists every layer of one kind', () => {
    expect(kindsPresent(SERIES, 'fro_norm')).toEqual(['embed', 'qkv', 'up']);
    expect(kindSeries(SERIES, 'fro_norm', 'mean')).toEqual([
      { name: 'embed (mean)', x: [10, 20], y: [9, 9.5] },
      { name: 'qkv (mean)', x: [10, 20], y: [1, 3] },
      { name: 'up (mean)', x: [10, 20], y: [2, 5] }, // step 20: (4 + 6) / 2; step 10: block 0 alone
    ]);
    expect(kindSeries(SERIES, 'fro_norm', 'up').map((x) => [x.name, x.y])).toEqual([
      ['0.up', [2, 4]],
      ['1.up', [6]],
    ]);
  });
});
