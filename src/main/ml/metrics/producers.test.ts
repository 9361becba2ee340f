import { describe, expect, it } from 'vitest';
import { metric, registerMetric } from '../../../shared/domain/metrics';
import type { MetricRow } from '../../../shared/jobs/messages';
import { measureCheckpoint, producerPlan, registerProducer, type CheckpointInput } from './producers';

const toy = (key: string, producer: string) =>
  registerMetric(
    metric({
      key,
      family: 'weights',
      label: 'L',
      description: 'D',
      formula: 'F',
      citation: 'C',
      needs: 'weights',
      producer,
      splits: ['none'],
    }),
  );
const row = (key: string, value: number): MetricRow => ({ step: 1, epoch: null, split: 'none', key, value, layer: '', checkpointStep: 1 });

describe('metric producers', () => {
  it('run once per producer with its wanted keys, dropping rows of other keys and non-finite values', () => {
    toy('prod_a', 'plugin:ab');
    toy('prod_b', 'plugin:ab');
    toy('prod_c', 'plugin:c');
    const calls: string[][] = [];
    registerProducer('plugin:ab', (_input, keys) => {
      calls.push([...keys]);
      return [row('prod_a', 1), row('prod_b', Number.NaN), row('kappa', 3)];
    });
    registerProducer('plugin:c', () => [row('prod_c', 2)]);
    const batches = [...measureCheckpoint({ options: {} } as CheckpointInput, ['prod_c', 'prod_a', 'prod_b'])];
    expect(calls).toEqual([['prod_a', 'prod_b']]);
    expect(batches.map((b) => b.map((r) => [r.key, r.value]))).toEqual([[['prod_c', 2]], [['prod_a', 1]]]);
  });

  it('name a key without a registered producer, and an unknown key', () => {
    toy('prod_orphan', 'plugin:nobody');
    expect(() => producerPlan(['prod_orphan'])).toThrow(/metric 'prod_orphan': no producer 'plugin:nobody' is registered/);
    expect(() => producerPlan(['nope'])).toThrow(/unknown metric 'nope'/);
    expect(() => registerProducer('plugin:c', () => [])).toThrow(/already registered/);
  });
});
