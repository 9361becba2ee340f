import { describe, expect, it } from 'vitest';
import { foldOptimizer } from './optimizer-fold';

describe('optimizer fold', () => {
  it("splits torch's training checkpoint (the fixture's expected contents) into model and optimizer parts", () => {
    // test/fixtures/import/train_ckpt.expected.json, as PyTorch wrote it (make_fixtures.py)
    const expected = {
      tensors: Object.fromEntries(
        [
          'model.0.weight',
          'model.0.bias',
          'model.2.weight',
          'model.2.bias',
          ...[0, 1, 2, 3].map((i) => `optimizer.state.${i}.momentum_buffer`),
        ].map((n) => [n, {}]),
      ),
      scalars: {
        'optimizer.param_groups.0.lr': 0.1,
        'optimizer.param_groups.0.momentum': 0.9,
        'optimizer.param_groups.0.dampening': 0,
        'optimizer.param_groups.0.weight_decay': 0.0001,
        'optimizer.param_groups.0.nesterov': false,
        'optimizer.param_groups.0.maximize': false,
        'optimizer.param_groups.0.differentiable': false,
        'optimizer.param_groups.0.params.0': 0,
        'optimizer.param_groups.0.params.1': 1,
        'optimizer.param_groups.0.params.2': 2,
        'optimizer.param_groups.0.params.3': 3,
        epoch: 3,
        lr: 0.1,
        run: 'demo',
        best_acc: 0.8125,
      },
    };
    const f = foldOptimizer(
      Object.keys(expected.tensors).map((name) => ({ name })),
      expected.scalars,
    );
    expect(f.modelTensors.map((t) => t.name)).toEqual(['model.0.weight', 'model.0.bias', 'model.2.weight', 'model.2.bias']);
    expect(f.optimizerTensors).toHaveLength(4);
    expect(Object.fromEntries(f.modelScalars)).toEqual({ epoch: 3, lr: 0.1, run: 'demo', best_acc: 0.8125 });
    expect(f.optimizerScalars).toHaveLength(11);
    expect(f.headline).toBe('lr 0.1 · momentum 0.9 · weight_decay 0.0001');
  });
});
