import { describe, expect, it } from 'vitest';
import { LM_HEAD_KEYS, metricsLmHeadBench, syntheticLmHead } from './metrics-lm-head';

describe('metrics_lm_head bench', () => {
  it('is named for its size and measures the head keys of one split', () => {
    expect(metricsLmHeadBench.name).toBe('metrics_lm_head_n50000_c50257_m768');
    const some = ['kappa', 'kappa_sigma', 'nc1', 'gnc2', 'duality_cos_mean', 'perplexity', 'train_loss'];
    expect(LM_HEAD_KEYS).toEqual(expect.arrayContaining(some));
    expect(LM_HEAD_KEYS).not.toContain('test_loss');
    expect(LM_HEAD_KEYS).not.toContain('fro_norm');
  });

  it('synthetic head is seeded, float32, with Zipf targets (token 0 about twice as frequent as token 1)', () => {
    const a = syntheticLmHead(4000, 4, 50, 3);
    expect(a.train.features).toEqual(syntheticLmHead(4000, 4, 50, 3).train.features);
    expect(a.train.features).toBeInstanceOf(Float32Array);
    const count = (c: number) => Array.from(a.train.labels).filter((y) => y === c).length;
    // P(0) = 1 / H_50 = 0.222, P(1) = 0.111
    expect(count(0) / 4000).toBeCloseTo(0.222, 1);
    expect(count(0) / count(1)).toBeGreaterThan(1.6);
    expect(count(0) / count(1)).toBeLessThan(2.5);
  });
});
