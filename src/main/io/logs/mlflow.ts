// MLflow's file store: mlruns/<experiment id>/<run id>/ holds meta.yaml (run_name), metrics/<key> files of
// `timestamp value step` lines (keys with `/` are sub-folders), params/<key> files holding the value as
// text, tags/ (mlflow.runName). The experiment's own meta.yaml, one folder up, names the experiment.
import { readdir, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { invalid } from '../../../shared/api/errors';
import type { ImportScalar } from '../import-types';
import { SeriesBuilder, type LogRun } from './log-run';
import { parseYaml, type YamlValue } from './simple-yaml';

/** A run folder: its meta.yaml beside a metrics/ or params/ folder. */
export const isMlflowRun = (files: readonly string[], dirs: readonly string[]): boolean =>
  files.includes('meta.yaml') && (dirs.includes('metrics') || dirs.includes('params'));

/** Files under `dir`, as `/`-joined paths relative to it (an MLflow key `val/acc` is the file val/acc). */
async function filesUnder(dir: string, prefix = ''): Promise<string[]> {
  const out: string[] = [];
  let entries;
  try {
    entries = await readdir(join(dir, prefix), { withFileTypes: true });
  } catch {
    return out;
  }
  for (const e of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    const rel = prefix ? `${prefix}/${e.name}` : e.name;
    if (e.isDirectory()) out.push(...(await filesUnder(dir, rel)));
    else if (e.isFile()) out.push(rel);
  }
  return out;
}

async function readMeta(path: string): Promise<Record<string, YamlValue>> {
  const v = parseYaml(await readFile(path, 'utf8'), path);
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw invalid(`${path}: is not a YAML mapping`, { source: path });
  return v;
}

export async function readMlflowRun(dir: string, name: string): Promise<LogRun> {
  const meta = await readMeta(join(dir, 'meta.yaml'));
  const series = new SeriesBuilder();
  const files: string[] = [];
  let bytes = 0;
  for (const key of await filesUnder(join(dir, 'metrics'))) {
    const path = join(dir, 'metrics', key);
    const text = await readFile(path, 'utf8');
    files.push(path);
    bytes += Buffer.byteLength(text);
    text.split(/\r?\n/).forEach((line, i) => {
      if (!line.trim()) return;
      // `timestamp value step` (MLflow >= 1.0; older files have no step: 0, as MLflow reads them)
      const parts = line.trim().split(/\s+/);
      const [ts, value, step = '0'] = parts;
      const t = Number(ts);
      const s = Number(step);
      const v = /^[-+]?(nan|inf|infinity)$/i.test(value ?? '') ? NaN : Number(value);
      if (
        parts.length < 2 ||
        parts.length > 3 ||
        !Number.isFinite(t) ||
        !Number.isSafeInteger(s) ||
        (Number.isNaN(v) && !/nan|inf/i.test(value))
      ) {
        throw invalid(`${path}: line ${i + 1} is not 'timestamp value step' (${line.slice(0, 60)})`, { source: path, line: i + 1 });
      }
      series.add(key, s, v, t);
    });
  }
  const settings: Record<string, ImportScalar> = {};
  for (const key of await filesUnder(join(dir, 'params')))
    settings[key] = (await readFile(join(dir, 'params', key), 'utf8')).replace(/\n$/, '');
  const tags = join(dir, 'tags');
  const tagName = await readFile(join(tags, 'mlflow.runName'), 'utf8').catch(() => null);
  const expMeta = await readMeta(join(dirname(dir), 'meta.yaml')).catch(() => null);
  const runName = [meta.run_name, tagName?.trim(), meta.run_id].find((v) => typeof v === 'string' && v !== '') as string | undefined;
  const info: Record<string, ImportScalar> = {};
  if (typeof expMeta?.name === 'string') info.experiment = expMeta.name;
  if (typeof meta.run_id === 'string') info.run_id = meta.run_id;
  if (typeof meta.status === 'number') info.status = meta.status;
  const { series: out, skipped } = series.finish();
  return { format: 'mlflow', source: dir, name: runName ?? name, series: out, settings, meta: info, skipped, files, bytes };
}
