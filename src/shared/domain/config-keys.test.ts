import { describe, expect, it } from 'vitest';
import { applyConfigOverrides, settingsAt, unknownSettingMessage } from './config-keys';
import { GROKKING_MLP, PRESETS } from './presets';

const DD = PRESETS['double-descent'].config;

describe('config keys', () => {
  it('reads the settings at a path off the schema, by the kind the config has', () => {
    expect(settingsAt(GROKKING_MLP, ['model'])).toMatchObject({
      keys: ['kind', 'width', 'initStd'],
      kind: { field: 'kind', value: 'quadratic-mlp' },
    });
    expect(settingsAt(DD, ['model'])?.keys).toEqual(['kind', 'hidden', 'activation', 'bias', 'initScale']);
    expect(settingsAt(GROKKING_MLP, ['checkpoints'])).toEqual({ keys: ['everySteps', 'everyEpochs', 'perDecade', 'firstAndLast'] });
    expect(settingsAt(PRESETS['grokking-anti-collapse'].config, ['interventions', 0])?.keys).toContain('toEpoch');
    expect(settingsAt(GROKKING_MLP, [])?.keys).toContain('batchSize');
    expect(settingsAt(GROKKING_MLP, ['epochs'])).toBeNull();
    expect(settingsAt({ model: { kind: 'nope' } }, ['model'])).toBeNull();
  });

  it('names an unknown key with its nearest settings, or with the kind it belongs to', () => {
    expect(unknownSettingMessage(GROKKING_MLP, ['optimizer'], 'learning_rate')).toBe(
      "is not a setting of optimizer kind 'adamw'. Did you mean optimizer.lr?",
    );
    expect(unknownSettingMessage(GROKKING_MLP, ['model'], 'widht')).toBe(
      "is not a setting of model kind 'quadratic-mlp'. Did you mean model.width?",
    );
    expect(unknownSettingMessage(DD, ['model'], 'width')).toBe(
      "is not a setting of model kind 'mlp' (only of 'quadratic-mlp'). Settings of model kind 'mlp': kind, hidden, activation, bias, initScale.",
    );
    expect(unknownSettingMessage(GROKKING_MLP, [], 'batch_size')).toBe('is not a setting of the training config. Did you mean batchSize?');
  });

  it('takes a changed kind to the new kind, keeping only the settings both kinds have', () => {
    const out = applyConfigOverrides(GROKKING_MLP, {
      'optimizer.lr': 0.1,
      'optimizer.kind': 'sgd',
      'model.kind': 'mlp',
      'model.hidden': [8],
    });
    expect(out.optimizer).toEqual({ kind: 'sgd', lr: 0.1, weightDecay: 1 });
    expect(out.model).toEqual({ kind: 'mlp', hidden: [8] });
    // a key set on purpose is never dropped: the schema then refuses it by name
    expect(applyConfigOverrides(GROKKING_MLP, { 'model.kind': 'mlp', 'model.width': 64 }).model).toEqual({ kind: 'mlp', width: 64 });
    expect(GROKKING_MLP.model).toEqual({ kind: 'quadratic-mlp', width: 128, initStd: 0.5 / Math.cbrt(2 * 128) });
  });
});
