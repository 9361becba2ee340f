import { describe, expect, it } from 'vitest';
import { keyHyperparameters } from './hyperparameters';

describe('keyHyperparameters', () => {
  it('names an intervention placed off the head, and leaves the head (the default) unnamed', () => {
    const interventions = [
      { kind: 'fam', lambda: 20, placement: 'block:0' },
      { kind: 'anti-flatness', lambda: 0.001 },
      { kind: 'fam', lambda: 1, placement: 'head' },
    ];
    expect(keyHyperparameters({ interventions }).interventions).toBe('fam 20 @block:0; anti-flatness 0.001; fam 1');
  });
});
