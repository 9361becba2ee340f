import { invalid } from '../../../shared/api/errors';
import { elementCount, type NumericArray } from '../ndarray';

/**
 * Copies the view (offset, shape, stride) of a flat storage into a fresh C-order array. torch.save
 * writes whole storages, so a slice or transpose is only ever a window onto them; the bounds are
 * checked first because a corrupted file can claim any view.
 */
export function gatherStrided(
  storage: NumericArray,
  offset: number,
  shape: readonly number[],
  stride: readonly number[],
  where: string,
): NumericArray {
  const count = elementCount(shape, where);
  const ctor = storage.constructor as { new (n: number): NumericArray };
  if (count === 0) return new ctor(0);
  let last = offset;
  for (let k = 0; k < shape.length; k++) {
    if (stride[k] < 0) throw invalid(`${where}: negative stride ${stride[k]} is not something torch writes`);
    last += (shape[k] - 1) * stride[k];
  }
  if (last >= storage.length) {
    throw invalid(
      `${where}: the view (offset ${offset}, shape [${shape.join(', ')}], stride [${stride.join(', ')}]) reaches element ${last} of a storage of ${storage.length}`,
    );
  }
  if (isContiguous(shape, stride)) return storage.slice(offset, offset + count);
  const out = new ctor(count);
  const rank = shape.length;
  const idx = new Array<number>(rank).fill(0);
  let src = offset;
  for (let i = 0; i < count; i++) {
    out[i] = storage[src];
    // Odometer over the C-order index, moving the source position by the view's strides.
    for (let k = rank - 1; k >= 0; k--) {
      idx[k]++;
      src += stride[k];
      if (idx[k] < shape[k]) break;
      src -= stride[k] * shape[k];
      idx[k] = 0;
    }
  }
  return out;
}

/** Row-major contiguity; dimensions of size 1 may carry any stride. */
export function isContiguous(shape: readonly number[], stride: readonly number[]): boolean {
  let expected = 1;
  for (let k = shape.length - 1; k >= 0; k--) {
    if (shape[k] !== 1 && stride[k] !== expected) return false;
    expected *= shape[k];
  }
  return true;
}
