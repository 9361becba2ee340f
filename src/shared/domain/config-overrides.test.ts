import { describe, expect, it } from 'vitest';
import { applyOverrides, parseSetting } from './config-overrides';

describe('config overrides', () => {
  it('sets dotted paths on a copy', () => {
    const base = { optimizer: { kind: 'adamw', lr: 0.01 }, epochs: 10 };
    const out = applyOverrides(base, { 'optimizer.lr': 0.001, epochs: 5, 'dataset.p': 113 });
    expect(out).toEqual({ optimizer: { kind: 'adamw', lr: 0.001 }, epochs: 5, dataset: { p: 113 } });
    expect(base.optimizer.lr).toBe(0.01);
  });

  it('sets array items by index, keeping the arrays', () => {
    const base = { model: { hidden: [64, 32] }, interventions: [{ kind: 'anti-collapse', lambda: 1e-4, toEpoch: 400 }] };
    expect(applyOverrides(base, { 'model.hidden.0': 8, 'interventions.0.toEpoch': 3 })).toEqual({
      model: { hidden: [8, 32] },
      interventions: [{ kind: 'anti-collapse', lambda: 1e-4, toEpoch: 3 }],
    });
  });

  it('refuses prototype paths', () => {
    expect(() => applyOverrides({}, { '__proto__.polluted': 1 })).toThrow(/not a valid setting path/);
  });

  it('parses key=value with JSON values where they parse', () => {
    expect(parseSetting('optimizer.lr=1e-3')).toEqual(['optimizer.lr', 0.001]);
    expect(parseSetting('batchSize=full')).toEqual(['batchSize', 'full']);
    expect(parseSetting('model.bias=false')).toEqual(['model.bias', false]);
    expect(() => parseSetting('lr')).toThrow(/key=value/);
  });
});

describe('config overrides on lists', () => {
  it('refuses a named key inside a list, which the schema would drop without a word', () => {
    expect(() => applyOverrides({ model: { hidden: [64] } }, { 'model.hidden.width': 8 })).toThrow(
      "'model.hidden.width': model.hidden is a list; name an item by its index, e.g. model.hidden.0",
    );
  });
});
