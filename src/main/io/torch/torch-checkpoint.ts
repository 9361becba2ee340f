import { invalid, PlateauError } from '../../../shared/api/errors';
import type { ImportedTensor, ImportScalar, SkippedEntry, TensorInfo } from '../import-types';
import { asReadError, decodeElements, dtypeWidth, elementCount, fortranToC, type NumericArray } from '../ndarray';
import { fileSource, ZipReader, type ByteSource } from '../zip-reader';
import { flattenCheckpoint } from './flatten';
import { unpickle } from './pickle';
import { gatherStrided } from './strided';
import { readTensorChunks, type OnChunk } from './torch-chunks';
import { numpyDtype, NumpyArray, torchHooks, TorchTensor } from './torch-values';

/** What a torch.save file holds, before any tensor data is read. */
export interface TorchIndex {
  format: 'torch';
  source: string;
  tensors: TensorInfo[];
  scalars: Record<string, ImportScalar>;
  /** Values that are neither tensors nor scalars (opaque objects, bytes, unsupported dtypes). */
  skipped: SkippedEntry[];
  /** Reads the named tensors (all by default), in index order. */
  load(names?: readonly string[]): Promise<ImportedTensor[]>;
  /** One tensor's little-endian bytes in chunks (torch-chunks.ts): a big tensor never sits in memory whole. */
  readChunks(name: string, onChunk: OnChunk, chunkBytes?: number): Promise<void>;
}

export interface TorchCheckpoint {
  format: 'torch';
  source: string;
  tensors: ImportedTensor[];
  scalars: Record<string, ImportScalar>;
  skipped: SkippedEntry[];
}

/** Reads a whole torch.save checkpoint (state dict or training checkpoint) into named tensors and scalars. */
export async function readTorchCheckpoint(path: string): Promise<TorchCheckpoint> {
  const index = await inspectTorchCheckpoint(path);
  const tensors = await index.load();
  return { format: 'torch', source: path, tensors, scalars: index.scalars, skipped: index.skipped };
}

/** Reads only `data.pkl` of a torch.save file on disk; `load` reopens it for the tensor data. */
export async function inspectTorchCheckpoint(path: string): Promise<TorchIndex> {
  return inspectTorchSource(() => fileSource(path), path);
}

const LEGACY_MAGIC = [0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19];

/** Same as inspectTorchCheckpoint over any byte source (bytes in memory in tests). */
export async function inspectTorchSource(openSource: () => Promise<ByteSource>, source: string): Promise<TorchIndex> {
  const { zip, prefix, pickle, littleEndian } = await withZip(openSource, source, async (zip) => {
    const pkl = zip.names().find((n) => /^[^/]+\/data\.pkl$/.test(n)) ?? zip.names().find((n) => n === 'data.pkl');
    if (!pkl) {
      const hint = zip.names().some((n) => n.endsWith('.npy')) ? ' (it looks like a NumPy .npz)' : '';
      throw invalid(`${source}: zip archive has no data.pkl, so it is not a torch.save checkpoint${hint}`, { source });
    }
    const prefix = pkl.slice(0, -'data.pkl'.length); // 'archive/' via a buffer, '<file stem>/' via a path
    const order = zip.entries.has(`${prefix}byteorder`) ? new TextDecoder().decode(await zip.read(`${prefix}byteorder`)).trim() : 'little';
    return { zip, prefix, pickle: await zip.read(pkl), littleEndian: order !== 'big' };
  });
  const names = new Set(zip.names());
  let flat;
  try {
    flat = flattenCheckpoint(unpickle(pickle, `${source}: data.pkl`, torchHooks(`${source}: data.pkl`, source)));
  } catch (err) {
    throw asReadError(source, 'torch.save checkpoint', err);
  }
  const tensors: TensorInfo[] = [];
  const usable: typeof flat.tensors = [];
  const skipped = [...flat.skipped];
  for (const t of flat.tensors) {
    const v = t.value;
    const dtype = v instanceof TorchTensor ? v.storage.dtype : v.dtype && numpyDtype(v.dtype);
    if (!dtype || (v instanceof NumpyArray && !v.raw)) {
      const what = v instanceof TorchTensor ? v.storage.storageType : `numpy dtype ${v.dtype?.spec ?? '?'}`;
      skipped.push({ name: t.name, reason: `unsupported element type (${what})` });
      continue;
    }
    if (v instanceof TorchTensor && !names.has(`${prefix}data/${v.storage.key}`)) {
      throw invalid(
        `${source}: tensor '${t.name}' refers to storage '${v.storage.key}', but the archive has no member ${prefix}data/${v.storage.key}`,
        { source },
      );
    }
    tensors.push({ name: t.name, shape: v.shape, dtype });
    usable.push(t);
  }

  const known = new Set(tensors.map((t) => t.name));
  const load = async (wanted?: readonly string[]): Promise<ImportedTensor[]> => {
    const want = wanted ? new Set(wanted) : undefined;
    for (const n of want ?? []) if (!known.has(n)) throw invalid(`${source}: no tensor named '${n}'`, { source });
    return withZip(openSource, source, async (z) => {
      const storages = new Map<string, NumericArray>(); // views share storages: decode each once
      const out: ImportedTensor[] = [];
      for (let i = 0; i < usable.length; i++) {
        const { name, value } = usable[i];
        if (want && !want.has(name)) continue;
        const where = `${source}: tensor '${name}'`;
        const { dtype } = tensors[i];
        if (value instanceof NumpyArray) {
          const count = elementCount(value.shape, where);
          const width = dtypeWidth(dtype)!;
          if (value.raw!.length !== count * width)
            throw invalid(`${where}: numpy data holds ${value.raw!.length} bytes, shape needs ${count * width}`, { source });
          const data = decodeElements(value.raw!, dtype, count, value.dtype!.littleEndian, where);
          out.push({ name, shape: value.shape, dtype, data: value.fortran ? fortranToC(data, value.shape) : data });
          continue;
        }
        const key = value.storage.key;
        let storage = storages.get(key);
        if (!storage) {
          const bytes = await z.read(`${prefix}data/${key}`);
          const width = dtypeWidth(dtype)!;
          if (bytes.length % width)
            throw invalid(`${where}: storage '${key}' holds ${bytes.length} bytes, not a whole number of ${dtype} elements`, { source });
          storage = decodeElements(bytes, dtype, bytes.length / width, littleEndian, where);
          storages.set(key, storage);
        }
        out.push({ name, shape: value.shape, dtype, data: gatherStrided(storage, value.offset, value.shape, value.stride, where) });
      }
      return out;
    });
  };
  const byName = new Map(usable.map((u, i) => [u.name, { value: u.value, dtype: tensors[i].dtype }]));
  const chunkSource = {
    source,
    withZip: <T>(fn: (zip: ZipReader) => Promise<T>) => withZip(openSource, source, fn),
    member: (key: string) => `${prefix}data/${key}`,
    littleEndian,
    load: async (name: string) => (await load([name]))[0],
  };
  const readChunks = async (name: string, onChunk: OnChunk, chunkBytes?: number) => {
    const t = byName.get(name);
    if (!t) throw invalid(`${source}: no tensor named '${name}'`, { source });
    return readTensorChunks(chunkSource, name, t.value, t.dtype, onChunk, chunkBytes);
  };
  return { format: 'torch', source, tensors, scalars: flat.scalars, skipped, load, readChunks };
}

/** Opens the zip (after ruling out the legacy format), runs `fn`, and always closes the file. */
async function withZip<T>(openSource: () => Promise<ByteSource>, source: string, fn: (zip: ZipReader) => Promise<T>): Promise<T> {
  const src = await openSource();
  try {
    const head = await src.read(0, Math.min(src.size, 512));
    if (!ZipReader.looksLikeZip(head)) throw notZip(head, source);
    return await fn(await ZipReader.open(src, source));
  } catch (err) {
    if (err instanceof PlateauError) throw err;
    throw asReadError(source, 'torch.save checkpoint', err);
  } finally {
    await src.close();
  }
}

function notZip(head: Uint8Array, source: string): PlateauError {
  const legacy = head[0] === 0x80 && LEGACY_MAGIC.every((b, i) => head[2 + i] === b);
  const tar = head.length >= 262 && new TextDecoder('latin1').decode(head.subarray(257, 262)) === 'ustar';
  if (legacy || tar) {
    return invalid(
      `${source} uses the legacy (pre-1.6) torch.save format, which Plateau does not read. ` +
        'Re-save it with torch >= 1.6: `torch.save(torch.load(path), path_new)` (the default zip format).',
      { source },
    );
  }
  if (head[0] === 0x80)
    return invalid(`${source} is a bare Python pickle, not a torch.save zip; save it with torch.save(obj, path) from torch >= 1.6`, {
      source,
    });
  return invalid(`${source} is not a torch.save checkpoint (not a zip archive)`, { source });
}
