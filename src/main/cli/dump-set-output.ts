import { openDumpSet } from '../io/lm-dump-set';
import { computeEvalSetMetrics, type EvalSetMetrics } from '../ml/metrics/eval-sets';
import { emit, table, type GlobalOptions } from './output';
import { progressBar } from './progress-bar';

const fmt = (v: number | undefined) =>
  typeof v === 'number' ? (v === 0 ? '0' : Math.abs(v) >= 1e-3 && Math.abs(v) < 1e5 ? v.toPrecision(6) : v.toExponential(5)) : '';

/** What `plateau metrics --features DUMP-SET` prints under --json: the computation, and where it came from. */
export interface DumpSetResult extends EvalSetMetrics {
  source: string;
  step: number | null;
  positions: Record<string, number>;
}

/** One column per evaluation set, one row per key; model-level keys (the head's weights, train_loss) after. */
export function dumpSetTable(r: DumpSetResult): string {
  const names = Object.keys(r.sets);
  const keys = [...new Set(names.flatMap((n) => Object.keys(r.sets[n])))];
  const head = table(
    ['METRIC', ...names.map((n) => (n === r.trainSet ? `${n} (train)` : n))],
    keys.map((k) => [k, ...names.map((n) => fmt(r.sets[n][k]))]),
  );
  const model = Object.entries(r.model).map(([k, v]) => `  ${k}: ${fmt(v)}`);
  const omitted = Object.entries(r.omitted).map(([k, why]) => `  ${k}: ${why}`);
  const c = r.collapse;
  return [
    `${r.source}: ${names.map((n) => `${n} ${r.positions[n]} positions`).join(', ')}${r.step === null ? '' : `; step ${r.step}`}`,
    head,
    ...(model.length ? ['', 'Head and training set:', ...model] : []),
    ...(omitted.length ? ['', 'Not computed:', ...omitted] : []),
    ...(c ? [`Collapse keys on the ${c.collapse_top_k} most frequent classes of each set where more are present.`] : []),
  ].join('\n');
}

/** `--features` naming an LM dump set: every key per evaluation set, streaming over the chunk files. */
export function dumpSetMetrics(g: GlobalOptions, path: string, keys: string[] | undefined, collapseTopK: number | undefined): void {
  const set = openDumpSet(path);
  const bar = g.json ? null : progressBar('metrics', set.sets.length);
  const r = computeEvalSetMetrics(set.splits, set.layer, keys, {
    collapseTopK,
    trainSet: set.trainSet,
    onSet: (name, i) => bar?.update(i, name),
  });
  bar?.update(set.sets.length, 'done');
  bar?.done();
  const result: DumpSetResult = {
    source: set.manifest,
    step: set.step,
    positions: Object.fromEntries(set.sets.map((s) => [s.name, s.positions])),
    ...r,
  };
  emit(g, result, () => dumpSetTable(result));
}
