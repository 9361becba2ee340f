// The import-format registry, as TF.js registers kernels: each format is one descriptor in its own file,
// registered on one line (formats/index.ts). Sniffing, the folder reader, the pick dialog, `plateau info`
// and the Import view all iterate this list; nothing keeps a second copy of it.
import type { ImportFormatInfo } from '../../../shared/domain/types';
import type { ImportedTensor, ImportScalar, SkippedEntry, TensorInfo } from '../import-types';
import type { LogRun } from '../logs/log-run';
import { countNonFinite } from '../ndarray';
import type { Probe } from './probe';

/** One importable checkpoint: names, shapes and scalars up front, data through `load`. */
export interface FileImport {
  /** The id of the format that read it. */
  format: string;
  /** The file, or the folder for a checkpoint spread over shards. */
  source: string;
  tensors: TensorInfo[];
  scalars?: Record<string, ImportScalar>;
  skipped?: SkippedEntry[];
  /** Reads the named tensors (all by default). */
  load(names?: readonly string[], options?: LoadOptions): Promise<ImportedTensor[]>;
  /**
   * Lazy formats only: one tensor's raw little-endian bytes in order, a chunk at a time (the import's
   * streaming path for big tensors, so their bytes and their float32 form are never both whole in memory).
   */
  readChunks?(name: string, onChunk: (bytes: Uint8Array) => void | Promise<void>): Promise<void>;
}

/** Wraps `load` so that NaN/Inf counts of loaded tensors land on the tensors they belong to. */
export function flagNonFinite(index: FileImport): FileImport {
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

export interface LoadOptions {
  /**
   * Memory the caller is done with, which a lazy reader may fill instead of allocating (safetensors
   * float32, one tensor): a big import then holds one tensor's worth, not two while the GC catches up.
   */
  reuse?: ArrayBuffer;
}

/**
 * What a folder's files mean to a format. By default ('checkpoints') each file of the format is one
 * checkpoint. A format may instead claim the folder as ONE checkpoint: 'shards' (a Hugging Face sharded
 * checkpoint: every listed file holds part of the tensors) or 'checkpoint' (one file is the checkpoint and
 * the rest belong to it: TF.js model.json and its .bin shards, HF model.safetensors beside optimizer.pt).
 * A folder of such one-checkpoint folders is a 'series' (the folder reader works that out).
 */
export type FolderRole =
  /** `also`: other files of the folder that belong to this checkpoint (not reported as left beside it) */
  { role: 'checkpoint'; file: string; also?: string[] } | { role: 'shards'; index: string | null; shards: string[] };

export interface ImportFormatDescriptor {
  /** Stable id, shown as the import's format ('torch', 'safetensors', ...). */
  id: string;
  /** What a user calls it, for the supported-formats line. */
  label: string;
  /** File extensions, lower case without the dot: the pick dialog's filter and the fallback when no magic matches. */
  extensions: readonly string[];
  /**
   * Ids of the formats this one is a narrower kind of (a feature dump is a kind of .npz): it is then
   * recognised by its content alone, and a file that only has the extension goes to the wider format.
   */
  refines?: readonly string[];
  /** Magic bytes (or structure) say the file is this format. Tried for every format before any extension. */
  sniff(probe: Probe): boolean | Promise<boolean>;
  /** Indexes the file: tensor names and shapes now, data through `load`. Throws a PlateauError naming the file. */
  inspect(path: string): Promise<FileImport>;
  /** Claims a folder (given its file names) as one checkpoint; absent or null: each file is a checkpoint. */
  folderRole?(dir: string, names: readonly string[]): FolderRole | null | Promise<FolderRole | null>;
}

/** A folder's entries, as a log format sees them. */
export interface FolderEntries {
  files: readonly string[];
  dirs: readonly string[];
}

/**
 * A format of training logs (TensorBoard, W&B, MLflow): a folder holding its files is one run, whose
 * series become metric rows and whose stated config becomes the run's settings. No tensors, no checkpoints.
 */
export interface LogFormatDescriptor {
  kind: 'logs';
  id: string;
  label: string;
  /** Extensions of its files, for the pick dialog's filter (none when its files are known by name). */
  extensions: readonly string[];
  /** The folder (given its entries) holds one run of this format. */
  claims(dir: string, entries: FolderEntries): boolean | Promise<boolean>;
  /**
   * Reads the run whole, every record checked, so a bad file is refused before any run exists; throws a
   * PlateauError naming the file and record. `name` is the folder's name in the import; a format whose
   * files state one (MLflow's meta.yaml) uses that instead.
   */
  read(dir: string, name: string, entries: FolderEntries): Promise<LogRun>;
}

const formats: (ImportFormatDescriptor | LogFormatDescriptor)[] = [];

const isLogFormat = (f: ImportFormatDescriptor | LogFormatDescriptor): f is LogFormatDescriptor => 'kind' in f && f.kind === 'logs';

/** Adds a format; sniffing tries formats in registration order, so a narrower one goes before a wider one. */
export function registerImportFormat(format: ImportFormatDescriptor | LogFormatDescriptor): void {
  if (formats.some((f) => f.id === format.id)) throw new Error(`import format '${format.id}' is registered twice`);
  if (format.id === 'folder' || format.id === 'logs') throw new Error(`'${format.id}' is not a file format id`);
  formats.push(format);
}

/** Every registered checkpoint format, in sniffing order. */
export function importFormats(): readonly ImportFormatDescriptor[] {
  return formats.filter((f): f is ImportFormatDescriptor => !isLogFormat(f));
}

/** Every registered log format, in the order folders are offered to them. */
export function logFormats(): readonly LogFormatDescriptor[] {
  return formats.filter(isLogFormat);
}

/** The list as the contract carries it (system info), for the renderer. */
export function importFormatInfo(): ImportFormatInfo[] {
  return formats.map(({ id, label, extensions }) => ({ id, label, extensions: [...extensions] }));
}

/** Extensions any format reads, for the pick dialog's filter. */
export function importExtensions(): string[] {
  return [...new Set(formats.flatMap((f) => f.extensions))];
}

/** The supported-formats line of error messages and help. */
export function supportedImports(): string {
  const one = (f: { label: string; extensions: readonly string[] }) =>
    f.extensions.length ? `${f.label} (${f.extensions.map((e) => `.${e}`).join(', ')})` : f.label;
  return `${formats.map(one).join('; ')}; or a folder of these`;
}
