// TensorBoard event files (`events.out.tfevents.*`): TFRecord-framed Event protobufs. A folder's files are
// one run, merged in order of wall time. Scalars come in two forms, TF1/PyTorch's `simple_value` and TF2's
// rank-0 tensor under the 'scalars' plugin; histograms keep their exact summary statistics.
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { invalid } from '../../../shared/api/errors';
import { SeriesBuilder, type LogRun } from './log-run';
import { decodeEvent, tensorScalar, toNumber, type TfEvent, type TfValue } from './tf-event-proto';
import { readTfRecords } from './tfrecord';

export const isEventFile = (name: string): boolean => /^events\.out\.tfevents\./.test(name);

const has = (o: object, k: string) => Object.prototype.hasOwnProperty.call(o, k);

/** Reads every event file of one run folder, each record checked; throws naming the file and record. */
export async function readTensorBoardRun(dir: string, name: string, files: readonly string[]): Promise<LogRun> {
  const series = new SeriesBuilder();
  // TF2 writes a tag's plugin metadata only with its first value: remembered per tag across the run's files.
  const plugin = new Map<string, string>();
  const left = new Map<string, { reason: string; n: number }>();
  const leave = (what: string, reason: string) => {
    const e = left.get(what);
    if (e) e.n++;
    else left.set(what, { reason, n: 1 });
  };
  let bytes = 0;
  const sorted = [...files].sort((a, b) => a.localeCompare(b, undefined, { numeric: true }));
  for (const f of sorted) {
    const path = join(dir, f);
    bytes += (await stat(path)).size;
    await readTfRecords(path, (buf, start, end, index, offset) => {
      let ev: TfEvent;
      try {
        ev = decodeEvent(buf, start, end);
      } catch (err) {
        const problem = `is not an Event protobuf (${(err as Error).message})`;
        throw invalid(`${path}: record ${index} (byte ${offset}) ${problem}`, { source: path, record: index, offset });
      }
      if (!ev.summary) {
        if (!has(ev, 'file_version')) leave('(events without a summary)', 'graphs, session logs and run metadata are not metrics');
        return;
      }
      const step = toNumber(ev.step ?? 0);
      const wall = ev.wall_time ?? 0;
      for (const v of ev.summary.value) readValue(v, step, wall, series, plugin, leave);
    });
  }
  const { series: out, skipped } = series.finish();
  skipped.push(...[...left].map(([what, { reason, n }]) => ({ name: what, reason: `${reason} (${n} left out)` })));
  return {
    format: 'tensorboard',
    source: dir,
    name,
    series: out,
    settings: {},
    meta: {},
    skipped,
    files: sorted.map((f) => join(dir, f)),
    bytes,
  };
}

function readValue(
  v: TfValue,
  step: number,
  wall: number,
  series: SeriesBuilder,
  plugin: Map<string, string>,
  leave: (what: string, reason: string) => void,
): void {
  const tag = v.tag;
  const named = v.metadata?.plugin_data?.plugin_name;
  if (named && !plugin.has(tag)) plugin.set(tag, named);
  if (has(v, 'simple_value')) return series.add(tag, step, v.simple_value!, wall);
  if (v.histo) {
    // PyTorch's add_histogram and TF1: exact count, sum and sum of squares, so mean and (population) std are exact.
    const { min, max, num, sum, sum_squares: sq } = v.histo;
    const mean = num > 0 ? sum / num : NaN;
    series.add(`${tag}/min`, step, min, wall);
    series.add(`${tag}/max`, step, max, wall);
    series.add(`${tag}/mean`, step, mean, wall);
    series.add(`${tag}/std`, step, num > 0 ? Math.sqrt(Math.max(0, sq / num - mean * mean)) : NaN, wall);
    return;
  }
  if (v.tensor) {
    const p = plugin.get(tag);
    if (p === 'scalars') {
      const x = tensorScalar(v.tensor);
      if (x !== null) return series.add(tag, step, x, wall);
      return leave(tag, 'a scalars-plugin tensor that is not one number');
    }
    if (p === 'histograms') return leave(tag, 'a TF2 histogram (bucket edges and counts only, no exact statistics)');
    return leave(tag, `a tensor of the '${p ?? 'unknown'}' plugin, not a scalar`);
  }
  if (v.image || v.audio) return leave(tag, 'an image or audio summary');
  leave(tag, 'a summary value of no kind read here');
}

/** A folder is a TensorBoard run when it holds event files directly. */
export function eventFiles(names: readonly string[]): string[] {
  return names.filter(isEventFile);
}
