// Writes an LM dump set (export_features.py `lm` layout) from arrays in memory: for tests and the
// e2e fixtures, without Python. float32 features; the exporter's float16 is tested through Python.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { zipSync } from 'fflate';
import { encodeNpy } from '../io/npy';

export interface DumpSetSpec {
  weight: Float32Array;
  bias?: Float32Array;
  C: number;
  m: number;
  sets: { name: string; features: Float32Array; labels: Int32Array }[];
  chunkRows: number;
  trainSet?: string | null;
  step?: number | null;
  /** overrides merged into manifest.json (to write a broken one on purpose) */
  manifest?: Record<string, unknown>;
}

const npz = (arrays: Record<string, Uint8Array>) => zipSync(arrays, { level: 0 });

export function writeDumpSet(dir: string, s: DumpSetSpec): string {
  mkdirSync(dir, { recursive: true });
  const head: Record<string, Uint8Array> = { 'weight.npy': encodeNpy([s.C, s.m], s.weight) };
  if (s.bias) head['bias.npy'] = encodeNpy([s.C], s.bias);
  writeFileSync(join(dir, 'head.npz'), npz(head));
  const sets = s.sets.map(({ name, features, labels }) => {
    mkdirSync(join(dir, name), { recursive: true });
    const chunks = [];
    for (let start = 0, k = 0; start < labels.length; start += s.chunkRows, k++) {
      const rows = Math.min(s.chunkRows, labels.length - start);
      const file = `${name}/chunk-${String(k).padStart(5, '0')}.npz`;
      const f = features.slice(start * s.m, (start + rows) * s.m);
      const y = labels.slice(start, start + rows);
      writeFileSync(join(dir, file), npz({ 'features.npy': encodeNpy([rows, s.m], f), 'labels.npy': encodeNpy([rows], y) }));
      chunks.push({ file, rows });
    }
    return { name, positions: labels.length, tokens: labels.length + 1, chunks };
  });
  const manifest = {
    format: 'plateau-lm-features',
    version: 1,
    dtype: 'float32',
    features: s.m,
    classes: s.C,
    head: { file: 'head.npz', weight: [s.C, s.m], bias: s.bias ? [s.C] : null },
    tokenizer: 'bytes',
    context: 128,
    train_set: s.trainSet ?? null,
    step: s.step ?? null,
    sets,
    ...s.manifest,
  };
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify(manifest, null, 1));
  return dir;
}
