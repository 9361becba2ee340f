import { execFileSync } from 'node:child_process';
import { closeSync, fsyncSync, mkdirSync, mkdtempSync, openSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeSafetensorsHeader, type HeaderSpec } from '../io/safetensors';
import type { BenchCase } from './bench-case';
import { importInChild } from './import-large';
import { PYTHON } from './torch-reference';

/** LLaMA-7B's shapes (hidden 4096, MLP 11008, vocab 32000) in bf16; blocks are added until the size is reached. */
const HIDDEN = 4096;
const MLP = 11008;
const VOCAB = 32000;
/** Shards of at most this many bytes, as `save_pretrained(max_shard_size=...)` cuts them. */
const SHARD_BYTES = 2 * 2 ** 30;

function layout(totalBytes: number): { name: string; shape: number[] }[] {
  const out = [{ name: 'model.embed_tokens.weight', shape: [VOCAB, HIDDEN] }];
  const block = (i: number) => [
    ...['q', 'k', 'v', 'o'].map((p) => ({ name: `model.layers.${i}.self_attn.${p}_proj.weight`, shape: [HIDDEN, HIDDEN] })),
    { name: `model.layers.${i}.mlp.gate_proj.weight`, shape: [MLP, HIDDEN] },
    { name: `model.layers.${i}.mlp.up_proj.weight`, shape: [MLP, HIDDEN] },
    { name: `model.layers.${i}.mlp.down_proj.weight`, shape: [HIDDEN, MLP] },
    { name: `model.layers.${i}.input_layernorm.weight`, shape: [HIDDEN] },
  ];
  const bytes = (ts: { shape: number[] }[]) => ts.reduce((s, t) => s + 2 * t.shape.reduce((a, b) => a * b, 1), 0);
  for (let i = 0; bytes(out) + bytes(block(i)) + 2 * VOCAB * HIDDEN <= totalBytes; i++) out.push(...block(i));
  out.push({ name: 'model.norm.weight', shape: [HIDDEN] }, { name: 'lm_head.weight', shape: [VOCAB, HIDDEN] });
  return out;
}

/** Writes the checkpoint as HF shards with an index; data is bf16 noise of weight-like scale, written from one 16 MiB block. */
function writeModel(dir: string, totalBytes: number): { bytes: number; largest: number; tensors: number } {
  const tensors = layout(totalBytes);
  const block = new Uint16Array(8 * 2 ** 20);
  const f = new Float32Array(1);
  const bits = new Uint32Array(f.buffer);
  let x = 0x9e3779b9;
  for (let i = 0; i < block.length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    f[0] = (x | 0) / 2 ** 31 / 50;
    block[i] = bits[0] >>> 16;
  }
  const raw = new Uint8Array(block.buffer);
  const shards: (typeof tensors)[] = [[]];
  let inShard = 0;
  for (const t of tensors) {
    const b = 2 * t.shape.reduce((a, c) => a * c, 1);
    if (inShard + b > SHARD_BYTES && shards.at(-1)!.length) [inShard] = [0, shards.push([])];
    shards.at(-1)!.push(t);
    inShard += b;
  }
  const weightMap: Record<string, string> = {};
  let total = 0;
  let turn = 0;
  shards.forEach((ts, i) => {
    const file = `model-${String(i + 1).padStart(5, '0')}-of-${String(shards.length).padStart(5, '0')}.safetensors`;
    const specs: HeaderSpec[] = ts.map((t) => ({ ...t, dtype: 'BF16', byteLength: 2 * t.shape.reduce((a, c) => a * c, 1) }));
    const fd = openSync(join(dir, file), 'w');
    try {
      const put = (b: Uint8Array) => {
        for (let done = 0; done < b.length;) done += writeSync(fd, b, done, b.length - done);
      };
      put(encodeSafetensorsHeader(specs, { format: 'pt' }));
      for (const s of specs) {
        const piece = raw.length - 2048;
        for (let left = s.byteLength; left > 0; left -= Math.min(left, piece)) {
          const shift = 2 * (turn++ % 1024); // a different cut of the block each time
          put(raw.subarray(shift, shift + Math.min(left, piece)));
        }
        weightMap[s.name] = file;
        total += s.byteLength;
      }
      fsyncSync(fd); // on the disk before the import starts: its reads come from a clean page cache, with no writeback beside them
    } finally {
      closeSync(fd);
    }
  });
  writeFileSync(join(dir, 'model.safetensors.index.json'), JSON.stringify({ metadata: { total_size: total }, weight_map: weightMap }));
  const config = { model_type: 'llama', hidden_size: HIDDEN, intermediate_size: MLP, vocab_size: VOCAB, torch_dtype: 'bfloat16' };
  writeFileSync(
    join(dir, 'config.json'),
    JSON.stringify({ ...config, num_hidden_layers: tensors.filter((t) => t.name.endsWith('q_proj.weight')).length }),
  );
  const largest = Math.max(...tensors.map((t) => 2 * t.shape.reduce((a, b) => a * b, 1)));
  return { bytes: total, largest, tensors: tensors.length };
}

/** The NumPy peer: the same shards read tensor by tensor, each written out as it came, its squares summed in f32 chunks, fsync. */
const NUMPY_PEER = `
import json, os, sys, time
import numpy as np
src, dst = sys.argv[1], sys.argv[2]
t0, c0 = time.perf_counter(), time.process_time()
idx = json.load(open(os.path.join(src, 'model.safetensors.index.json')))['weight_map']
with open(dst, 'wb') as out:
    for shard in sorted(set(idx.values())):
        path = os.path.join(src, shard)
        n = int.from_bytes(open(path, 'rb').read(8), 'little')
        head = json.loads(open(path, 'rb').read(8 + n)[8:])
        mm = np.memmap(path, dtype=np.uint8, mode='r', offset=8 + n)
        for name, e in head.items():
            if name == '__metadata__': continue
            b, end = e['data_offsets']
            s = 0.0
            for at in range(b, end, 8 << 20):
                raw = np.asarray(mm[at:min(end, at + (8 << 20))])
                out.write(raw.tobytes())
                f = (raw.view(np.uint16).astype(np.uint32) << 16).view(np.float32)
                s += float(np.dot(f, f))
    out.flush(); os.fsync(out.fileno())
print((time.perf_counter() - t0) * 1000, (time.process_time() - c0) * 1000)
`;

/** The same shards re-saved by torch.save as pytorch_model-0000i-of-0000N.bin with their index (on the disk, fsynced). */
const TO_TORCH_BIN = `
import json, os, sys
import numpy as np, torch
d = sys.argv[1]
idx = json.load(open(os.path.join(d, 'model.safetensors.index.json')))['weight_map']
shards, weight_map = sorted(set(idx.values())), {}
for i, shard in enumerate(shards):
    path = os.path.join(d, shard)
    n = int.from_bytes(open(path, 'rb').read(8), 'little')
    head = json.loads(open(path, 'rb').read(8 + n)[8:])
    mm = np.memmap(path, dtype=np.uint8, mode='r', offset=8 + n)
    state = {k: torch.from_numpy(np.array(mm[e['data_offsets'][0]:e['data_offsets'][1]])).view(torch.bfloat16).reshape(e['shape'])
             for k, e in head.items() if k != '__metadata__'}
    f = f'pytorch_model-{i + 1:05d}-of-{len(shards):05d}.bin'
    torch.save(state, os.path.join(d, f))
    fd = os.open(os.path.join(d, f), os.O_RDONLY); os.fsync(fd); os.close(fd)
    weight_map.update({k: f for k in state})
    del state, mm
    os.remove(path)
os.remove(os.path.join(d, 'model.safetensors.index.json'))
json.dump({'metadata': {}, 'weight_map': weight_map}, open(os.path.join(d, 'pytorch_model.bin.index.json'), 'w'))
`;

/**
 * Imports a sharded bf16 checkpoint (LLaMA-7B-shaped tensors, 6 GB by default; PLATEAU_BENCH_IMPORT_GB
 * for a quick run; PLATEAU_BENCH_IMPORT_FORMAT=bin for torch.save shards instead of safetensors) through the import worker `plateau import` uses, in a process of its own: throughput
 * of the source from page cache and peak RSS over the largest tensor, with the NumPy peer's time.
 */
export const importHfBf16Bench: BenchCase = {
  name: 'import_hf_sharded_bf16',
  unit: 'MB/s',
  target: '>= 300 MB/s from page cache; peak RSS <= 2x the largest tensor',
  async run(log) {
    const gb = Number(process.env.PLATEAU_BENCH_IMPORT_GB ?? 6);
    const dir = mkdtempSync(join(tmpdir(), 'plateau-bench-hf-'));
    try {
      const model = join(dir, 'model');
      mkdirSync(model);
      const t0 = performance.now();
      const m = writeModel(model, gb * 1e9);
      log(`wrote ${(m.bytes / 1e9).toFixed(2)} GB of bf16 (${m.tensors} tensors) in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
      const bin = process.env.PLATEAU_BENCH_IMPORT_FORMAT === 'bin';
      if (bin) {
        execFileSync(PYTHON, ['-c', TO_TORCH_BIN, model], { stdio: 'ignore', timeout: 1_800_000 });
        log('re-saved by torch.save as pytorch_model-0000i-of-0000N.bin shards (the NumPy peer reads safetensors: skipped)');
      }
      const { seconds, cpuSeconds, maxRssBytes, result } = await importInChild(model, join(dir, 'run'), dir);
      const mbps = m.bytes / 1e6 / seconds;
      const rssRatio = maxRssBytes / m.largest;
      log(
        `imported ${String(result.checkpoints)} checkpoint in ${seconds.toFixed(1)} s = ${mbps.toFixed(0)} MB/s (CPU ${cpuSeconds.toFixed(1)} s, all threads); peak RSS ${(maxRssBytes / 2 ** 20).toFixed(0)} MiB = ${rssRatio.toFixed(2)} x the largest tensor (${(m.largest / 2 ** 20).toFixed(0)} MiB bf16)`,
      );
      rmSync(join(dir, 'run'), { recursive: true, force: true });
      let peerMs: number | null = null;
      let peerCpuMs: number | null = null;
      if (!bin)
        try {
          const out = execFileSync(PYTHON, ['-c', NUMPY_PEER, model, join(dir, 'peer.bin')], { encoding: 'utf8', timeout: 600_000 });
          [peerMs, peerCpuMs] = out.trim().split('\n').pop()!.split(' ').map(Number);
          log(
            `NumPy peer (read, write, sum of squares, fsync): ${(peerMs / 1000).toFixed(1)} s = ${(m.bytes / 1e3 / peerMs).toFixed(0)} MB/s (CPU ${(peerCpuMs / 1000).toFixed(1)} s)`,
          );
        } catch (err) {
          log(`NumPy peer failed: ${(err as Error).message.split('\n')[0]}`);
        }
      return {
        value: Number(mbps.toFixed(1)),
        extra: {
          seconds: Number(seconds.toFixed(2)),
          cpu_s: Number(cpuSeconds.toFixed(2)),
          format: bin ? 'bin' : 'safetensors',
          gb: Number((m.bytes / 1e9).toFixed(3)),
          peak_rss_mib: Math.round(maxRssBytes / 2 ** 20),
          largest_tensor_mib: Math.round(m.largest / 2 ** 20),
          rss_over_largest: Number(rssRatio.toFixed(3)),
          ...(peerMs
            ? {
                numpy_s: Number((peerMs / 1000).toFixed(2)),
                numpy_mbps: Number((m.bytes / 1e3 / peerMs).toFixed(1)),
                numpy_cpu_s: Number(((peerCpuMs ?? 0) / 1000).toFixed(2)),
                ratio_time_vs_numpy: Number((seconds / (peerMs / 1000)).toFixed(3)),
              }
            : {}),
        },
      };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
};
