import { describe, expect, it } from 'vitest';
import { GROKKING_MLP } from '../../../../shared/domain/presets';
import { expandGrid, fieldsOf, formFields, parseExtra, parseValues, planRuns, textsFrom } from './config-form';

describe('new-run form', () => {
  const fields = fieldsOf(GROKKING_MLP);

  it('lists every setting of the preset with defaults filled in, but not the seed', () => {
    const paths = fields.map((f) => f.path);
    expect(paths).toEqual(expect.arrayContaining(['dataset.p', 'dataset.op', 'optimizer.lr', 'model.width', 'epochs']));
    expect(paths).not.toContain('seed');
    expect(fields.find((f) => f.path === 'optimizer.lr')!.base).toBe(0.01);
  });

  it('reads single values, comma lists (a sweep) and JSON', () => {
    expect(parseValues('0.001')).toEqual([0.001]);
    expect(parseValues('1e-3, 3e-3,1e-2')).toEqual([0.001, 0.003, 0.01]);
    expect(parseValues('a+b, a*b')).toEqual(['a+b', 'a*b']);
    expect(parseValues('[64, 64]')).toEqual([[64, 64]]);
  });

  it('expands a grid as a cartesian product and refuses a runaway one', () => {
    expect(expandGrid({ a: [1, 2], b: ['x', 'y', 'z'] })).toHaveLength(6);
    expect(() => expandGrid({ a: Array(50).fill(0), b: Array(50).fill(0) })).toThrow(/more than 1000/);
  });

  it('plans the changed settings and the grid, and validates every combination with the shared schema', () => {
    const plan = planRuns(GROKKING_MLP, fields, { 'optimizer.lr': '1e-3, 3e-3', 'model.width': '64', epochs: '1000' });
    expect(plan.set).toEqual({ 'model.width': 64 });
    expect(plan.grid).toEqual({ 'optimizer.lr': [0.001, 0.003] });
    expect(plan.combos).toHaveLength(2);
    expect(plan.errors).toEqual({});
    const bad = planRuns(GROKKING_MLP, fields, { 'optimizer.lr': '0.01, -1', 'dataset.trainFraction': '1.5' });
    expect(bad.errors['optimizer.lr']).toMatch(/> 0/);
    expect(bad.errors['dataset.trainFraction']).toMatch(/\(0, 1\)/);
  });
});

describe('new-run form and model kinds', () => {
  it("drops the old kind's untouched settings on a kind change, and names a setting the new kind lacks", () => {
    const fields = fieldsOf(GROKKING_MLP);
    expect(planRuns(GROKKING_MLP, fields, { 'model.kind': 'mlp' }).errors).toEqual({});
    const bad = planRuns(GROKKING_MLP, fields, { 'model.kind': 'mlp', 'model.width': '64' });
    expect(bad.errors['model.width']).toMatch(/^is not a setting of model kind 'mlp' \(only of 'quadratic-mlp'\)/);
  });

  it("shows the new kind's settings with their defaults once a kind is typed, keeping an edited old one to refuse it", () => {
    const paths = (texts: Record<string, string>) =>
      formFields(GROKKING_MLP, texts)
        .filter((f) => f.path.startsWith('model.'))
        .map((f) => f.path);
    expect(paths({})).toEqual(['model.kind', 'model.width', 'model.initStd']);
    const texts = { 'model.kind': 'mlp' };
    const fields = formFields(GROKKING_MLP, texts);
    expect(paths(texts)).toEqual(['model.kind', 'model.hidden', 'model.activation', 'model.bias', 'model.initScale']);
    expect(fields.find((f) => f.path === 'model.kind')!.base).toBe('quadratic-mlp'); // so the change is sent
    expect(fields.find((f) => f.path === 'model.hidden')!.base).toEqual([512]);
    expect(planRuns(GROKKING_MLP, fields, { ...texts, 'model.hidden': '[64]' })).toMatchObject({
      set: { 'model.kind': 'mlp', 'model.hidden': [64] },
      errors: {},
    });
    const edited = { 'model.width': '64', 'model.kind': 'mlp' };
    const kept = formFields(GROKKING_MLP, edited);
    expect(kept.map((f) => f.path)).toContain('model.width');
    expect(planRuns(GROKKING_MLP, kept, edited).errors['model.width']).toMatch(/not a setting of model kind 'mlp'/);
  });

  it('takes key=value lines as --set does, and names the nearest key of a misspelt one', () => {
    expect(parseExtra('optimizer.lr = 3e-3\n\n# note\n--set model.width=32')).toEqual({
      set: { 'optimizer.lr': 0.003, 'model.width': 32 },
    });
    expect(parseExtra('optimizer.lr 3e-3').error).toMatch(/line 1 .* is not key=value/);
    const plan = planRuns(GROKKING_MLP, fieldsOf(GROKKING_MLP), {}, parseExtra('optimizer.learning_rate=1e-3').set);
    expect(plan.errors['optimizer.learning_rate']).toMatch(/is not a setting of optimizer .*optimizer\.lr/);
  });
});

describe('clone with changes', () => {
  it("pre-fills the settings the run changed from its preset, and starting it reproduces the run's config", () => {
    const run = {
      ...GROKKING_MLP,
      epochs: 50,
      optimizer: { ...(GROKKING_MLP.optimizer as object), lr: 0.003 },
      model: { kind: 'mlp', hidden: [32] },
    };
    const texts = textsFrom(run, GROKKING_MLP);
    expect(texts).toMatchObject({ epochs: '50', 'optimizer.lr': '0.003', 'model.kind': 'mlp', 'model.hidden': '[32]' });
    expect(texts['dataset.p']).toBeUndefined(); // unchanged settings stay the preset's
    const fields = formFields(GROKKING_MLP, texts);
    const plan = planRuns(GROKKING_MLP, fields, texts);
    expect(plan.errors).toEqual({});
    expect(plan.set).toMatchObject({ epochs: 50, 'optimizer.lr': 0.003, 'model.kind': 'mlp', 'model.hidden': [32] });
  });
});
