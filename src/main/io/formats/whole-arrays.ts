import { invalid } from '../../../shared/api/errors';
import type { ImportScalar } from '../import-types';
import { countNonFinite, type NdArray } from '../ndarray';
import type { FileImport } from './registry';

/** A file parsed whole (npy, npz, a feature dump): NaN/Inf counts cost one pass and show at inspection. */
export function fromArrays(path: string, format: string, arrays: Map<string, NdArray>, scalars?: Record<string, ImportScalar>): FileImport {
  const tensors = [...arrays].map(([name, a]) => {
    const nonFinite = countNonFinite(a.data);
    return { name, shape: a.shape, dtype: a.dtype, ...(nonFinite ? { nonFinite } : {}) };
  });
  return {
    format,
    source: path,
    tensors,
    ...(scalars && Object.keys(scalars).length ? { scalars } : {}),
    load: async (names) => {
      for (const n of names ?? []) if (!arrays.has(n)) throw invalid(`${path}: no array named '${n}'`, { source: path });
      const want = names && new Set(names);
      return [...arrays].filter(([n]) => !want || want.has(n)).map(([name, a]) => ({ name, ...a }));
    },
  };
}

/** safetensors `__metadata__` as scalars: numbers where they read as numbers. */
export function metadataScalars(metadata: Record<string, string>): Record<string, ImportScalar> {
  const out: Record<string, ImportScalar> = Object.create(null); // a '__proto__' key stays data
  for (const [k, v] of Object.entries(metadata)) out[k] = v !== '' && Number.isFinite(Number(v)) ? Number(v) : v;
  return out;
}
