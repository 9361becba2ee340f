import { readFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { invalid, PlateauError } from '../../shared/api/errors';
import type { ImportedTensor, SkippedEntry, TensorInfo } from './import-types';
import { asReadError, decodeElements, elementCount, halfToFloat, nameTable } from './ndarray';
import { readFileOrThrow } from './npz';

/** A TF.js model.json (layers or graph model) and the weights its manifest lists. */
export interface TfjsIndex {
  format: 'tfjs';
  source: string;
  tensors: TensorInfo[];
  skipped: SkippedEntry[];
  load(names?: readonly string[]): Promise<ImportedTensor[]>;
}

interface ManifestWeight {
  name: string;
  shape: number[];
  dtype: string;
  quantization?: { dtype: string; scale?: number; min?: number };
}

interface Planned {
  group: number;
  /** Byte offset inside the concatenation of the group's shards. */
  offset: number;
  bytes: number;
  weight: ManifestWeight;
}

const WIDTH = nameTable({ float32: 4, int32: 4, bool: 1, uint8: 1, uint16: 2, float16: 2 });
const OUT_DTYPE = nameTable({ float32: 'f4', int32: 'i4', bool: 'b1' });

/** Reads model.json and plans where each weight lies; no shard is read until `load`. */
export async function inspectTfjsModel(path: string): Promise<TfjsIndex> {
  const fail = (problem: string) => invalid(`${path}: ${problem}`, { source: path });
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(await readFileOrThrow(path)));
  } catch (err) {
    if (err instanceof PlateauError) throw err;
    throw fail('is not valid UTF-8 JSON');
  }
  const manifest = (json as { weightsManifest?: unknown } | null)?.weightsManifest;
  if (!Array.isArray(manifest)) throw fail("has no 'weightsManifest' list; not a TF.js model.json");
  const dir = dirname(path);
  const groups: string[][] = [];
  const planned: Planned[] = [];
  const tensors: TensorInfo[] = [];
  const skipped: SkippedEntry[] = [];
  const seen = new Set<string>();
  manifest.forEach((g: { paths?: unknown; weights?: unknown }, gi) => {
    if (!Array.isArray(g?.paths) || !g.paths.every((p) => typeof p === 'string') || !Array.isArray(g.weights)) {
      throw fail(`weightsManifest[${gi}] needs 'paths' (strings) and 'weights' (a list)`);
    }
    groups.push(
      g.paths.map((p: string) => {
        // Shards must sit beside model.json: a manifest must not make us read arbitrary files.
        if (p !== basename(p) || p === '..' || p === '.') throw fail(`shard path '${p}' leaves the model's folder`);
        return join(dir, p);
      }),
    );
    let offset = 0;
    for (const [wi, w] of (g.weights as ManifestWeight[]).entries()) {
      const where = `weightsManifest[${gi}].weights[${wi}]`;
      if (typeof w?.name !== 'string' || !Array.isArray(w.shape) || typeof w.dtype !== 'string')
        throw fail(`${where} needs 'name', 'shape' and 'dtype'`);
      const count = elementCount(w.shape, `${path}: weight '${w.name}'`);
      const q = w.quantization;
      const stored = q ? q.dtype : w.dtype;
      const width = WIDTH[stored];
      const out = OUT_DTYPE[w.dtype];
      if (width === undefined || out === undefined) {
        // Strings have per-element lengths and complex64 no NdArray type: without their size we cannot go on.
        throw fail(
          `weight '${w.name}' has unsupported dtype '${stored}' (supported: float32, int32, bool; quantized uint8, uint16, float16)`,
        );
      }
      if (q && q.dtype !== 'float16' && (typeof q.scale !== 'number' || typeof q.min !== 'number')) {
        throw fail(`weight '${w.name}' is ${q.dtype}-quantized but lacks 'scale' and 'min'`);
      }
      planned.push({ group: gi, offset, bytes: count * width, weight: w });
      if (seen.has(w.name)) throw fail(`weight '${w.name}' appears twice in the weightsManifest`);
      seen.add(w.name);
      tensors.push({ name: w.name, shape: [...w.shape], dtype: out }); // quantized: the decoded type
      offset += count * width;
    }
  });

  const known = new Set(tensors.map((t) => t.name));
  const load = async (wanted?: readonly string[]): Promise<ImportedTensor[]> => {
    const want = wanted ? new Set(wanted) : undefined;
    for (const n of want ?? []) if (!known.has(n)) throw fail(`no weight named '${n}'`);
    const buffers = new Map<number, Uint8Array>();
    const out: ImportedTensor[] = [];
    for (const [i, p] of planned.entries()) {
      if (want && !want.has(p.weight.name)) continue;
      let buf = buffers.get(p.group);
      if (!buf) {
        buf = await readGroup(groups[p.group], path);
        buffers.set(p.group, buf);
      }
      if (p.offset + p.bytes > buf.length) {
        throw fail(
          `weight '${p.weight.name}' needs bytes [${p.offset}, ${p.offset + p.bytes}) but the shards of group ${p.group} hold ${buf.length}; a shard is truncated or missing`,
        );
      }
      const bytes = buf.subarray(p.offset, p.offset + p.bytes);
      try {
        out.push({ ...tensors[i], data: decode(bytes, p.weight, `${path}: weight '${p.weight.name}'`) });
      } catch (err) {
        throw asReadError(path, 'TF.js weight shard', err);
      }
    }
    return out;
  };
  return { format: 'tfjs', source: path, tensors, skipped, load };
}

/** Reads a TF.js model.json and all its weights. */
export async function readTfjsModel(path: string): Promise<{ format: 'tfjs'; source: string; tensors: ImportedTensor[] }> {
  const index = await inspectTfjsModel(path);
  return { format: 'tfjs', source: path, tensors: await index.load() };
}

async function readGroup(paths: string[], source: string): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  for (const p of paths) {
    try {
      parts.push(new Uint8Array(await readFile(p)));
    } catch (err) {
      throw invalid(
        `${source}: cannot read weight shard ${basename(p)} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`,
        { source },
      );
    }
  }
  const out = new Uint8Array(parts.reduce((s, b) => s + b.length, 0));
  let at = 0;
  for (const b of parts) {
    out.set(b, at);
    at += b.length;
  }
  return out;
}

function decode(bytes: Uint8Array, w: ManifestWeight, where: string) {
  const count = elementCount(w.shape, where);
  const q = w.quantization;
  if (!q) return decodeElements(bytes, w.dtype === 'float32' ? 'f4' : w.dtype === 'int32' ? 'i4' : 'u1', count, true, where);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = w.dtype === 'int32' ? new Int32Array(count) : new Float32Array(count);
  for (let i = 0; i < count; i++) {
    // TF.js dequantisation: value = q * scale + min (affine), or a plain half float.
    if (q.dtype === 'float16') out[i] = halfToFloat(view.getUint16(i * 2, true));
    else out[i] = (q.dtype === 'uint8' ? bytes[i] : view.getUint16(i * 2, true)) * q.scale! + q.min!;
  }
  return out;
}
