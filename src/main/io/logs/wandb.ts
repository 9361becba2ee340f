// W&B run exports: the history as JSON lines (`wandb-history.jsonl`, a run folder's files/) or CSV
// (`run.history().to_csv()`, the UI's export), each row a `_step` and the values logged at it; the config
// from config.yaml (W&B's {desc, value} entries) or config JSON; the summary from wandb-summary.json.
import { open, readFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { invalid } from '../../../shared/api/errors';
import type { ImportScalar } from '../import-types';
import { SeriesBuilder, type LogRun } from './log-run';
import { flattenSettings } from './settings';
import { parseYaml } from './simple-yaml';

const HISTORY = /^(wandb-history|history)\.(jsonl|csv)$|\.csv$/i;

/** The history files of a W&B export folder (JSON lines first); a CSV counts only with a `_step` column. */
export async function wandbHistoryFiles(dir: string, files: readonly string[]): Promise<string[]> {
  const named = files.filter((f) => /^(wandb-history|history)\.(jsonl|csv)$/i.test(f));
  if (named.length) return named;
  const csvs: string[] = [];
  for (const f of files.filter((n) => HISTORY.test(n))) if (await csvHasStep(join(dir, f))) csvs.push(f);
  return csvs;
}

async function csvHasStep(path: string): Promise<boolean> {
  const fh = await open(path, 'r');
  try {
    const head = Buffer.alloc(4096);
    const { bytesRead } = await fh.read(head, 0, head.length, 0);
    return splitCsvLine(head.subarray(0, bytesRead).toString('utf8').split(/\r?\n/)[0]).includes('_step');
  } finally {
    await fh.close();
  }
}

/** One CSV record's fields (RFC 4180 quoting; a history row holds no line breaks inside quotes). */
function splitCsvLine(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cur += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      out.push(cur);
      cur = '';
    } else cur += c;
  }
  out.push(cur);
  return out;
}

/** Python's json writes NaN and Infinity bare, which JSON.parse refuses: such values become null (left out). */
const parseJsonLine = (line: string): unknown => {
  try {
    return JSON.parse(line);
  } catch {
    return JSON.parse(line.replace(/(:\s*|\[\s*|,\s*)-?(NaN|Infinity)(?=\s*[,}\]])/g, '$1null'));
  }
};

export async function readWandbRun(dir: string, name: string, files: readonly string[]): Promise<LogRun> {
  const history = await wandbHistoryFiles(dir, files);
  const series = new SeriesBuilder();
  const media = new Map<string, number>();
  let nulls = 0;
  let bytes = 0;
  const add = (key: string, step: number, v: unknown) => {
    if (typeof v === 'number') series.add(key, step, v);
    else if (v === null) nulls++;
    else if (typeof v === 'object' && !Array.isArray(v)) {
      const o = v as Record<string, unknown>;
      if (typeof o._type === 'string') media.set(`${key} (${o._type})`, (media.get(`${key} (${o._type})`) ?? 0) + 1);
      else for (const [k, x] of Object.entries(o)) add(`${key}.${k}`, step, x);
    }
  };
  for (const f of history) {
    const path = join(dir, f);
    const text = await readFile(path, 'utf8');
    bytes += Buffer.byteLength(text);
    const lines = text.split(/\r?\n/);
    const stepOf = (raw: unknown, no: number): number => {
      const step = typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : raw;
      if (typeof step !== 'number' || !Number.isSafeInteger(step))
        throw invalid(`${path}: line ${no} has no integer _step`, { source: path, line: no });
      return step;
    };
    if (f.toLowerCase().endsWith('.jsonl')) {
      lines.forEach((line, i) => {
        if (!line.trim()) return;
        let row: unknown;
        try {
          row = parseJsonLine(line);
        } catch {
          throw invalid(`${path}: line ${i + 1} is not JSON`, { source: path, line: i + 1 });
        }
        if (row === null || typeof row !== 'object' || Array.isArray(row))
          throw invalid(`${path}: line ${i + 1} is not a JSON object`, { source: path, line: i + 1 });
        const r = row as Record<string, unknown>;
        const step = stepOf(r._step, i + 1);
        for (const [k, v] of Object.entries(r)) if (!k.startsWith('_')) add(k, step, v);
      });
    } else {
      const header = splitCsvLine(lines[0] ?? '');
      const at = header.indexOf('_step');
      if (at < 0) throw invalid(`${path}: the header has no _step column`, { source: path });
      lines.slice(1).forEach((line, i) => {
        if (!line.trim()) return;
        const cells = splitCsvLine(line);
        if (cells.length !== header.length) {
          throw invalid(`${path}: line ${i + 2} has ${cells.length} fields, the header ${header.length}`, { source: path, line: i + 2 });
        }
        const step = stepOf(cells[at], i + 2);
        header.forEach((k, j) => {
          if (k.startsWith('_') || cells[j].trim() === '') return; // an empty cell: nothing logged at that step
          const v = Number(cells[j]);
          if (Number.isNaN(v) && !/^\s*nan\s*$/i.test(cells[j])) media.set(`${k} (text)`, (media.get(`${k} (text)`) ?? 0) + 1);
          else series.add(k, step, v);
        });
      });
    }
  }
  const { series: out, skipped } = series.finish();
  for (const [what, n] of media) skipped.push({ name: what, reason: `not a number: media, tables or text (${n} left out)` });
  if (nulls) skipped.push({ name: '(null values)', reason: `${nulls} null, NaN or infinite value(s) left out` });
  const settings = await readConfig(dir, files);
  const summary = files.includes('wandb-summary.json') ? await readJson(join(dir, 'wandb-summary.json')) : null;
  const meta: Record<string, ImportScalar> = {};
  for (const [k, v] of Object.entries(flattenSettings(summary ?? {}))) if (!k.startsWith('_')) meta[`summary.${k}`] = v;
  return {
    format: 'wandb',
    source: dir,
    // a W&B run folder keeps its files in files/: the run is its parent (run-20240101_120000-abc123)
    name: basename(dir) !== 'files' ? name : name === 'files' ? basename(dirname(dir)) : name.replace(/\/files$/, ''),
    series: out,
    settings,
    meta,
    skipped,
    files: history.map((f) => join(dir, f)),
    bytes,
  };
}

async function readJson(path: string): Promise<unknown> {
  try {
    return parseJsonLine(await readFile(path, 'utf8'));
  } catch {
    throw invalid(`${path}: is not valid JSON`, { source: path });
  }
}

/** W&B's config: config.yaml, or config.json; entries either `{desc, value}` (W&B's own files) or plain. */
async function readConfig(dir: string, files: readonly string[]): Promise<Record<string, ImportScalar>> {
  let raw: unknown = null;
  if (files.includes('config.yaml')) raw = parseYaml(await readFile(join(dir, 'config.yaml'), 'utf8'), join(dir, 'config.yaml'));
  else if (files.includes('config.json')) raw = await readJson(join(dir, 'config.json'));
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return {};
  const plain: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(raw as Record<string, unknown>)) {
    if (k === 'wandb_version' || k === '_wandb') continue;
    const wrapped = v !== null && typeof v === 'object' && !Array.isArray(v) && 'value' in v;
    plain[k] = wrapped ? (v as { value: unknown }).value : v;
  }
  return flattenSettings(plain);
}
