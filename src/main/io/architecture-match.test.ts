import { describe, expect, it } from 'vitest';
import { matchArchitecture } from './architecture-match';

const t = (name: string, ...shape: number[]) => ({ name, shape });

describe('matchArchitecture', () => {
  it('recognises an nn.Sequential MLP, with a prefix and gaps for activations', () => {
    const m = matchArchitecture([
      t('model.0.weight', 8, 4),
      t('model.0.bias', 8),
      t('model.2.weight', 8, 8),
      t('model.2.bias', 8),
      t('model.4.weight', 3, 8),
      t('model.4.bias', 3),
    ]);
    expect(m).toEqual({
      kind: 'mlp',
      inputDim: 4,
      hidden: [8, 8],
      numClasses: 3,
      bias: true,
      names: {
        'layers.0.weight': 'model.0.weight',
        'layers.0.bias': 'model.0.bias',
        'layers.1.weight': 'model.2.weight',
        'layers.1.bias': 'model.2.bias',
        'layers.2.weight': 'model.4.weight',
        'layers.2.bias': 'model.4.bias',
      },
    });
  });

  it('refuses shapes that do not chain, mixed prefixes, single layers and other networks', () => {
    expect(matchArchitecture([t('0.weight', 8, 4), t('2.weight', 3, 7)])).toBeNull();
    expect(matchArchitecture([t('a.0.weight', 8, 4), t('b.1.weight', 3, 8)])).toBeNull();
    expect(matchArchitecture([t('0.weight', 3, 4)])).toBeNull();
    expect(matchArchitecture([t('conv1.weight', 16, 1, 3, 3), t('fc.weight', 10, 16)])).toBeNull();
  });

  it('handles bias-free networks', () => {
    expect(matchArchitecture([t('0.weight', 8, 4), t('1.weight', 3, 8)])).toMatchObject({
      bias: false,
      hidden: [8],
      names: { 'layers.1.weight': '1.weight' },
    });
  });
});
