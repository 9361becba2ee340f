// A toy dataset as a plugin (PLATEAU_PLUGINS): Gaussian blobs whose means sit on a circle in the first two
// dimensions. The whole extension in one file; deterministic in the run's seed through the host's generator.

export const dataset = {
  kind: 'toy-blobs',
  label: 'Blobs on a circle (toy)',
  description: 'Class c around 3 (cos 2pi c/C, sin 2pi c/C, 0, ...), isotropic noise.',
  schema: (z) =>
    z.strictObject({
      kind: z.literal('toy-blobs'),
      classes: z.int().min(2).max(64).default(3),
      dim: z.int().min(2).max(4096).default(2),
      trainSize: z.int().min(1).max(1e6).default(300),
      testSize: z.int().min(1).max(1e6).default(150),
      spread: z.number().positive().default(0.5),
    }),
  make(config, seed, { createRng }) {
    const rng = createRng(seed);
    const split = (n) => {
      const inputs = new Float32Array(n * config.dim);
      const labels = new Int32Array(n);
      for (let i = 0; i < n; i++) {
        const c = i % config.classes;
        labels[i] = c;
        for (let j = 0; j < config.dim; j++) inputs[i * config.dim + j] = config.spread * rng.normal();
        inputs[i * config.dim] += 3 * Math.cos((2 * Math.PI * c) / config.classes);
        inputs[i * config.dim + 1] += 3 * Math.sin((2 * Math.PI * c) / config.classes);
      }
      return { inputs, labels, n };
    };
    return { train: split(config.trainSize), test: split(config.testSize), numClasses: config.classes, inputDim: config.dim, meta: {} };
  },
};
