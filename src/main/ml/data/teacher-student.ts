import type { TeacherStudentConfig } from '../../../shared/domain/dataset-config';
import { finishDataset, type Dataset, type Split } from './dataset';
import { createRng, type Rng } from './prng';

/** A random one-hidden-layer ReLU teacher: weights N(0, 1/fan_in), so pre-activations stay O(1). */
interface Teacher {
  w1: Float64Array;
  w2: Float64Array;
  dim: number;
  width: number;
  classes: number;
}

function teacherOf(rng: Rng, dim: number, width: number, classes: number): Teacher {
  const w1 = Float64Array.from({ length: width * dim }, () => rng.normal() / Math.sqrt(dim));
  const w2 = Float64Array.from({ length: classes * width }, () => rng.normal() / Math.sqrt(width));
  return { w1, w2, dim, width, classes };
}

/** The teacher's label for one input: argmax of W2 relu(W1 x) (ties: lowest class). */
export function teacherLabel(t: Teacher, x: ArrayLike<number>, offset = 0): number {
  const h = new Float64Array(t.width);
  for (let k = 0; k < t.width; k++) {
    let z = 0;
    for (let j = 0; j < t.dim; j++) z += t.w1[k * t.dim + j] * x[offset + j];
    h[k] = Math.max(0, z);
  }
  let best = 0;
  let bestZ = -Infinity;
  for (let c = 0; c < t.classes; c++) {
    let z = 0;
    for (let k = 0; k < t.width; k++) z += t.w2[c * t.width + k] * h[k];
    if (z > bestZ) {
      bestZ = z;
      best = c;
    }
  }
  return best;
}

function sample(rng: Rng, t: Teacher, n: number): Split {
  const inputs = Float32Array.from({ length: n * t.dim }, () => rng.normal());
  const labels = Int32Array.from({ length: n }, (_, i) => teacherLabel(t, inputs, i * t.dim));
  return { inputs, labels, n };
}

/**
 * Teacher-student classification: Gaussian inputs labelled by a fixed random ReLU network, so the task
 * is exactly realisable by a student of the same shape (a controlled setting for generalization).
 */
export function teacherStudent(seed: number, o: TeacherStudentConfig): Dataset {
  const rng = createRng(seed);
  const teacher = teacherOf(rng.fork(), o.dim, o.teacherWidth, o.classes);
  const ds: Dataset = {
    train: sample(rng, teacher, o.trainSize),
    test: sample(rng, teacher, o.testSize),
    numClasses: o.classes,
    inputDim: o.dim,
    meta: { teacherWidth: o.teacherWidth },
  };
  return finishDataset(ds, { labelNoise: o.labelNoise, normalize: o.normalize }, rng.fork());
}
