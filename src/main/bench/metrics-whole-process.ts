import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeNpy } from '../io/npy';
import { encodeSafetensors } from '../io/safetensors';
import type { FeatureDumpData } from '../ml/metrics/types';
import { benchThreadEnv } from './bench-case';
import { NUMPY_REFERENCE_SCRIPT } from './metrics-numpy-reference';
import { cliPath } from './train-cli';

const PYTHON = '/usr/bin/python3';

/**
 * What a user waits for: `plateau metrics --features DUMP --json` as a fresh process (start-up, reading the
 * dump, every closed-form key, printing) against `python3` doing the same with NumPy from .npy files (start-up,
 * import numpy, load, the reference computation once). Best of 3 each, alternated; both on the bench's threads.
 */
export function wholeProcessRatio(dump: FeatureDumpData, log: (line: string) => void): Record<string, number> | null {
  const dir = mkdtempSync(join(tmpdir(), 'plateau-bench-whole-'));
  try {
    const { train, layer } = dump;
    const bias = layer.bias ?? new Float32Array(layer.C);
    const f32 = (a: Float32Array | Float64Array) => (a instanceof Float32Array ? a : Float32Array.from(a));
    const file = join(dir, 'dump.safetensors');
    writeFileSync(
      file,
      encodeSafetensors({
        features: { shape: [train.n, train.m], data: f32(train.features) },
        labels: { shape: [train.n], data: Int32Array.from(train.labels) },
        weight: { shape: [layer.C, layer.m], data: f32(layer.weight) },
        bias: { shape: [layer.C], data: f32(bias) },
      }),
    );
    writeFileSync(join(dir, 'features.npy'), encodeNpy([train.n, train.m], f32(train.features)));
    writeFileSync(join(dir, 'labels.npy'), encodeNpy([train.n], Int32Array.from(train.labels)));
    writeFileSync(join(dir, 'weight.npy'), encodeNpy([layer.C, layer.m], f32(layer.weight)));
    writeFileSync(join(dir, 'bias.npy'), encodeNpy([layer.C], f32(bias)));
    const env = benchThreadEnv();
    const timed = (fn: () => void) => {
      const t0 = performance.now();
      fn();
      return (performance.now() - t0) / 1000;
    };
    let ours = Infinity,
      theirs = Infinity;
    for (let rep = 0; rep < 3; rep++) {
      ours = Math.min(
        ours,
        timed(() => execFileSync(process.execPath, [cliPath(), 'metrics', '--features', file, '--json'], { env, stdio: 'pipe' })),
      );
      theirs = Math.min(
        theirs,
        timed(() => execFileSync(PYTHON, ['-c', NUMPY_REFERENCE_SCRIPT, dir, 'once'], { env, stdio: 'pipe' })),
      );
    }
    const ratio = ours / theirs;
    log(
      `whole process, best of 3: plateau metrics --features ${ours.toFixed(3)} s, python3 + NumPy ${theirs.toFixed(3)} s: ${ratio.toFixed(2)}x`,
    );
    return { whole_s: Number(ours.toFixed(3)), numpy_whole_s: Number(theirs.toFixed(3)), whole_ratio: Number(ratio.toFixed(3)) };
  } catch (err) {
    log(`whole-process comparison skipped: ${(err as Error).message.split('\n')[0]}`);
    return null;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
