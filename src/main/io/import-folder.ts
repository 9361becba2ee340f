// A folder to import: its files each a checkpoint, or (claimed by a format) one checkpoint of many files,
// or a series of such one-checkpoint folders (`checkpoint-500/`, `global_step1000/`, `epoch_3/`).
import { readdir, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { invalid } from '../../shared/api/errors';
import { flagNonFinite, importFormats, supportedImports, type FileImport, type ImportFormatDescriptor } from './formats';
import { mergeShards } from './formats/hf-shards';
import { probeFile } from './formats/probe';
import { readModelConfig } from './hf-config';
import { checkConfigAgainstTensors } from './hf-config-check';
import type { ImportScalar, SkippedEntry, TensorInfo } from './import-types';

/** A folder of checkpoints, ordered by the step or epoch number in their names (unnumbered last). */
export interface FolderImport {
  format: 'folder';
  source: string;
  /** The first checkpoint's tensors (a run's checkpoints normally share one architecture). */
  tensors: TensorInfo[];
  /** Each checkpoint: a file, or a folder for one held in several files. */
  files: { path: string; step: number | null; import: FileImport }[];
  /** A Hugging Face config.json's settings (architecture, sizes, vocabulary), when there is one. */
  settings?: Record<string, ImportScalar>;
  /** Files seen and not imported, and why. */
  skipped?: SkippedEntry[];
}

type InspectFile = (path: string, format?: ImportFormatDescriptor) => Promise<FileImport>;

const STEP_TAG = /(?:step|iter|it|epoch|ep|ckpt|checkpoint)[-_=]?(\d+)/i;
/** `-00001-of-00003`: a shard's number, never a step. */
const SHARD_SUFFIX = /[-_]\d+-of-\d+$/i;

/** The step or epoch number in a checkpoint's name: `ckpt_step1000.pt` -> 1000, `epoch_12.safetensors` -> 12. */
export function stepFromName(name: string): number | null {
  const stem = name.replace(/\.[^.]*$/, '').replace(SHARD_SUFFIX, '');
  const digits = STEP_TAG.exec(stem)?.[1] ?? /(\d+)(?!.*\d)/.exec(stem)?.[1];
  return digits === undefined ? null : Number(digits);
}

/** A folder's own step only when its name says so (`checkpoint-500`): a model name's digits (`gpt2`) are not one. */
const taggedStep = (name: string): number | null => {
  const m = STEP_TAG.exec(name);
  return m ? Number(m[1]) : null;
};

/**
 * A checkpoint folder's step: tagged (`checkpoint-500`, `step1000`, `global_step30`) or a bare number
 * (`1000/`); digits inside a model's name (`gpt2-bf16`, `pythia-160m`) are no step.
 */
const folderStep = (name: string): number | null => taggedStep(name) ?? (/^\d+$/.test(name) ? Number(name) : null);

interface OneCheckpoint {
  import: FileImport;
  skipped: SkippedEntry[];
}

/** The folder as one checkpoint, when a format claims it (first claim in registration order wins). */
async function asOneCheckpoint(dir: string, names: string[], inspectFile: InspectFile): Promise<OneCheckpoint | null> {
  for (const format of importFormats()) {
    const role = await format.folderRole?.(dir, names);
    if (!role) continue;
    const used = role.role === 'checkpoint' ? [role.file, ...(role.also ?? [])] : role.shards;
    const imp =
      role.role === 'checkpoint'
        ? await inspectFile(join(dir, role.file), format)
        : flagNonFinite(await mergeShards(dir, role, format, new Set(names)));
    if (names.includes('config.json')) {
      const config = await readModelConfig(dir);
      if (config) checkConfigAgainstTensors(join(dir, 'config.json'), config, imp.tensors);
    }
    // What else lies there (optimizer.pt, rng_state.pth, a second copy in another format) is reported, not imported.
    const weightsLike = new Set(
      importFormats()
        .flatMap((f) => f.extensions)
        .filter((e) => e !== 'json'),
    );
    const isIndex = (n: string) => role.role === 'shards' && n === role.index;
    const skipped = names
      .filter((n) => !used.includes(n) && !isIndex(n) && weightsLike.has(n.split('.').pop()!.toLowerCase()))
      .map((n) => ({ name: join(basename(dir), n), reason: `beside the ${format.id} checkpoint of this folder, not part of it` }));
    return { import: imp, skipped };
  }
  return null;
}

/**
 * A folder's files and subfolders, sorted, links followed: the Hugging Face hub cache's snapshot folders
 * hold symlinks into its blobs/ folder. A dangling link is neither.
 */
async function listFolder(dir: string): Promise<{ files: string[]; dirs: string[] }> {
  const files: string[] = [];
  const dirs: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const kind = e.isSymbolicLink() ? await stat(join(dir, e.name)).catch(() => null) : e;
    if (kind?.isFile()) files.push(e.name);
    else if (kind?.isDirectory()) dirs.push(e.name);
  }
  const order = (a: string, b: string) => a.localeCompare(b, undefined, { numeric: true });
  return { files: files.sort(order), dirs: dirs.sort(order) };
}

export async function inspectFolder(dir: string, inspectFile: InspectFile): Promise<FolderImport> {
  const { files: names, dirs } = await listFolder(dir);
  const files: FolderImport['files'] = [];
  const skipped: SkippedEntry[] = [];
  let settings = await readModelConfig(dir);
  for (const name of dirs) {
    const sub = join(dir, name);
    const one = await asOneCheckpoint(sub, (await listFolder(sub)).files, inspectFile);
    if (!one) continue;
    files.push({ path: sub, step: folderStep(name), import: one.import });
    skipped.push(...one.skipped);
    settings ??= await readModelConfig(sub);
  }
  const own = await asOneCheckpoint(dir, names, inspectFile);
  if (own) {
    // Beside a series (a Trainer's output_dir) the folder's own weights are the final model: unnumbered, so last.
    files.push({ path: dir, step: files.length ? null : taggedStep(basename(dir)), import: own.import });
    skipped.push(...own.skipped);
  } else {
    for (const name of names) {
      const path = join(dir, name);
      const probe = await probeFile(path);
      let format: ImportFormatDescriptor | undefined;
      for (const f of importFormats())
        if (await f.sniff(probe)) {
          format = f;
          break;
        }
      if (format) files.push({ path, step: stepFromName(name), import: await inspectFile(path, format) });
      // config.json is the settings, read above; other files with a format's extension are worth a word.
      else if (name !== 'config.json' && importFormats().some((f) => f.extensions.includes(probe.ext))) {
        skipped.push({ name, reason: `its bytes match no format, despite the .${probe.ext} name` });
      }
    }
  }
  if (files.length === 0) throw invalid(`${dir}: the folder holds no checkpoint files; supported: ${supportedImports()}`, { source: dir });
  const byStep = new Map<number, string>();
  for (const f of files) {
    if (f.step === null) continue;
    const other = byStep.get(f.step);
    if (other) {
      const problem = `two checkpoints for step ${f.step}: ${basename(other)} and ${basename(f.path)}`;
      throw invalid(`${dir}: ${problem}`, { source: dir, step: f.step });
    }
    byStep.set(f.step, f.path);
  }
  files.sort((a, b) => (a.step ?? Infinity) - (b.step ?? Infinity) || a.path.localeCompare(b.path, undefined, { numeric: true }));
  return {
    format: 'folder',
    source: dir,
    tensors: files[0].import.tensors,
    files,
    ...(settings ? { settings } : {}),
    ...(skipped.length ? { skipped } : {}),
  };
}
