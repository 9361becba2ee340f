import { describe, expect, it } from 'vitest';
import { didYouMean, editDistance, nearest } from './nearest';

describe('nearest names', () => {
  it('counts edits as Levenshtein does', () => {
    // hand-counted: kitten -> sitten -> sittin -> sitting
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(editDistance('widht', 'width')).toBe(2); // a swap is two substitutions
    expect(editDistance('', 'abc')).toBe(3);
    expect(editDistance('same', 'same')).toBe(0);
  });

  it('finds typos, other spellings and the usual abbreviations', () => {
    expect(nearest('widht', ['kind', 'width', 'initStd'])).toEqual(['width']);
    expect(nearest('weight_decay', ['kind', 'lr', 'weightDecay'])).toEqual(['weightDecay']);
    expect(nearest('learning_rate', ['kind', 'lr', 'beta1', 'beta2', 'eps', 'weightDecay'])).toEqual(['lr']);
    expect(nearest('grokking-mpl', ['grokking-mlp', 'double-descent', 'grokking-transformer'])).toEqual(['grokking-mlp']);
  });

  it('suggests nothing when nothing is close, and orders the close ones by distance', () => {
    expect(nearest('temperature', ['kind', 'lr'])).toEqual([]);
    expect(nearest('beta', ['beta2', 'eps', 'beta1'])).toEqual(['beta2', 'beta1']);
  });

  it('phrases the suggestion', () => {
    expect(didYouMean('widht', ['width'])).toBe(" Did you mean 'width'?");
    expect(didYouMean('beta', ['beta1', 'beta2'])).toBe(" Did you mean 'beta1' or 'beta2'?");
    expect(didYouMean('zzz', ['width'])).toBe('');
  });
});
