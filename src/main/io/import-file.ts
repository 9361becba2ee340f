import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { invalid, notFound } from '../../shared/api/errors';
import { flagNonFinite, importFormats, supportedImports, type FileImport, type ImportFormatDescriptor } from './formats';
import { lmDumpSetFormat } from './formats/lm-dump-set-format';
import { probeFile, type Probe } from './formats/probe';
import { inspectFolder, type FolderImport } from './import-folder';

export type { FileImport, LoadOptions } from './formats';
export type { FolderImport } from './import-folder';
export { stepFromName } from './import-folder';

export type ImportIndex = FileImport | FolderImport;

export const isFolderImport = (index: ImportIndex): index is FolderImport => index.format === 'folder';

/** Works out what `path` is and indexes it, reading as little as each format allows. */
export async function inspectImport(path: string): Promise<ImportIndex> {
  let isDir: boolean;
  try {
    isDir = (await stat(path)).isDirectory();
  } catch {
    throw notFound(`${path}: no such file or folder`, { source: path });
  }
  // A dump set's folder is one checkpoint (its set folders hold chunk files, not checkpoints).
  const own = isDir ? await lmDumpSetFormat.folderRole!(path, (await readdir(path)).sort()) : null;
  if (own?.role === 'checkpoint') return inspectFile(join(path, own.file), lmDumpSetFormat);
  return isDir ? inspectFolder(path, inspectFile) : inspectFile(path);
}

/** The format whose magic bytes match, else the one the extension names (whose reader then says what is wrong). */
export async function detectFormat(probe: Probe): Promise<ImportFormatDescriptor | null> {
  for (const f of importFormats()) if (await f.sniff(probe)) return f;
  return importFormats().find((f) => !f.refines?.length && f.extensions.includes(probe.ext)) ?? null;
}

/** Indexes one file; tensors it loads carry their NaN/Inf count, which then shows in `tensors` too. */
export async function inspectFile(path: string, format?: ImportFormatDescriptor): Promise<FileImport> {
  const index = await (format ?? (await formatOf(path))).inspect(path);
  return flagNonFinite(index);
}

async function formatOf(path: string): Promise<ImportFormatDescriptor> {
  const probe = await probeFile(path);
  const format = await detectFormat(probe);
  if (format) return format;
  const what = (await probe.zipNames()) ? 'a zip archive that is none of the supported formats' : 'an unrecognised file';
  throw invalid(`${path}: ${what}; supported formats: ${supportedImports()}`, { source: path });
}
