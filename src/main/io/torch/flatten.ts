import type { ImportScalar, SkippedEntry } from '../import-types';
import { isTuple, PyGlobal, PyObject, type PickleValue } from './pickle';
import { NumpyArray, TorchStorage, TorchTensor } from './torch-values';

export interface Flattened {
  tensors: { name: string; value: TorchTensor | NumpyArray }[];
  scalars: Record<string, ImportScalar>;
  skipped: SkippedEntry[];
}

/** Past this many visited nodes the pickle is a pathological DAG (shared references nested deep). */
const MAX_NODES = 2_000_000;
/** Longer lists of plain numbers (an optimizer's `params` ids) are bookkeeping, not scalars to show. */
const MAX_SCALAR_LIST = 16;

/**
 * Walks the unpickled object and names every tensor and scalar by its dotted path
 * ('model.layers.0.weight', 'optimizer.param_groups.0.lr'). Guards against cycles, which a pickle can build.
 */
export function flattenCheckpoint(root: PickleValue): Flattened {
  // scalars without a prototype: a key '__proto__' in the checkpoint stays a scalar, not a prototype assignment
  const out: Flattened = { tensors: [], scalars: Object.create(null), skipped: [] };
  const seen = new Set<string>();
  const onPath = new Set<unknown>();
  let nodes = 0;
  /** Tensors and scalars named so far: counted, as Object.keys(scalars) per object would be quadratic. */
  let found = 0;
  const join = (prefix: string, key: string) => (prefix ? `${prefix}.${key}` : key);
  const claim = (name: string): string | undefined => {
    const n = name || 'value';
    if (seen.has(n)) {
      out.skipped.push({ name: n, reason: 'duplicate name' });
      return undefined;
    }
    seen.add(n);
    found++;
    return n;
  };

  const visit = (x: PickleValue, name: string): void => {
    if (++nodes > MAX_NODES) throw new RangeError('too many nested values');
    if (x === null || x === undefined) return;
    if (typeof x === 'number' || typeof x === 'string' || typeof x === 'boolean' || typeof x === 'bigint') {
      const n = claim(name);
      if (n !== undefined) out.scalars[n] = typeof x === 'bigint' ? x.toString() : x;
      return;
    }
    if (x instanceof TorchTensor || x instanceof NumpyArray) {
      const n = claim(name);
      if (n !== undefined) out.tensors.push({ name: n, value: x });
      return;
    }
    if (x instanceof PyGlobal) {
      const n = claim(name);
      if (n !== undefined) out.scalars[n] = x.qualified; // e.g. a dtype such as torch.float32
      return;
    }
    if (typeof x !== 'object') return;
    if (onPath.has(x)) {
      out.skipped.push({ name: name || 'value', reason: 'refers back to a containing value (cycle)' });
      return;
    }
    onPath.add(x);
    try {
      if (x instanceof Map) {
        for (const [k, v] of x) visit(v, join(name, keyName(k)));
      } else if (Array.isArray(x)) {
        if (x.length > MAX_SCALAR_LIST && x.every((v) => typeof v === 'number')) {
          out.skipped.push({ name: name || 'value', reason: `a ${isTuple(x) ? 'tuple' : 'list'} of ${x.length} numbers` });
        } else x.forEach((v, i) => visit(v, join(name, String(i))));
      } else if (x instanceof PyObject) {
        // An object we did not build: its pickled state may still hold tensors (e.g. a module's __dict__).
        const before = found;
        if (x.state instanceof Map || Array.isArray(x.state)) visit(x.state, name);
        if (x.dictItems) visit(x.dictItems, name);
        if (x.listItems) visit(x.listItems, name);
        if (found === before) {
          out.skipped.push({ name: name || 'value', reason: `object of ${x.__global__} (not rebuilt; pickled code is never run)` });
        }
      } else if (x instanceof TorchStorage) {
        out.skipped.push({ name: name || 'value', reason: `a bare ${x.storageType} (not a tensor)` });
      } else if (x instanceof Uint8Array) {
        out.skipped.push({ name: name || 'value', reason: `${x.length} bytes` });
      } else if (x instanceof Set) {
        out.skipped.push({ name: name || 'value', reason: 'a set' });
      }
    } finally {
      onPath.delete(x);
    }
  };
  visit(root, '');
  return out;
}

function keyName(k: PickleValue): string {
  if (typeof k === 'string') return k;
  if (typeof k === 'number' || typeof k === 'bigint') return String(k);
  if (typeof k === 'boolean') return k ? 'True' : 'False';
  if (k === null) return 'None';
  if (Array.isArray(k)) return k.map(keyName).join(',');
  if (k instanceof PyGlobal) return k.qualified;
  return '?';
}
