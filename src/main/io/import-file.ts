import { readdir, stat } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import { invalid, notFound } from '../../shared/api/errors';
import { parseFeatureDump } from './feature-dump';
import type { ImportedTensor, ImportFormat, ImportScalar, SkippedEntry, TensorInfo } from './import-types';
import { countNonFinite, type NdArray } from './ndarray';
import { parseNpy } from './npy';
import { parseNpz, readFileOrThrow } from './npz';
import { MAX_SAFETENSORS_HEADER, parseSafetensors } from './safetensors';
import { openSafetensorsFile } from './safetensors-file';
import { inspectTfjsModel } from './tfjs-model';
import { inspectTorchCheckpoint } from './torch/torch-checkpoint';
import { fileSource, ZipReader } from './zip-reader';

/** One importable file: names, shapes and scalars up front, data through `load`. */
export interface FileImport {
  format: Exclude<ImportFormat, 'folder'>;
  source: string;
  tensors: TensorInfo[];
  scalars?: Record<string, ImportScalar>;
  skipped?: SkippedEntry[];
  /** Reads the named tensors (all by default). */
  load(names?: readonly string[], options?: LoadOptions): Promise<ImportedTensor[]>;
}

export interface LoadOptions {
  /**
   * Memory the caller is done with, which a lazy reader may fill instead of allocating (safetensors
   * float32, one tensor): a big import then holds one tensor's worth, not two while the GC catches up.
   */
  reuse?: ArrayBuffer;
}

/** A folder of checkpoints, ordered by the step or epoch number in their names (unnumbered last). */
export interface FolderImport {
  format: 'folder';
  source: string;
  /** The first checkpoint's tensors (a run's checkpoints normally share one architecture). */
  tensors: TensorInfo[];
  files: { path: string; step: number | null; import: FileImport }[];
}

export type ImportIndex = FileImport | FolderImport;

export const SUPPORTED_IMPORTS =
  'PyTorch torch.save (.pt/.pth/.bin/.ckpt, torch >= 1.6 zip format), .safetensors, .npy, .npz (feature dumps too), TF.js model.json, or a folder of these';

const CHECKPOINT_EXT = /\.(pt|pth|bin|ckpt|tar|safetensors|npz|npy)$/i;

/** Works out what `path` is and indexes it, reading as little as each format allows. */
export async function inspectImport(path: string): Promise<ImportIndex> {
  let isDir: boolean;
  try {
    isDir = (await stat(path)).isDirectory();
  } catch {
    throw notFound(`${path}: no such file or folder`, { source: path });
  }
  return isDir ? inspectFolder(path) : inspectFile(path);
}

/** The step or epoch number in a checkpoint's name: `ckpt_step1000.pt` -> 1000, `epoch_12.safetensors` -> 12. */
export function stepFromName(name: string): number | null {
  const stem = name.replace(/\.[^.]*$/, '');
  const tagged = /(?:step|iter|it|epoch|ep|ckpt|checkpoint)[-_=]?(\d+)/i.exec(stem);
  const digits = tagged?.[1] ?? /(\d+)(?!.*\d)/.exec(stem)?.[1];
  return digits === undefined ? null : Number(digits);
}

async function inspectFolder(dir: string): Promise<FolderImport> {
  const entries = await readdir(dir, { withFileTypes: true });
  const candidates: { path: string; name: string }[] = [];
  for (const e of entries) {
    const p = join(dir, e.name);
    if (e.isFile() && CHECKPOINT_EXT.test(e.name)) candidates.push({ path: p, name: e.name });
    // TF.js checkpoints are folders of their own: `epoch_3/model.json`.
    else if (e.isDirectory() && (await stat(join(p, 'model.json')).catch(() => null))) candidates.push({ path: join(p, 'model.json'), name: e.name });
  }
  const files: FolderImport['files'] = [];
  for (const c of candidates) {
    // A .bin beside a model.json is a TF.js weight shard, not a checkpoint.
    if (/\.bin$/i.test(c.name) && !ZipReader.looksLikeZip(await head(c.path, 4))) continue;
    files.push({ path: c.path, step: stepFromName(c.name), import: await inspectFile(c.path) });
  }
  if (files.length === 0) throw invalid(`${dir}: the folder holds no checkpoint files; supported: ${SUPPORTED_IMPORTS}`, { source: dir });
  files.sort((a, b) => (a.step ?? Infinity) - (b.step ?? Infinity) || a.path.localeCompare(b.path, undefined, { numeric: true }));
  return { format: 'folder', source: dir, tensors: files[0].import.tensors, files };
}

async function head(path: string, n: number): Promise<Uint8Array> {
  const src = await fileSource(path);
  try {
    return await src.read(0, Math.min(n, src.size));
  } finally {
    await src.close();
  }
}

/** Indexes one file; tensors it loads carry their NaN/Inf count, which then shows in `tensors` too. */
async function inspectFile(path: string): Promise<FileImport> {
  const index = await inspectFileUnflagged(path);
  const load = index.load;
  const byName = new Map(index.tensors.map((t) => [t.name, t]));
  index.load = async (names, options) => {
    const out = await load(names, options);
    for (const t of out) {
      const n = countNonFinite(t.data);
      if (n === 0) continue;
      t.nonFinite = n;
      const info = byName.get(t.name);
      if (info) info.nonFinite = n;
    }
    return out;
  };
  return index;
}

async function inspectFileUnflagged(path: string): Promise<FileImport> {
  const bytes = await head(path, 16);
  if (ZipReader.looksLikeZip(bytes)) {
    const src = await fileSource(path);
    let names: string[];
    try {
      names = (await ZipReader.open(src, path)).names();
    } finally {
      await src.close();
    }
    if (names.some((n) => /(^|\/)data\.pkl$/.test(n))) return inspectTorchCheckpoint(path);
    if (names.length > 0 && names.every((n) => n.endsWith('.npy') || n.endsWith('/'))) {
      const all = await readFileOrThrow(path);
      return fromArrays(path, 'npz', parseNpz(all, path), all);
    }
    throw unknownFormat(path, 'a zip archive that is neither a torch.save checkpoint nor a .npz');
  }
  if (bytes[0] === 0x93 && new TextDecoder('latin1').decode(bytes.subarray(1, 6)) === 'NUMPY') {
    const arr = parseNpy(await readFileOrThrow(path), path);
    return fromArrays(path, 'npy', new Map([[basename(path).replace(/\.npy$/i, ''), arr]]));
  }
  // Legacy torch files and bare pickles start with PROTO; the torch reader explains how to re-save them.
  if (bytes[0] === 0x80) return inspectTorchCheckpoint(path);
  if (extname(path).toLowerCase() === '.json' || bytes[0] === 0x7b) return inspectTfjsModel(path);
  if (bytes.length >= 9 && bytes[8] === 0x7b) {
    const len = new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true);
    if (len <= BigInt(MAX_SAFETENSORS_HEADER)) return inspectSafetensors(path);
  }
  throw unknownFormat(path, 'an unrecognised file');
}

/**
 * Safetensors read lazily: the header now, each tensor by its offset on `load`. A feature dump is
 * read whole instead, since its closed-form metrics need all of it at once anyway.
 */
async function inspectSafetensors(path: string): Promise<FileImport> {
  const st = await openSafetensorsFile(path);
  const scalars: Record<string, ImportScalar> = Object.create(null); // a '__proto__' key stays data
  for (const [k, v] of Object.entries(st.metadata)) scalars[k] = v !== '' && Number.isFinite(Number(v)) ? Number(v) : v;
  const names = new Set(st.entries.map((e) => e.name));
  if (DUMP_ARRAYS.every((k) => names.has(k))) {
    const all = await readFileOrThrow(path);
    return fromArrays(path, 'safetensors', parseSafetensors(all, path).tensors, all, scalars);
  }
  return {
    format: 'safetensors',
    source: path,
    tensors: st.entries.map((e) => ({ name: e.name, shape: e.shape, dtype: e.dtype })),
    ...(Object.keys(scalars).length ? { scalars } : {}),
    load: async (wanted, options) => {
      for (const n of wanted ?? []) if (!names.has(n)) throw invalid(`${path}: no tensor named '${n}'`, { source: path });
      const want = wanted && new Set(wanted);
      const entries = st.entries.filter((e) => !want || want.has(e.name));
      // A lone tensor may fill the caller's spare memory; several are read in one open of the file.
      const data = entries.length === 1 ? [await st.read(entries[0].name, options?.reuse)] : await st.readMany(entries.map((e) => e.name));
      return entries.map((e, i) => ({ name: e.name, shape: e.shape, dtype: e.dtype, data: data[i] }));
    },
  };
}

const DUMP_ARRAYS = ['features', 'labels', 'weight'];

const unknownFormat = (path: string, what: string) =>
  invalid(`${path}: ${what}; supported formats: ${SUPPORTED_IMPORTS}`, { source: path });

/** Formats parsed whole (npy, npz, safetensors): a feature dump when it has the dump's arrays. */
function fromArrays(path: string, format: 'npy' | 'npz' | 'safetensors', arrays: Map<string, NdArray>, bytes?: Uint8Array, scalars?: Record<string, ImportScalar>): FileImport {
  const isDump = format !== 'npy' && DUMP_ARRAYS.every((k) => arrays.has(k));
  // Validate a dump now, so a mis-shaped one fails at inspection with the dump's own message.
  if (isDump && bytes) parseFeatureDump(bytes, path, format as 'npz' | 'safetensors');
  // The data is in memory already, so NaN/Inf counts cost one pass and show at inspection.
  const tensors = [...arrays].map(([name, a]) => {
    const nonFinite = countNonFinite(a.data);
    return { name, shape: a.shape, dtype: a.dtype, ...(nonFinite ? { nonFinite } : {}) };
  });
  return {
    format: isDump ? 'feature-dump' : format,
    source: path,
    tensors,
    ...(scalars && Object.keys(scalars).length ? { scalars } : {}),
    load: async (names) => {
      for (const n of names ?? []) if (!arrays.has(n)) throw invalid(`${path}: no array named '${n}'`, { source: path });
      const want = names && new Set(names);
      return [...arrays].filter(([n]) => !want || want.has(n)).map(([name, a]) => ({ name, ...a }));
    },
  };
}

