import type { MetricRow } from '../../shared/jobs/messages';
import type { Repos } from '../db/repos';
import type { EventBus } from '../rpc/event-bus';

/** What the runs table shows of a run's last values (run-columns.ts finalOf), as a run of the app's own has in summary.last. */
const SHOWN = new Set(['train_loss', 'train_acc', 'test_loss', 'test_acc']);
/** A client logs many batches a second: the run's row and the renderer's refetch follow at most this often. */
const EVERY_MS = 1000;

interface Last {
  last?: Record<string, number>;
  lastStep?: Record<string, number>;
}

/**
 * Keeps a client run's summary.last (the value at the highest step of each of SHOWN) up to date while it logs, so the
 * runs table shows its losses and accuracies as for a run trained here; written and announced (run.updated) at most
 * once a second, and at once on flush (the run ends).
 */
export function clientSummaries(repos: Repos, bus: EventBus) {
  const pending = new Map<number, Map<string, [step: number, value: number]>>();
  let timer: NodeJS.Timeout | undefined;

  const write = (id: number, latest: Map<string, [number, number]>, announce: boolean) => {
    const run = repos.runs.get(id);
    const prev = run.summary as Last;
    const last = { ...prev.last };
    const lastStep = { ...prev.lastStep };
    for (const [key, [step, value]] of latest) {
      if (step < (lastStep[key] ?? -1)) continue; // a late resend of an earlier step does not move the final value back
      last[key] = value;
      lastStep[key] = step;
    }
    repos.runs.update(id, { summary: { ...run.summary, last, lastStep } });
    if (announce) bus.emit('run.updated', { runId: id, projectId: run.projectId });
  };
  /** Writes what is pending (of one run, or all); `announce: false` when the caller emits run.updated itself. */
  const flush = (runId?: number, announce = true) => {
    for (const [id, latest] of pending) {
      if (runId !== undefined && id !== runId) continue;
      pending.delete(id);
      try {
        write(id, latest, announce);
      } catch {
        /* the run was deleted meanwhile: nothing to show */
      }
    }
  };

  return {
    logged(runId: number, rows: MetricRow[]) {
      let latest = pending.get(runId);
      for (const r of rows) {
        if (!SHOWN.has(r.key)) continue;
        if (!latest) pending.set(runId, (latest = new Map()));
        const had = latest.get(r.key);
        if (!had || r.step >= had[0]) latest.set(r.key, [r.step, r.value]);
      }
      if (latest && !timer) {
        timer = setTimeout(() => {
          timer = undefined;
          flush();
        }, EVERY_MS);
        timer.unref();
      }
    },
    flush,
  };
}
