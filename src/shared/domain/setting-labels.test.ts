import { describe, expect, it } from 'vitest';
import { settingLabel } from './setting-labels';

describe('setting labels', () => {
  it('names settings for people, the path first, then the last key, then the key spelled out', () => {
    expect(settingLabel('optimizer.lr')).toBe('Learning rate');
    expect(settingLabel('optimizer.kind')).toBe('Optimizer');
    expect(settingLabel('model.kind')).toBe('Architecture');
    expect(settingLabel('optimizer.weightDecay')).toBe('Weight decay');
    expect(settingLabel('schedule.someNewKnob')).toBe('Some new knob');
    expect(settingLabel('epochs')).toBe('Epochs');
  });
});
