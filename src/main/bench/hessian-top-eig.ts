import * as tf from '@tensorflow/tfjs';
import { benchBackend, type BenchCase } from './bench-case';
import { createRng, normalArray } from '../ml/data/prng';
import { oneHotLabels } from '../ml/data/tensors';
import { modelHessianMetrics } from '../ml/hessian/model-metrics';
import { mlp } from '../ml/models/mlp';

const N = 6000;
const IN = 784;
const HIDDEN = 512;
const CLASSES = 10;

/**
 * Seconds for `hessian_top_eig` (all parameters, METRICS.md stopping rule) of an MLP 784-512-10
 * on n = 6000 random samples, on wasm. Run once: a single run is already tens of HVPs.
 */
export const hessianTopEigBench: BenchCase = {
  name: 'hessian_top_eig_mlp784_512_10_n6000',
  unit: 's',
  target: '< 30 s',
  async run(log) {
    await benchBackend(log);
    const rng = createRng(0);
    const model = mlp(rng, { inputDim: IN, numClasses: CLASSES, hidden: [HIDDEN], activation: 'relu' });
    const labels = Int32Array.from({ length: N }, () => rng.int(CLASSES));
    const x = tf.tensor2d(normalArray(rng, N * IN), [N, IN]);
    const yOneHot = tf.tensor2d(oneHotLabels(labels, CLASSES), [N, CLASSES]);
    try {
      const t0 = performance.now();
      const r = modelHessianMetrics(model, { x, yOneHot }, ['hessian_top_eig'], { seed: 0 });
      const seconds = (performance.now() - t0) / 1000;
      const eig = r.hessian_top_eig!;
      const perHvp = seconds / eig.iterations;
      log(
        `top eigenvalue ${eig.value.toPrecision(6)} after ${eig.iterations} HVPs (${eig.converged ? 'converged' : 'not converged'}), ${perHvp.toFixed(3)} s per HVP over n=${N}`,
      );
      return {
        value: Number(seconds.toFixed(3)),
        extra: {
          iterations: eig.iterations,
          converged: String(eig.converged),
          s_per_hvp: Number(perHvp.toFixed(4)),
          top_eig: Number(eig.value.toPrecision(6)),
        },
      };
    } finally {
      tf.dispose([x, yOneHot]);
      model.dispose();
    }
  },
};

export default hessianTopEigBench;
