/**
 * Text corpora: UTF-8 files or folders cut into documents (one per file, per blank-line separated
 * record, or per fortune record), and the seeded train/test split by document.
 */
import { lstatSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { invalid, notFound } from '../../../../shared/api/errors';
import type { TEXT_DOCUMENT_MODES } from '../../../../shared/domain/dataset-config';
import { createRng } from '../prng';
import { readDataFile } from '../read-file';
import { decodeUtf8 } from './utf8';

/** How a file is cut into documents. */
export type DocumentMode = (typeof TEXT_DOCUMENT_MODES)[number];

export interface TextDocument {
  text: string;
  /** The file it came from (record number appended for paragraph and fortune records). */
  source: string;
}

/**
 * Records of a fortune database: separated by lines holding only `%` (a CR before the newline allowed).
 * Records are kept as written, less the newline before the separator; empty records are dropped.
 */
export function parseFortunes(text: string): string[] {
  return text
    .split(/^%\r?$/m)
    .map((r) => r.replace(/^\r?\n/, '').replace(/\r?\n$/, ''))
    .filter((r) => r.trim().length > 0);
}

/** Records separated by one or more blank lines (lines of only spaces or tabs count as blank); each trimmed. */
export function parseParagraphs(text: string): string[] {
  return text
    .split(/\r?\n(?:[ \t]*\r?\n)+/)
    .map((r) => r.trim())
    .filter((r) => r.length > 0);
}

/** Documents of one file's text. */
export function documentsOf(text: string, mode: DocumentMode, source: string): TextDocument[] {
  if (mode === 'file') return text.trim().length > 0 ? [{ text, source }] : [];
  const records = mode === 'fortune' ? parseFortunes(text) : parseParagraphs(text);
  return records.map((r, i) => ({ text: r, source: `${source} (record ${i + 1})` }));
}

/**
 * Files under a path: the file itself, or every regular file under a folder (recursively, sorted; hidden
 * files and links inside the folder skipped, so a linked alias is not read twice).
 */
export function listCorpusFiles(path: string): string[] {
  let st;
  try {
    st = statSync(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw notFound(`${path}: no such file or folder`, { source: path });
    throw invalid(`${path}: cannot open (${code ?? (err as Error).message})`, { source: path });
  }
  if (!st.isDirectory()) return [path];
  const out: string[] = [];
  const walk = (dir: string) => {
    const names = readdirSync(dir)
      .filter((n) => !n.startsWith('.'))
      .sort();
    for (const name of names) {
      const p = join(dir, name);
      const s = lstatSync(p);
      if (s.isDirectory()) walk(p);
      else if (s.isFile()) out.push(p);
    }
  };
  walk(path);
  return out;
}

/** Reads one UTF-8 file (gzip accepted) into documents; bad bytes are an error naming the file and offset. */
export function readTextFile(path: string, mode: DocumentMode): TextDocument[] {
  return documentsOf(decodeUtf8(readDataFile(path), path), mode, path);
}

/** All documents of a file or folder; a corpus without any text is an error naming the path. */
export function readCorpus(path: string, mode: DocumentMode): TextDocument[] {
  const files = listCorpusFiles(path);
  if (files.length === 0) throw invalid(`${path}: empty corpus (the folder holds no files)`, { source: path });
  const docs = files.flatMap((f) => readTextFile(f, mode));
  if (docs.length === 0) {
    const where = files.length === 1 ? 'the file' : `its ${files.length} files`;
    throw invalid(`${path}: empty corpus (no text in ${where})`, { source: path });
  }
  return docs;
}

export interface DocumentSplit {
  train: TextDocument[];
  test: TextDocument[];
}

/**
 * Splits documents into train and test by a seeded shuffle: round(n * testFraction) documents go to test,
 * at least one to each side. Each side keeps corpus order, so the split depends only on (n, fraction, seed).
 */
export function splitDocuments(docs: TextDocument[], testFraction: number, seed: number, source: string): DocumentSplit {
  const n = docs.length;
  if (!(testFraction > 0 && testFraction < 1)) {
    throw invalid(`testFraction must be in (0, 1), got ${testFraction}`, { field: 'testFraction' });
  }
  if (n < 2) {
    const count = `${n} document${n === 1 ? '' : 's'}`;
    throw invalid(`${source}: ${count}: a train/test split by document needs at least 2 (cut files into records?)`, {
      source,
    });
  }
  const nTest = Math.min(n - 1, Math.max(1, Math.round(n * testFraction)));
  const order = createRng(seed).shuffle(Int32Array.from({ length: n }, (_, i) => i));
  const isTest = new Uint8Array(n);
  for (let k = 0; k < nTest; k++) isTest[order[k]] = 1;
  return { train: docs.filter((_, i) => !isTest[i]), test: docs.filter((_, i) => isTest[i]) };
}
