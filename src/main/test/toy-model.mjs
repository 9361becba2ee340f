// A toy model family as a plugin (PLATEAU_PLUGINS): softmax regression, whose last layer reads the inputs
// themselves. The whole extension in one file; plain JS so the built workers import it without a build.

export const modelFamily = {
  kind: 'toy-linear',
  label: 'Linear softmax (toy)',
  description: 'Softmax regression: one linear layer on the dense inputs, which are its features.',
  schema: (z) => z.strictObject({ kind: z.literal('toy-linear'), initStd: z.number().positive().default(0.01) }),
  misfit: (ds) => (ds.tokens ? 'it reads dense rows, not tokens' : undefined),
  build(config, ds, { tf, rng, normalVariable, zerosVariable }) {
    const weight = normalVariable(rng, [ds.numClasses, ds.inputDim], config.initStd);
    const bias = zerosVariable(ds.numClasses);
    return {
      kind: 'toy-linear',
      input: 'dense',
      forward: (x) => ({ logits: tf.add(tf.matMul(x, weight, false, true), bias), features: tf.clone(x) }),
      lastLayer: () => ({ weight, bias }),
      namedWeights: () => ({ 'fc.weight': weight, 'fc.bias': bias }),
      dispose: () => {
        weight.dispose();
        bias.dispose();
      },
    };
  },
};
