// A dump set of a causal LM (resources/python/export_features.py, `lm` mode): per evaluation set, the
// features entering the LM head in chunk files, and one head shared by all sets. Read chunk by chunk:
// only the head, the labels (n int32 per set) and one chunk are ever in memory.
import { readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, isAbsolute } from 'node:path';
import { unzipSync } from 'fflate';
import { invalid } from '../../shared/api/errors';
import { SPLIT_NAME } from '../../shared/domain/types';
import type { ChunkedSplit, FloatMatrix, LastLayer } from '../ml/metrics/types';
import { isFloatDtype, isIntDtype, type NdArray } from './ndarray';
import { parseNpy } from './npy';

export const DUMP_SET_FORMAT = 'plateau-lm-features';
export const DUMP_SET_MANIFEST = 'manifest.json';
const DTYPES: Record<string, string> = { float16: 'f2', float32: 'f4' };

export interface DumpSetChunk {
  file: string;
  rows: number;
}

export interface DumpSetEntry {
  name: string;
  positions: number;
  chunks: DumpSetChunk[];
  tokens?: number;
  source?: string;
}

/** The manifest, checked: every path inside the folder, shapes and names consistent. */
export interface DumpSetManifest {
  dir: string;
  manifest: string;
  dtype: 'float16' | 'float32';
  m: number;
  C: number;
  head: { file: string; bias: boolean };
  tokenizer: string | null;
  context: number | null;
  trainSet: string | null;
  step: number | null;
  sets: DumpSetEntry[];
}

/**
 * A dump set opened for metrics: the head as stored (float32 stays float32: the passes make their own
 * float64 copy, so memory is that copy, the head and one chunk), each set as a chunked split.
 */
export interface DumpSet extends DumpSetManifest {
  layer: LastLayer & { weight: FloatMatrix; bias: FloatMatrix | null };
  splits: { name: string; split: ChunkedSplit }[];
}

/** The manifest path for a dump-set folder or a manifest file, or null when `path` is neither. */
export function dumpSetManifestPath(path: string): string | null {
  try {
    const st = statSync(path);
    const file = st.isDirectory() ? join(path, DUMP_SET_MANIFEST) : path;
    if (!statSync(file).isFile() || !/\.json$/i.test(file)) return null;
    return looksLikeDumpSet(JSON.parse(readFileSync(file, 'utf8'))) ? file : null;
  } catch {
    return null;
  }
}

export const looksLikeDumpSet = (json: unknown): boolean =>
  !!json && typeof json === 'object' && (json as Record<string, unknown>).format === DUMP_SET_FORMAT;

/** Reads and validates manifest.json (the folder or the file); a problem names the manifest and the field. */
export function readDumpSetManifest(path: string): DumpSetManifest {
  const manifest = dumpSetManifestPath(path) ?? (statIsDir(path) ? join(path, DUMP_SET_MANIFEST) : path);
  const fail = (problem: string) => invalid(`${manifest}: ${problem}`, { source: manifest });
  let raw: Record<string, unknown>;
  try {
    raw = JSON.parse(readFileSync(manifest, 'utf8'));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw fail(code ? `cannot read the dump set's manifest (${code}); is this a folder written by export_features.py lm?` : 'is not JSON');
  }
  if (!looksLikeDumpSet(raw)) throw fail(`'format' must be '${DUMP_SET_FORMAT}' (got ${JSON.stringify(raw?.format)})`);
  if (raw.version !== 1) throw fail(`version ${JSON.stringify(raw.version)} is not one this Plateau reads (1)`);
  const dir = dirname(manifest);
  const count = (v: unknown, what: string, min = 1) => {
    if (!Number.isSafeInteger(v) || (v as number) < min) throw fail(`${what} must be an integer >= ${min} (got ${JSON.stringify(v)})`);
    return v as number;
  };
  const inside = (file: unknown, what: string) => {
    if (typeof file !== 'string' || !file) throw fail(`${what} must name a file`);
    const full = resolve(dir, file);
    const rel = relative(dir, full);
    if (rel.startsWith('..') || isAbsolute(rel)) throw fail(`${what} '${file}' lies outside the dump set's folder`);
    return full;
  };
  const dtype = raw.dtype;
  if (typeof dtype !== 'string' || !(dtype in DTYPES)) throw fail(`'dtype' must be 'float16' or 'float32' (got ${JSON.stringify(dtype)})`);
  const m = count(raw.features, "'features' (the width m of the head's input)");
  const C = count(raw.classes, "'classes' (the rows C of the head)");
  const head = raw.head as Record<string, unknown> | undefined;
  if (!head || typeof head !== 'object') throw fail("'head' must be {file, weight: [C, m], bias: [C] | null}");
  const headFile = inside(head.file, "'head.file'");
  if (JSON.stringify(head.weight) !== JSON.stringify([C, m]))
    throw fail(`'head.weight' must be [classes, features] = [${C}, ${m}] (got ${JSON.stringify(head.weight)})`);
  if (head.bias != null && JSON.stringify(head.bias) !== JSON.stringify([C]))
    throw fail(`'head.bias' must be [${C}] or null (got ${JSON.stringify(head.bias)})`);
  if (!Array.isArray(raw.sets) || raw.sets.length === 0) throw fail("'sets' must list at least one evaluation set");
  const names = new Set<string>();
  const sets = raw.sets.map((s: Record<string, unknown>, k: number): DumpSetEntry => {
    const name = s?.name;
    if (typeof name !== 'string' || !SPLIT_NAME.test(name) || name === 'none' || name === 'test')
      throw fail(`sets[${k}].name ${JSON.stringify(name)} must be letters, digits, _ . + - (not 'none' or 'test')`);
    if (names.has(name)) throw fail(`the set '${name}' is listed twice`);
    names.add(name);
    if (!Array.isArray(s.chunks) || s.chunks.length === 0) throw fail(`set '${name}' lists no chunks`);
    const chunks = s.chunks.map((c: Record<string, unknown>, j: number) => ({
      file: inside(c?.file, `set '${name}' chunk ${j}`),
      rows: count(c?.rows, `set '${name}' chunk ${j} 'rows'`, 0),
    }));
    const positions = chunks.reduce((a: number, c: DumpSetChunk) => a + c.rows, 0);
    if (s.positions !== undefined && s.positions !== positions)
      throw fail(`set '${name}' says ${JSON.stringify(s.positions)} positions but its chunks hold ${positions} rows`);
    if (positions < 1) throw fail(`set '${name}' holds no positions`);
    return { name, positions, chunks, tokens: typeof s.tokens === 'number' ? s.tokens : undefined, source: str(s.source) };
  });
  const trainSet = raw.train_set == null ? null : String(raw.train_set);
  if (trainSet !== null && !names.has(trainSet))
    throw fail(`'train_set' names '${trainSet}', which is not one of the sets (${[...names].join(', ')})`);
  const step = raw.step == null ? null : count(raw.step, "'step'", 0);
  const context = typeof raw.context === 'number' ? raw.context : null;
  return {
    dir,
    manifest,
    dtype: dtype as 'float16' | 'float32',
    m,
    C,
    head: { file: headFile, bias: head.bias != null },
    tokenizer: str(raw.tokenizer) ?? null,
    context,
    trainSet,
    step,
    sets,
  };
}

const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
const statIsDir = (p: string) => {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
};

/** Arrays of one .npz file (only those named), each error naming the file. */
function readNpzMembers(file: string, wanted: readonly string[]): Map<string, NdArray> {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(file);
  } catch (err) {
    throw invalid(`${file}: cannot read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}); the dump set is incomplete`, {
      source: file,
    });
  }
  let members: Record<string, Uint8Array>;
  try {
    members = unzipSync(bytes, { filter: (f) => wanted.includes(f.name.replace(/\.npy$/, '')) });
  } catch (err) {
    throw invalid(`${file}: not a readable .npz archive (${(err as Error).message})`, { source: file });
  }
  const out = new Map<string, NdArray>();
  for (const [name, data] of Object.entries(members)) out.set(name.replace(/\.npy$/, ''), parseNpy(data, `${file}:${name}`));
  for (const w of wanted) if (!out.has(w)) throw invalid(`${file}: missing array '${w}'`, { source: file, array: w });
  return out;
}

const shapeText = (a: NdArray) => `${a.dtype} [${a.shape.join(', ')}]`;

/** The head (weight C x m, bias C) as float64, checked against the manifest. */
function readHead(man: DumpSetManifest): DumpSet['layer'] {
  const { C, m } = man;
  const file = man.head.file;
  const arrays = readNpzMembers(file, man.head.bias ? ['weight', 'bias'] : ['weight']);
  const w = arrays.get('weight')!;
  if (!isFloatDtype(w.dtype) || w.shape.length !== 2 || w.shape[0] !== C || w.shape[1] !== m)
    throw invalid(`${file}: 'weight' must be float [${C}, ${m}] (classes x features, as the manifest says), got ${shapeText(w)}`, {
      source: file,
      array: 'weight',
    });
  const b = arrays.get('bias');
  if (b && (!isFloatDtype(b.dtype) || b.shape.length !== 1 || b.shape[0] !== C))
    throw invalid(`${file}: 'bias' must be float [${C}], got ${shapeText(b)}`, { source: file, array: 'bias' });
  for (const [name, a] of arrays)
    for (let i = 0; i < a.data.length; i++)
      if (a.data[i] - a.data[i] !== 0) throw invalid(`${file}: '${name}' holds ${a.data[i]} at index ${i}; metrics need finite values`);
  const asFloat = (a: NdArray): FloatMatrix =>
    a.data instanceof Float32Array || a.data instanceof Float64Array ? a.data : Float64Array.from(a.data);
  return { weight: asFloat(w), bias: b ? asFloat(b) : null, C, m };
}

/** Opens a dump set: the head, and per set its labels (checked against C) and a chunk reader. */
export function openDumpSet(path: string, opts: { headOnly?: boolean } = {}): DumpSet {
  const man = readDumpSetManifest(path);
  const layer = readHead(man);
  const splits = opts.headOnly ? [] : man.sets.map((s) => ({ name: s.name, split: chunkedSplit(man, s) }));
  return { ...man, layer, splits };
}

function chunkedSplit(man: DumpSetManifest, set: DumpSetEntry): ChunkedSplit {
  const { m, C } = man;
  const labels = new Int32Array(set.positions);
  let at = 0;
  for (const c of set.chunks) {
    const y = readNpzMembers(c.file, ['labels']).get('labels')!;
    if (!isIntDtype(y.dtype) || y.shape.length !== 1 || y.shape[0] !== c.rows)
      throw invalid(`${c.file}: 'labels' must be int [${c.rows}] (the rows the manifest gives this chunk), got ${shapeText(y)}`, {
        source: c.file,
      });
    for (let i = 0; i < c.rows; i++) {
      const v = y.data[i];
      if (v < 0 || v >= C)
        throw invalid(
          `${c.file}: label ${v} at row ${i} is outside [0, ${C}): the head has C = ${C} rows; was the dump made with another model's head?`,
          { source: c.file, array: 'labels' },
        );
      labels[at + i] = v;
    }
    at += c.rows;
  }
  const want = DTYPES[man.dtype];
  return {
    n: set.positions,
    m,
    labels,
    *chunks(): Generator<FloatMatrix> {
      for (const c of set.chunks) {
        const x = readNpzMembers(c.file, ['features']).get('features')!;
        if (x.shape.length !== 2 || x.shape[0] !== c.rows || x.shape[1] !== m)
          throw invalid(
            `${c.file}: 'features' must be [${c.rows}, ${m}] (rows of this chunk x the head's width m = ${m}), got ${shapeText(x)}`,
            {
              source: c.file,
              array: 'features',
            },
          );
        if (x.dtype !== want) throw invalid(`${c.file}: 'features' is ${x.dtype}, but the manifest says ${man.dtype}`, { source: c.file });
        const d = x.data as FloatMatrix;
        for (let i = 0; i < d.length; i++)
          if (d[i] - d[i] !== 0)
            throw invalid(`${c.file}: 'features' holds ${d[i]} at row ${Math.floor(i / m)}, column ${i % m}; metrics need finite values`, {
              source: c.file,
            });
        yield d;
      }
    },
  };
}
