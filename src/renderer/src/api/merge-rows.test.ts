import { describe, expect, it } from 'vitest';
import type { MetricRow } from '../../../shared/jobs/messages';
import { mergeRows } from './merge-rows';

const row = (step: number, value: number, key = 'train_loss'): MetricRow => ({ step, epoch: step, split: 'train', key, value });

describe('mergeRows', () => {
  it('appends in order, replaces a repeated step, inserts an earlier step where it belongs', () => {
    let s = mergeRows([], 1, [row(1, 0.9), row(2, 0.8), row(3, 0.7)], ['train_loss']);
    expect(s[0].steps).toEqual([1, 2, 3]);
    s = mergeRows(s, 1, [row(0, 1.0), row(2, 0.81), row(4, 0.6)], ['train_loss']);
    expect(s[0].steps).toEqual([0, 1, 2, 3, 4]);
    expect(s[0].values).toEqual([1.0, 0.9, 0.81, 0.7, 0.6]);
  });

  it('ignores keys not asked for and leaves the old cache untouched', () => {
    const old = mergeRows([], 1, [row(1, 0.5)], ['train_loss']);
    const next = mergeRows(old, 1, [row(0, 2), row(0, 3, 'kappa')], ['train_loss']);
    expect(old[0].steps).toEqual([1]);
    expect(next).toHaveLength(1);
    expect(next[0].steps).toEqual([0, 1]);
  });
});
