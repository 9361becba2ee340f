// Synthetic TensorBoard logs for the import bench: runs of scalars as PyTorch's SummaryWriter writes them
// (one Event per add_scalar call), framed as TFRecords, up to a total size.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { maskedCrc32c } from '../io/logs/crc32c';
import { encodeEvent } from '../io/logs/tf-event-proto';

const TAGS = ['train/loss', 'train/acc', 'train/lr', 'test/loss', 'test/acc', 'grad/norm', 'weights/fc1_norm', 'weights/fc2_norm'];

function frame(data: Uint8Array): Uint8Array {
  const out = new Uint8Array(16 + data.length);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(data.length), true);
  view.setUint32(8, maskedCrc32c(out, 0, 8), true);
  out.set(data, 12);
  view.setUint32(12 + data.length, maskedCrc32c(data), true);
  return out;
}

/** Writes `runs` run folders totalling about `bytes`; returns the bytes written and the scalar points. */
export function writeTfeventsFolder(dir: string, runs: number, bytes: number): { bytes: number; points: number } {
  let total = 0;
  let points = 0;
  for (let r = 0; r < runs; r++) {
    const runDir = join(dir, `run-${r}`);
    mkdirSync(runDir, { recursive: true });
    const parts: Uint8Array[] = [frame(encodeEvent({ wall_time: 1.7e9, file_version: 'brain.Event:2' }))];
    let size = parts[0].length;
    for (let step = 0; size < bytes / runs; step++) {
      for (const [i, tag] of TAGS.entries()) {
        const value = Math.exp(-step / 5000) * (i + 1) + Math.sin(step * 0.01 + i) * 0.01;
        const rec = frame(encodeEvent({ wall_time: 1.7e9 + step * 0.1, step, summary: { value: [{ tag, simple_value: value }] } }));
        parts.push(rec);
        size += rec.length;
        points++;
      }
    }
    writeFileSync(join(runDir, `events.out.tfevents.1700000000.bench.${r}.0`), Buffer.concat(parts));
    total += size;
  }
  return { bytes: total, points };
}
