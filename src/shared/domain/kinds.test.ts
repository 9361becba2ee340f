import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { settingsAt, unknownSettingMessage } from './config-keys';
import { datasetKinds } from './dataset-config';
import { adoptWireKinds, kindRegistry, kindsOnWire, registrySchema, type KindInfo } from './kinds';
import { PRESETS } from './presets';
import { modelFamilies, trainConfigSchema } from './train-config';

const issues = (r: { success: boolean; error?: z.ZodError }) => r.error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`) ?? [];

describe('kind registries', () => {
  it('read a config through the kind registered for it, and name the registered kinds for an unknown one', () => {
    const reg = kindRegistry<KindInfo>('thing.kind');
    reg.register({ kind: 'a', label: 'A', description: '', schema: z.strictObject({ kind: z.literal('a'), w: z.int().default(3) }) });
    const schema = z.strictObject({ thing: registrySchema<{ kind: string }, { kind: string }>(reg) });
    expect(schema.parse({ thing: { kind: 'a' } })).toEqual({ thing: { kind: 'a', w: 3 } });
    expect(issues(schema.safeParse({ thing: { kind: 'b' } }))).toEqual([
      "thing.kind: must be one of 'a' (a plugin's kind needs its module in PLATEAU_PLUGINS)",
    ]);
    expect(issues(schema.safeParse({ thing: { kind: 'a', w: 1.5, x: 1 } }))).toEqual([
      'thing.w: Invalid input: expected int, received number',
      'thing: Unrecognized key: "x"',
    ]);
    expect(issues(schema.safeParse({ thing: 3 }))).toEqual(["thing: must be an object with a kind: must be one of 'a'"]);
    // registered later (a plugin): the same schema object now accepts it, and lists it
    reg.register({ kind: 'b', label: 'B', description: '', schema: z.strictObject({ kind: z.literal('b') }) });
    expect(schema.parse({ thing: { kind: 'b' } })).toEqual({ thing: { kind: 'b' } });
    expect(issues(schema.safeParse({ thing: { kind: 'c' } }))).toEqual([
      "thing.kind: must be one of 'a', 'b' (a plugin's kind needs its module in PLATEAU_PLUGINS)",
    ]);
    // a kind whose own schema throws (a plugin's bug) still gives an answer, not an exception
    const broken = z.strictObject({ kind: z.literal('c') }).refine(() => {
      throw new Error('boom');
    });
    reg.register({ kind: 'c', label: 'C', description: '', schema: broken });
    expect(issues(schema.safeParse({ thing: { kind: 'c' } }))).toEqual(["thing.kind: the schema of 'c' failed: boom"]);
    expect(() => reg.register({ kind: 'b', label: 'B', description: '', schema: z.strictObject({}) })).toThrow(/'b' is already registered/);
    expect(() => reg.register({ kind: 'B c', label: 'B', description: '', schema: z.strictObject({}) })).toThrow(/must be lower-case/);
  });

  it('list the built-in model families and datasets; the training config rejects an unknown one by name', () => {
    expect(modelFamilies.list().map((f) => f.kind)).toEqual(['quadratic-mlp', 'mlp', 'cnn', 'transformer', 'gpt']);
    expect(datasetKinds.list().map((f) => f.kind)).toEqual([
      ...['modular', 'gaussian-mixture', 'teacher-student', 'sparse-parity'],
      ...['idx', 'npz', 'npy', 'csv', 'text'],
    ]);
    const cfg = { ...PRESETS['double-descent'].config, model: { kind: 'resnet' } };
    expect(issues(trainConfigSchema.safeParse(cfg))).toEqual([
      "model.kind: must be one of 'quadratic-mlp', 'mlp', 'cnn', 'transformer', 'gpt' (a plugin's kind needs its module in PLATEAU_PLUGINS)",
    ]);
  });

  it('cross the wire as JSON Schema: read back, each built-in kind fills the same defaults and refuses the same values', () => {
    const back = kindRegistry<KindInfo>('model.kind');
    adoptWireKinds(back, kindsOnWire(modelFamilies));
    const dsBack = kindRegistry<KindInfo>('dataset.kind');
    adoptWireKinds(dsBack, kindsOnWire(datasetKinds));
    for (const p of Object.values(PRESETS)) {
      const { model, dataset } = p.config as { model: { kind: string }; dataset: { kind: string } };
      expect(back.get(model.kind)!.schema.parse(model), `${p.name} model`).toEqual(modelFamilies.get(model.kind)!.schema.parse(model));
      expect(dsBack.get(dataset.kind)!.schema.parse(dataset), `${p.name} dataset`).toEqual(
        datasetKinds.get(dataset.kind)!.schema.parse(dataset),
      );
    }
    for (const bad of [
      { kind: 'mlp', hidden: [0] },
      { kind: 'mlp', depth: 2 },
      { kind: 'mlp', activation: 'swish' },
    ]) {
      expect(back.get('mlp')!.schema.safeParse(bad).success, JSON.stringify(bad)).toBe(false);
      expect(modelFamilies.get('mlp')!.schema.safeParse(bad).success).toBe(false);
    }
  });

  it('are walked by the settings lookup like a discriminated union (a kind registered later included)', () => {
    const dd = PRESETS['double-descent'].config;
    expect(settingsAt(dd, ['model'])).toMatchObject({ keys: ['kind', 'hidden', 'activation', 'bias', 'initScale'] });
    modelFamilies.register({
      kind: 'toy-linear-test',
      label: 'Toy',
      description: '',
      schema: z.strictObject({ kind: z.literal('toy-linear-test'), initStd: z.number().default(0.01) }),
    });
    const toy = { ...dd, model: { kind: 'toy-linear-test' } };
    expect(trainConfigSchema.parse(toy).model).toEqual({ kind: 'toy-linear-test', initStd: 0.01 });
    expect(unknownSettingMessage(toy, ['model'], 'initstd')).toBe(
      "is not a setting of model kind 'toy-linear-test'. Did you mean model.initStd?",
    );
  });
});
