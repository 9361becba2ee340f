import { describe, expect, it } from 'vitest';
import { type CompareState, DEFAULT_COMPARE, decodeCompare, encodeCompare } from './compare-url';

describe('compare state in the URL', () => {
  it('round-trips a full view', () => {
    const s: CompareState = {
      project: 3,
      runs: ['12', '4'],
      metrics: ['kappa|train', 'gap_acc|none', 'perplexity|@sets'],
      x: 'step',
      logX: false,
      smoothing: 0.6,
      group: true,
      logY: { 'kappa|train': true, 'nc1|train': false },
      scatterX: 'hp:optimizer.lr',
      scatterY: 'test_acc|test',
      scatterLogX: true,
      sets: ['en', 'de'],
      crossX: 'gnc2',
      crossY: 'perplexity',
    };
    expect(decodeCompare(encodeCompare(s))).toEqual(s);
  });

  it('writes only what differs from the defaults, and reads an empty query as the defaults', () => {
    expect(encodeCompare(DEFAULT_COMPARE)).toBe('');
    expect(encodeCompare({ ...DEFAULT_COMPARE, runs: ['1', '2'], smoothing: 0.5 })).toBe('runs=1%2C2&smooth=0.5');
    expect(decodeCompare('')).toEqual(DEFAULT_COMPARE);
    // no metrics at all is a choice too, unlike a missing parameter
    expect(decodeCompare('metrics=').metrics).toEqual([]);
  });

  it('drops malformed fields one by one and keeps the rest', () => {
    const s = decodeCompare(
      '?project=-2&runs=1,x,0,1,7&metrics=kappa|train,<script>,nc1|valid&x=time&logx=maybe&smooth=5' +
        '&group=1&logy=kappa|train,bad&liny=%22&sx=hp:width&sy=;drop',
    );
    expect(s).toEqual({
      ...DEFAULT_COMPARE,
      runs: ['1', '7'],
      metrics: ['kappa|train'],
      group: true,
      logY: { 'kappa|train': true },
      scatterX: 'hp:width',
    });
    expect(decodeCompare('smooth=NaN&%E0%A4%A=1').smoothing).toBe(0);
    // evaluation sets are split names; the cross-lingual axes one of the offered measures
    expect(decodeCompare('sets=en,de/x,,fr&clx=kappa_sigma&cly=loss')).toMatchObject({
      sets: ['en', 'fr'],
      crossX: 'kappa',
      crossY: 'loss',
    });
  });
});
