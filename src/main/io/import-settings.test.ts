import { describe, expect, it } from 'vitest';
import { statedSettings } from './import-settings';

describe('settings a checkpoint states', () => {
  it("reads PyTorch's first param group and the epoch under Plateau's names, and nothing else", () => {
    // the scalars Inspect lists for torch.save({'model': ..., 'optimizer': SGD(lr=0.05, momentum=0.9, weight_decay=5e-4).state_dict(), 'epoch': 30})
    const scalars = {
      'optimizer.param_groups.0.lr': 0.05,
      'optimizer.param_groups.0.momentum': 0.9,
      'optimizer.param_groups.0.dampening': 0,
      'optimizer.param_groups.0.weight_decay': 5e-4,
      'optimizer.param_groups.0.nesterov': false,
      'optimizer.param_groups.0.maximize': false,
      'optimizer.param_groups.0.params.0': 0,
      'optimizer.param_groups.1.lr': 0.5,
      epoch: 30,
      run: 'demo',
      best_acc: 0.8,
    };
    expect(statedSettings(scalars)).toEqual({
      optimizer: { lr: 0.05, momentum: 0.9, dampening: 0, weightDecay: 5e-4, nesterov: false },
      epoch: 30,
    });
  });

  it('reads Adam betas and a step counter; a plain state dict states nothing', () => {
    expect(
      statedSettings({
        'optim.param_groups.0.betas.0': 0.9,
        'optim.param_groups.0.betas.1': 0.98,
        'optim.param_groups.0.eps': 1e-8,
        global_step: 1000,
      }),
    ).toEqual({ optimizer: { beta1: 0.9, beta2: 0.98, eps: 1e-8 }, step: 1000 });
    expect(statedSettings({})).toEqual({});
    expect(statedSettings({ epoch: 2.5, step: 'x' })).toEqual({});
  });
});
