import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../backend';

beforeAll(async () => {
  await initBackend('wasm');
});

/** x[begin : begin + size] of a row-major array by the definition: every output index mapped back one by one. */
function sliceByDefinition(data: number[], shape: number[], begin: number[], size: number[]): number[] {
  const out: number[] = [];
  const total = size.reduce((a, b) => a * b, 1);
  for (let o = 0; o < total; o++) {
    let [rest, src] = [o, 0];
    for (let a = shape.length - 1, stride = 1; a >= 0; a--) {
      const i = rest % size[a]!;
      rest = Math.floor(rest / size[a]!);
      src += (begin[a]! + i) * stride;
      stride *= shape[a]!;
    }
    out.push(data[src]!);
  }
  return out;
}

describe('wasm slice kernel', () => {
  const cases: Array<[number[], number[], number[]]> = [
    [[10], [3], [4]],
    [
      [6, 9],
      [0, 3],
      [6, 3],
    ], // columns: a q/k/v split
    [
      [6, 9],
      [2, 0],
      [3, 9],
    ], // whole rows: one run
    [
      [4, 5, 6],
      [1, 2, 0],
      [2, 3, 6],
    ],
    [
      [4, 5, 6],
      [0, 1, 2],
      [4, 3, 3],
    ],
    [
      [3, 4, 5, 6],
      [1, 0, 2, 1],
      [2, 4, 2, 4],
    ],
    [
      [3, 4, 5],
      [1, 1, 1],
      [0, 2, 2],
    ], // empty
  ];
  it.each(cases)('slices %j from %j, size %j, as the definition (float32 and int32)', (shape, begin, size) => {
    const n = shape.reduce((a, b) => a * b, 1);
    const data = Array.from({ length: n }, (_, i) => i * 3 - 7);
    const want = sliceByDefinition(data, shape, begin, size);
    for (const dtype of ['float32', 'int32'] as const) {
      const y = tf.tidy(() => tf.slice(tf.tensor(data, shape, dtype), begin, size));
      expect(y.shape).toEqual(size);
      expect(y.dtype).toBe(dtype);
      expect(Array.from(y.dataSync())).toEqual(want);
      y.dispose();
    }
  });

  it('resolves size -1 to the end of the axis, and its gradient pads back', () => {
    const x = tf.tensor2d([1, 2, 3, 4, 5, 6], [2, 3]);
    expect(tf.slice(x, [0, 1], [-1, -1]).arraySync()).toEqual([
      [2, 3],
      [5, 6],
    ]);
    const g = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.slice(t, [0, 1], [2, 2]), tf.tensor2d([1, 2, 3, 4], [2, 2]))))(x);
    expect(g.arraySync()).toEqual([
      [0, 1, 2],
      [0, 3, 4],
    ]);
    tf.dispose([x, g]);
  });
});
