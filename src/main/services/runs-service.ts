import { rmSync } from 'node:fs';
import type { ServiceApi } from '../../shared/api/contract';
import { conflict, invalid } from '../../shared/api/errors';
import { applyConfigOverrides } from '../../shared/domain/config-keys';
import type { Run } from '../../shared/domain/types';
import { runDir } from '../app/paths';
import type { AppContext } from '../app/context';
import { PRESETS, preset as presetConfig } from '../ml/presets';
import { parseTrainConfig } from '../ml/validate-config';

export function runsService(ctx: AppContext): ServiceApi['runs'] {
  const { repos, bus } = ctx;
  const changed = (run: Run) => bus.emit('run.updated', { runId: run.id, projectId: run.projectId });
  const changedRun = (run: Run) => (changed(run), run);
  const activeJob = (runId: number) => repos.jobs.list({ active: true }).find((j) => j.runId === runId);
  /** Pauses or resumes the run's training worker; a run that is not training now is a conflict. */
  const control = (id: number, action: 'pause' | 'resume') => {
    const job = activeJob(id);
    if (!job || !ctx.jobs.control(job.id, { type: 'control', action }))
      throw conflict(`Run ${id} is ${repos.runs.get(id).status}, not training right now.`);
  };

  return {
    list: ({ projectId }) => {
      repos.projects.get(projectId);
      return repos.runs.list(projectId);
    },
    get: ({ id }) => repos.runs.get(id),
    remove: ({ id }) => {
      const run = repos.runs.get(id);
      if (activeJob(id)) throw conflict(`Run ${id} is ${run.status}. Cancel it first, then remove it.`);
      repos.runs.remove(id);
      rmSync(runDir(ctx.dataDir, run.projectId, id), { recursive: true, force: true });
      changed(run);
      return { removed: id };
    },
    note: ({ id, notes }) => {
      const run = repos.runs.update(id, { notes });
      changed(run);
      return run;
    },
    tag: ({ id, add, remove }) => {
      const run = repos.runs.tag(id, add, remove);
      changed(run);
      return run;
    },
    start: ({ projectId, preset, config, set, seeds, name, metrics, backend }) => {
      repos.projects.get(projectId);
      if (!preset && !config) throw invalid('Give a preset or a config to train.');
      const base = { ...(preset ? presetConfig(preset) : {}), ...(config ?? {}) };
      // a study preset (no config of the caller's) starts each of its variants over its seeds
      const study = preset && !config ? PRESETS[preset]?.study : undefined;
      const variants: [string | null, object][] = study ? Object.entries(study.variants) : [[null, base]];
      const runs = variants.flatMap(([variant, variantConfig]) => {
        let b: Record<string, unknown>;
        try {
          b = applyConfigOverrides(variantConfig as Record<string, unknown>, set);
        } catch (err) {
          throw invalid((err as Error).message);
        }
        return (seeds ?? study?.seeds ?? [parseTrainConfig(b).seed]).map((seed) => ({ variant, config: parseTrainConfig({ ...b, seed }) }));
      });
      const created = runs.map(({ variant, config: c }) => {
        const label = variant ? `${name ?? preset} ${variant}` : (name ?? preset ?? 'custom');
        const run = repos.runs.create({
          projectId,
          preset: preset ?? null,
          config: c as unknown as Record<string, unknown>,
          status: 'queued',
          seed: c.seed,
          name: `${label}${runs.length > 1 || !name ? ` s${c.seed}` : ''}`,
        });
        const tagged = variant ? repos.runs.tag(run.id, [variant], []) : run;
        ctx.jobs.enqueue('train', projectId, run.id, { metrics, backend });
        changed(tagged);
        return tagged;
      });
      repos.projects.touch(projectId);
      return created;
    },
    cancel: ({ id }) => {
      const job = activeJob(id);
      if (!job) throw conflict(`Run ${id} is ${repos.runs.get(id).status}; only queued or running runs can be cancelled.`);
      ctx.jobs.cancel(job.id);
      if (job.state === 'queued') {
        const run = repos.runs.update(id, { status: 'cancelled', finishedAt: Date.now() });
        changed(run);
      }
      return repos.runs.get(id);
    },
    pause: ({ id }) => {
      control(id, 'pause');
      const run = repos.runs.update(id, { status: 'paused' });
      changed(run);
      return run;
    },
    /**
     * A paused run continues in place; an interrupted, cancelled or failed one restarts from its last checkpoint,
     * or from the start when it stopped before its first (its partial log is dropped: the run writes it again).
     */
    resume: ({ id }) => {
      const run = repos.runs.get(id);
      if (run.status === 'paused') {
        control(id, 'resume');
        return changedRun(repos.runs.update(id, { status: 'running' }));
      }
      if (run.origin === 'client')
        throw conflict(`Run ${id} was logged by a training script of your own: run it again, or sync its folder.`);
      if (!['interrupted', 'cancelled', 'failed'].includes(run.status))
        throw conflict(`Run ${id} is ${run.status}; only paused, interrupted, cancelled or failed runs can be resumed.`);
      const last = repos.checkpoints.latest(id);
      if (!last) repos.metrics.clear(id);
      const first = repos.jobs.list({ projectId: run.projectId }).findLast((j) => j.runId === id && j.kind === 'train');
      const { metrics = true, backend } = (first ? repos.jobs.params(first.id) : {}) as { metrics?: boolean; backend?: string };
      ctx.jobs.enqueue('train', run.projectId, id, { metrics, backend, ...(last ? { resumeFile: last.file } : {}) });
      return changedRun(repos.runs.update(id, { status: 'queued', error: null, finishedAt: null }));
    },
    checkpoints: ({ id }) => {
      repos.runs.get(id);
      return repos.checkpoints.list(id);
    },
  };
}
