import { existsSync, linkSync, copyFileSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import type { ImportJobParams } from '../jobs/import-runner';
import type { ServiceApi } from '../../shared/api/contract';
import { invalid } from '../../shared/api/errors';
import type { Run } from '../../shared/domain/types';
import { isActive } from '../../shared/jobs/job-states';
import type { MetricRow } from '../../shared/jobs/messages';
import type { AppContext } from '../app/context';
import { inspectImport } from '../io/import-file';
import type { ClientImportParams } from '../workers/import.worker';
import { clientDir, clientSource, pendingSteps, uploadPart, verifyUpload, writeChunk } from './client-files';
import { clientSummaries } from './client-summary';

/** Rows stored per transaction before the host's thread is handed to other requests (about 20 ms here). */
const LOG_SLICE = 2000;

/**
 * Runs logged by an external training script. Points are upserts keyed by (run, key, split, step), and a
 * checkpoint step is taken once, so whatever a client resends after a lost reply, or a sync sends again, is stored once.
 */
export function clientService(ctx: AppContext): ServiceApi['client'] {
  const { repos, bus } = ctx;
  const summaries = clientSummaries(repos, bus);
  const changed = (run: Run) => (bus.emit('run.updated', { runId: run.id, projectId: run.projectId }), run);
  const clientRun = (runId: number) => {
    const run = repos.runs.get(runId);
    if (run.origin !== 'client') throw invalid(`Run ${runId} was not started by a client (its origin is ${run.origin}).`);
    return run;
  };
  const steps = (run: Run) => {
    const stored = repos.checkpoints.list(run.id).map((c) => c.step);
    return [...new Set([...stored, ...pendingSteps(clientDir(ctx.dataDir, run.projectId, run.id))])].sort((a, b) => a - b);
  };

  /** Checkpoints accepted but cut off while being measured (the host stopped): measured again, from the same job params. */
  const remeasure = (run: Run) => {
    const stored = new Set(repos.checkpoints.list(run.id).map((c) => c.step));
    const dir = clientDir(ctx.dataDir, run.projectId, run.id);
    const jobs = repos.jobs
      .list({ projectId: run.projectId })
      .filter((j) => j.runId === run.id && j.kind === 'import')
      .map((j) => ({ job: j, params: repos.jobs.params(j.id) as ImportJobParams }));
    for (const step of pendingSteps(dir).filter((s) => !stored.has(s))) {
      const mine = jobs.filter((j) => j.params.path === clientSource(dir, step, 'checkpoint'));
      const last = mine.at(-1);
      if (last && (last.job.state === 'interrupted' || last.job.state === 'crashed') && !mine.some((j) => isActive(j.job.state)))
        ctx.jobs.enqueue('import', run.projectId, run.id, last.params);
    }
  };

  return {
    start: ({ uid, project, name, config, tags, origin }) => {
      const existing = repos.runs.findByClientUid(uid);
      if (existing) {
        // a live run cut off by a host restart, now continued (or synced): running again until it finishes
        const run = existing.status === 'interrupted' ? changed(repos.runs.update(existing.id, { status: 'running' })) : existing;
        remeasure(run);
        return { run, checkpointSteps: steps(run), existed: true };
      }
      const p = repos.projects.findByName(project) ?? repos.projects.create(project);
      const created = repos.runs.create({
        projectId: p.id,
        name,
        config: { client: { uid, ...origin }, settings: config },
        status: 'running',
        origin: 'client',
      });
      repos.runs.update(created.id, { startedAt: Date.now() });
      const run = repos.runs.tag(created.id, tags, []);
      repos.projects.touch(p.id);
      bus.emit('project.updated', { projectId: p.id });
      return { run: changed(run), checkpointSteps: [], existed: false };
    },
    log: async ({ runId, series }) => {
      let run = clientRun(runId);
      // a live client that outlasted a host restart: its run was marked interrupted at start-up
      if (run.status === 'interrupted') run = changed(repos.runs.update(runId, { status: 'running' }));
      const rows: MetricRow[] = [];
      for (const s of series) {
        for (let i = 0; i < s.steps.length; i++)
          rows.push({ step: s.steps[i]!, epoch: s.epochs?.[i] ?? null, split: s.split, key: s.key, value: s.values[i]! }); // lengths checked by the schema
      }
      // Committed before the reply (an acknowledged point is stored), a slice at a time: 50 000 rows in one go
      // held the host's thread for half a second, and every other request with it.
      for (let i = 0; i < rows.length; i += LOG_SLICE) {
        if (i) await new Promise((r) => setImmediate(r));
        repos.metrics.insertLog(runId, rows.slice(i, i + LOG_SLICE));
      }
      ctx.reader.ensureStarted(); // it checkpoints the WAL, off the host's thread (as for the job system's writes)
      bus.emit('run.metrics', { runId, projectId: run.projectId, rows });
      summaries.logged(runId, rows);
      return { stored: rows.length };
    },
    upload: ({ runId, sha256, offset, data }) => {
      clientRun(runId);
      return { received: writeChunk(uploadPart(ctx.dataDir, runId, sha256), offset, Buffer.from(data, 'base64')) };
    },
    checkpoint: async ({ runId, step, epoch, sha256, bytes, features }) => {
      const run = clientRun(runId);
      const dir = clientDir(ctx.dataDir, run.projectId, runId);
      const source = clientSource(dir, step, 'checkpoint');
      const taken = () => existsSync(source) || repos.checkpoints.list(runId).some((c) => c.step === step);
      if (taken()) return { step, already: true, jobId: null };
      const part = uploadPart(ctx.dataDir, runId, sha256);
      await verifyUpload(part, bytes, sha256, `checkpoint at step ${step}`);
      const featPart = features && uploadPart(ctx.dataDir, runId, features.sha256);
      if (features) await verifyUpload(featPart!, features.bytes, features.sha256, `feature dump at step ${step}`);
      try {
        await inspectImport(part); // a file that is not safetensors is refused now, not in a job later
      } catch (err) {
        rmSync(part, { force: true });
        throw invalid(`The checkpoint at step ${step} cannot be read: ${(err as Error).message}`);
      }
      if (taken()) return { step, already: true, jobId: null }; // the same step committed while we hashed
      mkdirSync(dir, { recursive: true });
      const featSource = features ? clientSource(dir, step, 'features') : undefined;
      if (featPart && featSource) renameSync(featPart, featSource);
      renameSync(part, source);
      const init = `${dir}/init.safetensors`;
      const first = !existsSync(init);
      if (first) link(source, init);
      const params: ClientImportParams = { step, epoch, features: featSource, initFile: first ? undefined : init };
      const job = ctx.jobs.enqueue('import', run.projectId, runId, { path: source, client: params });
      return { step, already: false, jobId: job.id };
    },
    finish: ({ runId, status, error }) => {
      clientRun(runId);
      summaries.flush(runId, false); // the run.updated below announces both
      return changed(repos.runs.update(runId, { status, error: error ?? null, finishedAt: Date.now() }));
    },
  };
}

/** A hard link where the file system allows (no copy of a big checkpoint), else a copy. */
function link(from: string, to: string) {
  try {
    linkSync(from, to);
  } catch {
    copyFileSync(from, to);
  }
}
