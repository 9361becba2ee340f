import { describe, expect, it } from 'vitest';
import { setWasmBackendThreaded } from './wasm-threads';

describe('multi-threaded wasm', () => {
  it('declines, changing nothing, where the package lacks its pthread files (the single-threaded build serves)', async () => {
    const calls: number[] = [];
    const fake = { setThreadsCount: (n: number) => void calls.push(n), getThreadsCount: () => 1 };
    expect(await setWasmBackendThreaded(fake, '/nonexistent/tfjs-backend-wasm/dist', 2)).toBe(false);
    expect(calls).toEqual([]);
    expect((globalThis as { Worker?: unknown }).Worker).toBeUndefined();
  });
});
