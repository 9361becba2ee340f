import { createReadStream, existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve, sep } from 'node:path';
import { createInterface } from 'node:readline';
import { z } from 'zod';
import { clientFinish, clientStart } from '../../shared/api/client-schemas';
import { SPLITS, type Split } from '../../shared/domain/types';
import { invalid } from '../../shared/api/errors';

/** An offline run folder the Python client writes (resources/python/plateau_client/offline.py says what is in it). */
export interface ClientRunFolder {
  path: string;
  start: z.output<typeof clientStart>;
  checkpoints: FolderCheckpoint[];
  finish?: { status: 'succeeded' | 'failed' | 'cancelled'; error?: string };
}
export interface FolderFile {
  file: string;
  sha256: string;
  bytes: number;
}
export interface FolderCheckpoint extends FolderFile {
  step: number;
  epoch: number | null;
  features: FolderFile | null;
}
export interface FolderPoint {
  step: number;
  key: string;
  value: number;
  split: Split;
  epoch: number | null;
}

const file = z.object({ file: z.string().min(1), sha256: z.string().regex(/^[a-f0-9]{64}$/), bytes: z.int().min(1) });
const checkpointLine = file.extend({ step: z.int().min(0), epoch: z.number().nullable(), features: file.nullable() });
const pointLine = z.object({
  step: z.int().min(0),
  key: z.string().min(1).max(200),
  value: z.number(),
  split: z.enum(SPLITS),
  epoch: z.number().nullable(),
});

const why = (err: z.ZodError) => err.issues.map((i) => `${i.path.join('.') || 'line'} ${i.message}`).join('; ');

/** The run folders at `path`: the folder itself when it holds a run.json, else its sub-folders that do. */
export function findRunFolders(path: string): string[] {
  const root = resolve(path);
  if (!existsSync(root) || !statSync(root).isDirectory()) throw invalid(`${root}: no such folder`);
  if (existsSync(join(root, 'run.json'))) return [root];
  const found = readdirSync(root, { withFileTypes: true })
    .filter((e) => e.isDirectory() && existsSync(join(root, e.name, 'run.json')))
    .map((e) => join(root, e.name))
    .sort();
  if (!found.length) throw invalid(`${root} holds no run folder (a folder with a run.json, as plateau_client writes offline).`);
  return found;
}

function readJson(path: string): unknown {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw invalid(`${path}: not readable JSON (${(err as Error).message})`);
  }
}

/** A file a line names must stay inside the run folder. */
function inside(folder: string, rel: string, where: string): string {
  const abs = resolve(folder, rel);
  if (!abs.startsWith(folder + sep)) throw invalid(`${where}: ${rel} is outside the run folder`);
  if (!existsSync(abs)) throw invalid(`${where}: ${rel} is missing`);
  return abs;
}

/** Reads and checks run.json, checkpoints.jsonl and finish.json (metric points are streamed by readPoints). */
export function readRunFolder(folder: string): ClientRunFolder {
  const meta = readJson(join(folder, 'run.json')) as Record<string, unknown>;
  if (meta?.format !== 'plateau-client-run')
    throw invalid(`${join(folder, 'run.json')}: not a plateau_client run (format is ${String(meta?.format)})`);
  const { format: _f, version: _v, runId: _r, ...rest } = meta;
  const start = clientStart.safeParse(rest);
  if (!start.success) throw invalid(`${join(folder, 'run.json')}: ${why(start.error)}`);
  const checkpoints: FolderCheckpoint[] = [];
  const listed = join(folder, 'checkpoints.jsonl');
  if (existsSync(listed)) {
    readFileSync(listed, 'utf8')
      .split('\n')
      .forEach((line, i) => {
        if (!line.trim()) return;
        const where = `${listed}:${i + 1}`;
        let c: z.infer<typeof checkpointLine>;
        try {
          const parsed = checkpointLine.safeParse(JSON.parse(line));
          if (!parsed.success) throw new Error(why(parsed.error));
          c = parsed.data;
        } catch (err) {
          throw invalid(`${where}: ${(err as Error).message}`);
        }
        const features = c.features && { ...c.features, file: inside(folder, c.features.file, where) };
        checkpoints.push({ ...c, file: inside(folder, c.file, where), features });
      });
  }
  const endFile = join(folder, 'finish.json');
  let finish: ClientRunFolder['finish'];
  if (existsSync(endFile)) {
    const end = clientFinish.omit({ runId: true }).safeParse(stripNullError(readJson(endFile)));
    if (!end.success) throw invalid(`${endFile}: ${why(end.error)}`);
    finish = end.data;
  }
  return { path: folder, start: start.data, checkpoints, finish };
}

const stripNullError = (v: unknown) => {
  const o = { ...(v as Record<string, unknown>) };
  if (o.error === null) delete o.error;
  return o;
};

/**
 * metrics.jsonl in batches of `batch` points. A last line cut short (the writer killed mid-line) is left out and
 * counted; a bad line anywhere else is refused by its number.
 */
export async function* readPoints(folder: string, batch: number, onCut: () => void): AsyncGenerator<FolderPoint[]> {
  const path = join(folder, 'metrics.jsonl');
  if (!existsSync(path)) return;
  const lines = createInterface({ input: createReadStream(path), crlfDelay: Infinity });
  let out: FolderPoint[] = [];
  let n = 0;
  let bad: { n: number; message: string } | null = null;
  for await (const line of lines) {
    n++;
    if (bad) throw invalid(`${path}:${bad.n}: ${bad.message}`); // a bad line followed by more: not a cut-off end
    if (!line.trim()) continue;
    try {
      const p = pointLine.safeParse(JSON.parse(line));
      if (!p.success) throw new Error(why(p.error));
      out.push(p.data);
    } catch (err) {
      bad = { n, message: (err as Error).message };
      continue;
    }
    if (out.length >= batch) {
      yield out;
      out = [];
    }
  }
  if (bad) onCut();
  if (out.length) yield out;
}
