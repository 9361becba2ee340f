import { invalid, PlateauError } from '../../shared/api/errors';
import type { FeatureDumpData, FeatureSplit, FloatMatrix, LastLayer } from '../ml/metrics/types';
import { isFloatDtype, isIntDtype, type NdArray } from './ndarray';
import { parseNpz, readFileOrThrow } from './npz';
import { parseSafetensors } from './safetensors';

/** A validated feature dump (METRICS.md "Feature dump format"). */
export interface FeatureDump extends FeatureDumpData {
  source: string;
  format: 'npz' | 'safetensors';
  train: FeatureSplit & { labels: Int32Array };
  test?: FeatureSplit & { labels: Int32Array };
  layer: LastLayer & { weight: Float64Array; bias: Float64Array | null };
  /** safetensors `__metadata__` (empty for .npz) */
  metadata: Record<string, string>;
}

/** Reads and validates a .npz or .safetensors feature dump. */
export async function readFeatureDump(path: string): Promise<FeatureDump> {
  return parseFeatureDump(await readFileOrThrow(path), path);
}

/** Validates a dump already in memory; the format comes from the extension, else from the bytes. */
export function parseFeatureDump(bytes: Uint8Array, source: string, format?: 'npz' | 'safetensors'): FeatureDump {
  const fmt = format ?? (/\.npz$/i.test(source) ? 'npz' : /\.safetensors$/i.test(source) ? 'safetensors' : sniff(bytes));
  let arrays!: Map<string, NdArray>;
  let metadata: Record<string, string> = {};
  const guessed = !format && !/\.(npz|safetensors)$/i.test(source);
  try {
    if (fmt === 'npz') arrays = parseNpz(bytes, source);
    else {
      const st = parseSafetensors(bytes, source);
      arrays = st.tensors;
      metadata = st.metadata;
    }
  } catch (err) {
    // An unknown extension that does not parse is most likely not a dump at all: say that first.
    if (guessed && err instanceof PlateauError)
      throw invalid(`${source} is not a feature dump: expected a .npz or .safetensors file (${err.message})`);
    throw err;
  }
  return validateDump(arrays, source, fmt, metadata);
}

const sniff = (bytes: Uint8Array): 'npz' | 'safetensors' => (bytes[0] === 0x50 && bytes[1] === 0x4b ? 'npz' : 'safetensors');

const DTYPE_NAMES: Record<string, string> = {
  f2: 'float16',
  bf16: 'bfloat16',
  f4: 'float32',
  f8: 'float64',
  b1: 'bool',
  i1: 'int8',
  i2: 'int16',
  i4: 'int32',
  i8: 'int64',
  u1: 'uint8',
  u2: 'uint16',
  u4: 'uint32',
  u8: 'uint64',
};

function validateDump(
  arrays: Map<string, NdArray>,
  source: string,
  format: 'npz' | 'safetensors',
  metadata: Record<string, string>,
): FeatureDump {
  const fail = (message: string, array?: string) => invalid(`${source}: ${message}`, { source, array });
  const found = [...arrays.keys()].join(', ') || 'none';
  const get = (name: string, expected: string, required: boolean): NdArray | undefined => {
    const a = arrays.get(name);
    if (!a && required) throw fail(`missing array '${name}' (expected ${expected}); arrays found: ${found}`, name);
    return a;
  };
  const describe = (a: NdArray) => `${DTYPE_NAMES[a.dtype] ?? a.dtype} with shape [${a.shape.join(', ')}]`;
  const requireFloat = (name: string, a: NdArray, expected: string, shape: (number | null)[]) => {
    const shapeOk = a.shape.length === shape.length && shape.every((d, k) => d === null || d === a.shape[k]);
    if (!isFloatDtype(a.dtype) || !shapeOk) throw fail(`array '${name}' must be float ${expected}, got ${describe(a)}`, name);
    checkFinite(name, a, fail);
  };

  const features = get('features', 'float, shape [n, m]', true)!;
  requireFloat('features', features, 'shape [n, m]', [null, null]);
  const [n, m] = features.shape;
  if (n < 1 || m < 1) throw fail(`array 'features' must have at least one row and one column, got shape [${n}, ${m}]`, 'features');
  const weight = get('weight', `float, shape [C, ${m}]`, true)!;
  requireFloat('weight', weight, `shape [C, m] with m = ${m} (the feature dimension)`, [null, m]);
  const C = weight.shape[0];
  if (C < 1) throw fail(`array 'weight' must have at least one row (one per class), got shape [0, ${m}]`, 'weight');
  const labels = toLabels('labels', get('labels', `int, shape [${n}]`, true)!, n, C, 'features', fail, describe);
  const biasArr = get('bias', `float, shape [${C}]`, false);
  if (biasArr) requireFloat('bias', biasArr, `shape [C] = [${C}] (one per row of 'weight')`, [C]);

  const tf = arrays.get('test_features');
  const tl = arrays.get('test_labels');
  if (!!tf !== !!tl) {
    const [have, lack] = tf ? ['test_features', 'test_labels'] : ['test_labels', 'test_features'];
    throw fail(`has '${have}' but no '${lack}'; the test split needs both (or neither)`, lack);
  }
  let test: FeatureDump['test'];
  if (tf && tl) {
    requireFloat('test_features', tf, `shape [n_test, ${m}] (same m as 'features')`, [null, m]);
    const nt = tf.shape[0];
    if (nt < 1) throw fail(`array 'test_features' has no rows; drop the test split or add samples`, 'test_features');
    test = { features: tf.data as FloatMatrix, labels: toLabels('test_labels', tl, nt, C, 'test_features', fail, describe), n: nt, m };
  }
  return {
    source,
    format,
    metadata,
    train: { features: features.data as FloatMatrix, labels, n, m },
    test,
    layer: { weight: Float64Array.from(weight.data), bias: biasArr ? Float64Array.from(biasArr.data) : null, C, m },
  };
}

type Fail = (message: string, array?: string) => Error;

function toLabels(
  name: string,
  a: NdArray,
  n: number,
  C: number,
  rowsOf: string,
  fail: Fail,
  describe: (a: NdArray) => string,
): Int32Array {
  if (!isIntDtype(a.dtype) || a.shape.length !== 1 || a.shape[0] !== n) {
    throw fail(`array '${name}' must be int with shape [${n}] (one per row of '${rowsOf}'), got ${describe(a)}`, name);
  }
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const y = a.data[i];
    if (y < 0 || y >= C) {
      throw fail(`array '${name}' holds ${y} at index ${i}, outside [0, ${C}) (C = ${C} is the number of rows of 'weight')`, name);
    }
    out[i] = y;
  }
  return out;
}

function checkFinite(name: string, a: NdArray, fail: Fail): void {
  const d = a.data;
  const cols = a.shape.length === 2 ? a.shape[1] : 0;
  for (let i = 0; i < d.length; i++) {
    const v = d[i];
    if (v - v !== 0) {
      const where = cols ? `row ${Math.floor(i / cols)}, column ${i % cols}` : `index ${i}`;
      throw fail(`array '${name}' contains ${Number.isNaN(v) ? 'NaN' : v} at ${where}; metrics need finite values`, name);
    }
  }
}
