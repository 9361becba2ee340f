import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { availableBackends, BACKEND_ORDER, initBackend } from './backend';

describe('backend', () => {
  it('probes every backend without initialising any', () => {
    const probes = availableBackends();
    expect(probes.map((p) => p.name)).toEqual([...BACKEND_ORDER]);
    expect(probes.find((p) => p.name === 'wasm')?.available).toBe(true);
    expect(probes.find((p) => p.name === 'cpu')?.available).toBe(true);
    for (const p of probes) if (!p.available) expect(p.reason).toBeTruthy();
  });

  it('initialises wasm from the package folder on disk and reports it', async () => {
    const info = await initBackend('wasm');
    expect(info).toMatchObject({ name: 'wasm', tfjsVersion: tf.version.tfjs });
    expect(info.threads).toBeGreaterThanOrEqual(1);
    expect(tf.getBackend()).toBe('wasm');
    expect(tf.tidy(() => tf.add(tf.scalar(1), tf.scalar(2)).dataSync()[0])).toBe(3);
  });

  it('falls through the order to what is available', async () => {
    const info = await initBackend();
    const first = availableBackends().find((p) => p.available && p.name !== 'webgpu');
    expect(info.name).toBe(first?.name);
    expect((await initBackend('cpu')).name).toBe('cpu');
    expect(tf.getBackend()).toBe('cpu');
  });
});
