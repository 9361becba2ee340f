import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../backend';
import { loadBlas } from '../blas';
import { transposeInto, wasmMatMulIsBlas } from './wasm-kernels';

beforeAll(async () => {
  await initBackend('wasm');
});

const values = (n: number, f: (i: number) => number) => Float32Array.from({ length: n }, (_, i) => f(i));

describe('wasm kernels', () => {
  it('tiled transpose equals the definition, across tile edges', () => {
    const [r, c] = [37, 53]; // not multiples of the tile
    const src = values(r * c, (i) => i);
    const dst = new Float32Array(r * c);
    transposeInto(src, dst, r, c);
    for (let i = 0; i < r; i++) for (let j = 0; j < c; j++) expect(dst[j * r + i]).toBe(src[i * c + j]);
  });

  it('tf.transpose on wasm: 2-D through the tiled kernel, other ranks and vectors unchanged', () => {
    const x = tf.tensor2d(
      values(6, (i) => i + 1),
      [2, 3],
    );
    expect(tf.transpose(x).arraySync()).toEqual([
      [1, 4],
      [2, 5],
      [3, 6],
    ]);
    const x3 = tf.tensor3d(
      values(24, (i) => i),
      [2, 3, 4],
    );
    expect(tf.transpose(x3, [2, 0, 1]).shape).toEqual([4, 2, 3]);
    expect((tf.transpose(x3, [2, 0, 1]).arraySync() as number[][][])[3][1][2]).toBe(1 * 12 + 2 * 4 + 3);
    expect(tf.transpose(tf.tensor2d([1, 2, 3], [1, 3])).arraySync()).toEqual([[1], [2], [3]]);
    tf.dispose([x, x3]);
  });

  const blas = loadBlas();
  it.skipIf(!blas)(
    'matMul through the BLAS (skipped without a system BLAS): transposed, batched and broadcast forms match float64 products',
    () => {
      expect(wasmMatMulIsBlas()).toBe(true);
      const [m, k, n] = [6, 4, 5];
      const a = tf.tensor2d(
        values(m * k, (i) => Math.sin(i)),
        [m, k],
      );
      const b = tf.tensor2d(
        values(k * n, (i) => Math.cos(i)),
        [k, n],
      );
      const want = tf.matMul(a, b).arraySync() as number[][];
      const direct = (i: number, j: number) => {
        let s = 0;
        for (let p = 0; p < k; p++) s += Math.sin(i * k + p) * Math.cos(p * n + j);
        return s;
      };
      want.forEach((row, i) => row.forEach((v, j) => expect(v).toBeCloseTo(direct(i, j), 5)));
      const forms = [
        tf.matMul(tf.transpose(a), b, true, false),
        tf.matMul(a, tf.transpose(b), false, true),
        tf.matMul(tf.transpose(a), tf.transpose(b), true, true),
      ];
      for (const f of forms) expect(f.arraySync()).toEqual(want);
      const a3 = tf.stack([a, tf.mul(a, 2)]) as tf.Tensor3D;
      const batched = tf.matMul(a3, tf.stack([b, b]) as tf.Tensor3D).arraySync() as number[][][];
      batched[1].forEach((row, i) => row.forEach((v, j) => expect(v).toBeCloseTo(2 * direct(i, j), 5)));
      const broadcast = tf.matMul(tf.expandDims(a, 0) as tf.Tensor3D, tf.stack([b, tf.neg(b)]) as tf.Tensor3D).arraySync() as number[][][];
      broadcast[1].forEach((row, i) => row.forEach((v, j) => expect(v).toBeCloseTo(-direct(i, j), 5)));
      expect(() => tf.matMul(a, a)).toThrow(/inner shapes/);
      tf.dispose([a, b, a3, ...forms]);
    },
  );

  it('tf.gather of rows on wasm (the row-copy kernel) equals the definition; other forms fall back; bad ids throw', () => {
    const [rows, width] = [97, 33];
    const table = values(rows * width, (i) => Math.sin(i));
    const ids = Int32Array.from({ length: 500 }, (_, i) => (i * 37) % rows);
    const got = tf.tidy(() => tf.gather(tf.tensor2d(table, [rows, width]), tf.tensor1d(ids, 'int32')).dataSync());
    ids.forEach((r, i) => {
      for (let j = 0; j < width; j++) expect(got[i * width + j]).toBe(table[r * width + j]);
    });
    // axis 1 and 3-D params go to the stock kernel
    expect(tf.tidy(() => tf.gather(tf.tensor2d([1, 2, 3, 4], [2, 2]), tf.tensor1d([1], 'int32'), 1).arraySync())).toEqual([[2], [4]]);
    expect(tf.tidy(() => tf.gather(tf.tensor3d([1, 2, 3, 4], [2, 1, 2]), tf.tensor1d([1], 'int32')).arraySync())).toEqual([[[3, 4]]]);
    expect(() => tf.tidy(() => tf.gather(tf.tensor2d([1, 2], [1, 2]), tf.tensor1d([1], 'int32')))).toThrow(
      /embedding id 1 out of range \[0, 1\)/,
    );
  });
});
