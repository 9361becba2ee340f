import { existsSync, readdirSync } from 'node:fs';
import type { ServiceApi } from '../../shared/api/contract';
import type { SweepSummary } from '../../shared/domain/types';
import type { AppContext } from '../app/context';
import { anySweepCancel, anySweepCollect, anySweepResubmit, anySweepStatus } from '../sweeps/any-sweep';
import { loadRecord, sweepsDir, type AnySweepRecord } from '../sweeps/manifest';
import { submitSweep } from '../sweeps/sweeps';

const summary = (r: AnySweepRecord): SweepSummary =>
  r.kind === 'local'
    ? { id: r.id, createdAt: r.createdAt, sweepDir: '', jobs: [], collected: r.points.length } // a local sweep's runs are in the project
    : {
        id: r.id,
        createdAt: r.createdAt,
        sweepDir: r.sweepDir,
        jobs: [...new Set(r.submissions.map((s) => s.jobId))],
        collected: Object.keys(r.collected).length,
      };

export function sweepsService(ctx: AppContext): ServiceApi['sweeps'] {
  const record = (projectId: number, id: string) => {
    ctx.repos.projects.get(projectId);
    return loadRecord(ctx.dataDir, projectId, id);
  };
  return {
    list: ({ projectId }) => {
      ctx.repos.projects.get(projectId);
      const dir = sweepsDir(ctx.dataDir, projectId);
      if (!existsSync(dir)) return [];
      return readdirSync(dir)
        .filter((f) => f.endsWith('.json'))
        .map((f) => summary(loadRecord(ctx.dataDir, projectId, f.slice(0, -5))))
        .sort((a, b) => b.createdAt - a.createdAt);
    },
    submit: async ({ projectId, preset, points, sharedDir, slurm, name }) => {
      ctx.repos.projects.get(projectId);
      const { record } = await submitSweep(ctx, {
        projectId,
        preset,
        sharedDir,
        slurm,
        name,
        points: points.map((p, index) => ({ index, ...p })),
      });
      return summary(record);
    },
    status: async ({ projectId, id }) => {
      const tasks = await anySweepStatus(ctx, record(projectId, id));
      return {
        id,
        tasks: tasks.map((t) => ({
          index: t.index,
          label: t.label,
          jobId: t.jobId,
          state: t.state,
          exitCode: t.exitCode,
          node: t.node,
          epoch: t.progress?.epoch ?? null,
          testAcc: t.progress?.test_acc ?? t.summary?.test_acc ?? null,
          collectedRunId: t.collectedRunId,
          error: t.error ?? null,
          logTail: t.logTail ?? null,
        })),
      };
    },
    collect: async ({ projectId, id }) => {
      const r = await anySweepCollect(ctx, record(projectId, id));
      for (const a of r.added) ctx.bus.emit('run.updated', { runId: a.runId, projectId });
      return {
        added: r.added.length,
        already: r.already.length,
        skipped: r.skipped.map((s) => ({ index: s.index, reason: `${s.state}: ${s.reason}` })),
      };
    },
    cancel: async ({ projectId, id }) => ({ cancelled: await anySweepCancel(ctx, record(projectId, id)) }),
    resubmit: ({ projectId, id }) => anySweepResubmit(ctx, record(projectId, id)),
  };
}
