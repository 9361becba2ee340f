/**
 * Sweeps run here: each grid point x seed is an ordinary run in the project (trained by the job queue),
 * and the sweep's record says which. status, collect, cancel and resubmit answer for them as for Slurm sweeps.
 */
import { invalid, notFound } from '../../shared/api/errors';
import type { Run, RunStatus } from '../../shared/domain/types';
import type { AppContext } from '../app/context';
import { runsService } from '../services/runs-service';
import { checkSweepPoints, pointOverrides as overrides } from './check-points';
import type { CollectResult } from './collect';
import { pointLabel, type GridPoint } from './grid';
import { createRecord, MANIFEST_FORMAT, saveRecord, SWEEP_ID, type LocalSweepRecord } from './manifest';
import type { TaskStatus } from './sweeps';
import type { TaskState } from './slurm-client';

const STATE: Record<RunStatus, TaskState> = {
  queued: 'pending',
  running: 'running',
  paused: 'running',
  succeeded: 'completed',
  failed: 'failed',
  cancelled: 'cancelled',
  interrupted: 'failed',
  diverged: 'failed',
  imported: 'completed',
};

/** Queues every point (one runs.start per grid combination, all its seeds at once) and records the sweep. */
export async function startLocalSweep(
  ctx: AppContext,
  p: { projectId: number; preset: string; points: GridPoint[]; name?: string },
): Promise<{ record: LocalSweepRecord; runs: Run[] }> {
  const createdAt = Date.now();
  const id = p.name ?? `${p.preset}-${new Date(createdAt).toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15)}`;
  if (!SWEEP_ID.test(id)) throw invalid(`Sweep name '${id}' may use letters, digits, '.', '_' and '-' (up to 80).`);
  const runs = runsService(ctx);
  const combos = new Map<string, GridPoint[]>();
  for (const pt of p.points) combos.set(JSON.stringify(pt.set), [...(combos.get(JSON.stringify(pt.set)) ?? []), pt]);
  checkSweepPoints(p.preset, p.points); // a typo in the last combination starts nothing
  const planned = [...combos.values()].map((pts) => ({ pts, set: overrides(pts[0].set) }));
  const points: LocalSweepRecord['points'] = [];
  const started: Run[] = [];
  const record: LocalSweepRecord = {
    kind: 'local',
    formatVersion: MANIFEST_FORMAT,
    id,
    projectId: p.projectId,
    preset: p.preset,
    createdAt,
    points,
  };
  createRecord(ctx.dataDir, record); // refuses a name the project already has, before anything trains
  try {
    for (const { pts, set } of planned) {
      const label = pointLabel({ set: pts[0].set, seed: 0 }).replace(/ seed=0$/, '');
      const made = await runs.start({
        projectId: p.projectId,
        preset: p.preset,
        set,
        seeds: pts.map((x) => x.seed),
        metrics: true,
        name: [p.name, label].filter(Boolean).join(' ') || undefined,
      });
      made.forEach((run, i) => points.push({ ...pts[i], runId: run.id }));
      started.push(...made);
    }
  } finally {
    saveRecord(ctx.dataDir, record);
  }
  return { record, runs: started };
}

/** Each point's run: its state as a task, and its last logged epoch and test accuracy. */
export function localSweepStatus(ctx: AppContext, r: LocalSweepRecord): TaskStatus[] {
  return r.points.map((pt) => {
    const base = {
      index: pt.index,
      label: pointLabel(pt),
      jobId: null,
      slurmState: null,
      exitCode: null,
      node: null,
      cluster: null,
      dir: null,
      log: null,
    };
    let run: Run;
    try {
      run = ctx.repos.runs.get(pt.runId);
    } catch {
      return { ...base, state: 'failed', collectedRunId: null, error: `run ${pt.runId} was removed` };
    }
    const acc = ctx.repos.metrics.series([run.id], ['test_acc'], 'test').find((s) => s.layer === '');
    const i = acc ? acc.values.length - 1 : -1;
    const progress = acc && i >= 0 ? { epoch: acc.epochs[i] ?? acc.steps[i], test_acc: acc.values[i] } : undefined;
    return { ...base, state: STATE[run.status] ?? 'failed', collectedRunId: run.id, progress, ...(run.error ? { error: run.error } : {}) };
  });
}

/** Nothing to bring home: a local sweep's runs are in the project from the start. */
export const collectLocalSweep = (r: LocalSweepRecord): CollectResult => ({
  added: [],
  already: r.points.map((p) => p.index),
  skipped: [],
});

const pointsOf = (r: LocalSweepRecord, indices?: number[]) =>
  (indices ?? r.points.map((p) => p.index)).map((i) => {
    const pt = r.points.find((p) => p.index === i);
    if (!pt) throw invalid(`Grid point ${i} is not part of sweep '${r.id}' (0-${r.points.length - 1}).`);
    return pt;
  });

/** Cancels the queued and running runs of the sweep (or of some points); returns their run ids. */
export async function cancelLocalSweep(ctx: AppContext, r: LocalSweepRecord, indices?: number[]): Promise<string[]> {
  const runs = runsService(ctx);
  const active = pointsOf(r, indices).filter((pt) => {
    const s = ctx.repos.runs.list(r.projectId).find((x) => x.id === pt.runId)?.status;
    return s === 'queued' || s === 'running' || s === 'paused';
  });
  for (const pt of active) await runs.cancel({ id: pt.runId });
  return active.map((pt) => `run ${pt.runId}`);
}

/** Starts failed, cancelled and interrupted points (or the given ones) again as new runs, recorded in the sweep. */
export async function resubmitLocalSweep(
  ctx: AppContext,
  r: LocalSweepRecord,
  indices?: number[],
): Promise<{ jobId: string; indices: number[]; runs: Run[] }> {
  const tasks = localSweepStatus(ctx, r);
  const chosen = indices ?? tasks.filter((t) => t.state === 'failed' || t.state === 'cancelled').map((t) => t.index);
  for (const pt of pointsOf(r, chosen)) {
    const t = tasks.find((x) => x.index === pt.index)!;
    if (t.state === 'pending' || t.state === 'running') throw invalid(`Grid point ${pt.index} is still ${t.state} (run ${pt.runId}).`);
  }
  if (!chosen.length) throw notFound(`Sweep '${r.id}' has no failed or cancelled points to run again.`);
  const runs = runsService(ctx);
  const made: Run[] = [];
  for (const pt of pointsOf(r, chosen)) {
    const [run] = await runs.start({
      projectId: r.projectId,
      preset: r.preset,
      set: overrides(pt.set),
      seeds: [pt.seed],
      metrics: true,
      name: [r.id, pointLabel({ set: pt.set, seed: 0 }).replace(/ seed=0$/, '')].join(' '),
    });
    pt.runId = run.id;
    made.push(run);
  }
  saveRecord(ctx.dataDir, r);
  return { jobId: 'local', indices: chosen, runs: made };
}
