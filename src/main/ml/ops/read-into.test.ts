import * as tf from '@tensorflow/tfjs';
import { afterAll, describe, expect, it } from 'vitest';
import { initBackend } from '../backend';
import { readInto } from './read-into';

describe('readInto (a tensor copied into an array at an offset)', () => {
  afterAll(() => tf.setBackend('cpu'));
  for (const backend of ['wasm', 'cpu'] as const) {
    it(`writes exactly the tensor's values, at the offset, on ${backend}`, async () => {
      await initBackend(backend);
      expect(tf.getBackend()).toBe(backend);
      // a tensor computed on the backend (a slice of a product), so its values live in that backend's memory
      const t = tf.tidy(() =>
        tf.matMul(tf.tensor2d([1, 2, 3, 4, 5, 6], [3, 2]), tf.tensor2d([1, 0.5, -1, 2], [2, 2])).slice([1, 0], [2, 2]),
      );
      const dst = new Float32Array(8).fill(-7);
      readInto(t, dst, 3);
      // rows 2 and 3 of [[1,2],[3,4],[5,6]] x [[1,0.5],[-1,2]], by hand: [3-4, 1.5+8], [5-6, 2.5+12]
      expect(Array.from(dst)).toEqual([-7, -7, -7, -1, 9.5, -1, 14.5, -7]);
      t.dispose();
    });
  }
});
