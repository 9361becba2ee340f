import type { Checkpoint, MetricSeries, Run } from '../../../../shared/domain/types';

const f = (v: number | undefined, pct = false) => (v === undefined ? '—' : pct ? `${(v * 100).toFixed(1)}%` : v.toExponential(3));

/** The run's log: one line per logged epoch, a line per checkpoint, and how the run ended; in step order. */
export function runLog(run: Run, series: MetricSeries[], checkpoints: Checkpoint[]): string[] {
  const byStep = new Map<number, { epoch: number | null; v: Record<string, number> }>();
  for (const s of series) {
    if (s.layer) continue;
    s.steps.forEach((step, i) => {
      const e = byStep.get(step) ?? { epoch: s.epochs[i], v: {} };
      e.v[s.key] = s.values[i];
      byStep.set(step, e);
    });
  }
  const lines: [number, number, string][] = [];
  for (const [step, { epoch, v }] of byStep) {
    if (v.train_loss === undefined && v.train_acc === undefined) continue;
    lines.push([
      step,
      0,
      `epoch ${epoch === null ? '?' : Number.isInteger(epoch) ? epoch : epoch.toFixed(2)}  step ${step}  train loss ${f(v.train_loss)}  acc ${f(v.train_acc, true)}  test loss ${f(v.test_loss)}  acc ${f(v.test_acc, true)}`,
    ]);
  }
  for (const c of checkpoints)
    lines.push([c.step, 1, `checkpoint at step ${c.step} (${(c.bytes / 1024).toFixed(0)} kB, sha256 ${c.sha256.slice(0, 12)})`]);
  lines.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const out = lines.map(([, , text]) => text);
  if (run.startedAt)
    out.unshift(
      `${new Date(run.startedAt).toLocaleString()}  started on ${run.backend ?? 'a backend'}${run.versions.tfjs ? ` (tfjs ${run.versions.tfjs})` : ''}`,
    );
  const off = run.summary?.liveMetricsOff;
  if (typeof off === 'string') out.push(`live checkpoint metrics stopped (${off}); a metrics job measures every checkpoint after training`);
  if (run.finishedAt) out.push(`${new Date(run.finishedAt).toLocaleString()}  ${run.status}${run.error ? `: ${run.error}` : ''}`);
  return out;
}
