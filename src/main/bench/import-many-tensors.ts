import { closeSync, mkdtempSync, openSync, rmSync, statSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeSafetensorsHeader } from '../io/safetensors';
import type { BenchCase } from './bench-case';
import { importInChild } from './import-large';

/** A header listing 100 000 small tensors: what made the import quadratic (30 s, 523 MB) before. */
const TENSORS = 100_000;
const SHAPE = [4];
const TENSOR_BYTES = 16;

function writeManyTensors(path: string): void {
  const spec = (i: number) => ({ name: `blocks.${i}.scale`, dtype: 'F32' as const, shape: SHAPE, byteLength: TENSOR_BYTES });
  const specs = Array.from({ length: TENSORS }, (_, i) => spec(i));
  const data = new Float32Array(TENSORS * SHAPE[0]);
  for (let i = 0; i < data.length; i++) data[i] = ((i * 2654435761) % 1000) / 1000;
  const fd = openSync(path, 'w');
  try {
    for (const b of [encodeSafetensorsHeader(specs), new Uint8Array(data.buffer)]) {
      for (let done = 0; done < b.length;) done += writeSync(fd, b, done, b.length - done);
    }
  } finally {
    closeSync(fd);
  }
}

/**
 * A safetensors file whose header lists 100 000 tensors, through the import worker in processes of
 * their own (for their peak RSS): inspection alone (what the import dialog's preview does), then the
 * whole import. Headline: inspection's seconds; CPU seconds are printed too, as wall time on a shared
 * machine measures the neighbours as much as the code.
 */
export const importManyTensorsBench: BenchCase = {
  name: 'import_safetensors_100k_tensors',
  unit: 's',
  target: 'inspect < 2 s and < 200 MB peak RSS (was 30 s, 523 MB)',
  async run(log) {
    const dir = mkdtempSync(join(tmpdir(), 'plateau-bench-import-'));
    try {
      const path = join(dir, 'many.safetensors');
      writeManyTensors(path);
      const headerMib = (statSync(path).size - TENSORS * TENSOR_BYTES) / 2 ** 20;
      const mib = (b: number) => Math.round(b / 2 ** 20);
      // Process start (~0.1 s) is in both figures: the bar is met with it.
      const inspect = await importInChild(path, join(dir, 'run'), dir, true);
      log(
        `inspected ${String(inspect.result.tensors)} tensors (a ${headerMib.toFixed(1)} MiB header) in ${inspect.seconds.toFixed(2)} s ` +
          `(${inspect.cpuSeconds.toFixed(2)} CPU s); peak RSS ${mib(inspect.maxRssBytes)} MiB`,
      );
      const full = await importInChild(path, join(dir, 'run'), dir);
      log(
        `imported them as a checkpoint in ${full.seconds.toFixed(2)} s (${full.cpuSeconds.toFixed(2)} CPU s); ` +
          `peak RSS ${mib(full.maxRssBytes)} MiB`,
      );
      return {
        value: Number(inspect.seconds.toFixed(2)),
        extra: {
          inspect_cpu_s: Number(inspect.cpuSeconds.toFixed(2)),
          inspect_peak_rss_mib: mib(inspect.maxRssBytes),
          import_s: Number(full.seconds.toFixed(2)),
          import_cpu_s: Number(full.cpuSeconds.toFixed(2)),
          import_peak_rss_mib: mib(full.maxRssBytes),
          header_mib: Number(headerMib.toFixed(2)),
        },
      };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
};

export default importManyTensorsBench;
