import { availableParallelism } from 'node:os';
import { conflict, PlateauError } from '../../shared/api/errors';
import type { JobProgress } from '../../shared/api/contract';
import type { Job, JobKind } from '../../shared/domain/types';
import { isFinal } from '../../shared/jobs/job-states';
import type { ToWorker } from '../../shared/jobs/messages';
import { threadsPerJob } from '../../shared/jobs/limits';
import type { Repos } from '../db/repos';
import { WriteQueue } from '../db/write-queue';
import type { EventBus } from '../rpc/event-bus';
import type { JobParams } from './job-params';

export interface JobContext<P> {
  job: Job;
  params: P;
  /** Aborted when the user cancels; runners stop cooperatively and then resolve. */
  signal: AbortSignal;
  progress(fraction: number, message: string, values?: Record<string, number>): void;
  /** Where control messages for this job go while it runs (pause/resume reach a training worker this way). */
  onControl(send: (m: ToWorker) => void): void;
}
/** Does the work of one job kind. Resolves when done; throws a PlateauError('Cancelled') or any error to fail. */
export type JobRunner<P> = (ctx: JobContext<P>) => Promise<void>;

const PROGRESS_INTERVAL_MS = 100; // at most 10 progress events a second per job

/** The queue: persists every job, runs up to `concurrency` at once, emits job.state and job.progress. */
export class JobManager {
  private runners = new Map<JobKind, JobRunner<never>>();
  private controls = new Map<number, (m: ToWorker) => void>();
  private running = new Map<number, AbortController>();
  private lastProgress = new Map<number, number>();
  /** Jobs this process queued: another process sharing the database runs its own. */
  private owned = new Set<number>();
  /** Runners' writes (metric and checkpoint rows) and progress go through here, committed in batches. */
  readonly writes: WriteQueue;

  /** `threads`: compute threads each job may use (the BLAS's, or wasm's own pool); default: shared out (limits.ts). */
  constructor(
    private repos: Repos,
    private bus: EventBus,
    public concurrency: number,
    public threads?: number,
  ) {
    this.writes = new WriteQueue(repos.db);
  }

  threadsPerJob(): number {
    return threadsPerJob(availableParallelism(), this.concurrency, this.threads);
  }

  /** New limits apply to jobs that start from now on (running ones keep their threads); more slots start queued jobs. */
  configure(limits: { concurrency?: number; threads?: number | null }): void {
    if (limits.concurrency !== undefined) this.concurrency = limits.concurrency;
    if (limits.threads !== undefined) this.threads = limits.threads ?? undefined;
    this.pump();
  }

  register<K extends JobKind>(kind: K, runner: JobRunner<JobParams[K]>): void {
    this.runners.set(kind, runner as JobRunner<never>);
  }

  enqueue<K extends JobKind>(kind: K, projectId: number | null, runId: number | null, params: JobParams[K]): Job {
    const job = this.repos.jobs.create({ kind, projectId, runId, params });
    this.owned.add(job.id);
    this.emitState(job);
    queueMicrotask(() => this.pump());
    return job;
  }

  cancel(id: number): Job {
    const job = this.repos.jobs.get(id);
    if (isFinal(job.state))
      throw conflict(`Job ${id} has already ${job.state === 'cancelled' ? 'been cancelled' : job.state}; there is nothing to cancel.`);
    const ctl = this.running.get(id);
    if (ctl) {
      ctl.abort();
      return job; // the runner reports `cancelled` once it has stopped cleanly
    }
    const done = this.repos.jobs.setState(id, 'cancelled');
    this.emitState(done);
    return done;
  }

  /** Sends a control message to a running job that listens for them; false when it is not running or does not listen. */
  control(id: number, m: ToWorker): boolean {
    const send = this.controls.get(id);
    send?.(m);
    return !!send;
  }

  /** Resolves when no job is queued or running (tests, CLI). */
  async idle(): Promise<void> {
    while (this.running.size > 0 || this.queued().length > 0) {
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  /** Cancels everything running and waits for the runners to stop (app shutdown). */
  async shutdown(): Promise<void> {
    for (const ctl of this.running.values()) ctl.abort();
    while (this.running.size > 0) await new Promise((r) => setTimeout(r, 20));
    this.writes.close();
  }

  private pump(): void {
    if (this.running.size >= this.concurrency) return;
    for (const job of this.queued().slice(0, this.concurrency - this.running.size)) void this.start(job);
  }

  /** This process's queued jobs, oldest first. */
  private queued(): Job[] {
    return this.repos.jobs
      .list({ active: true })
      .filter((j) => j.state === 'queued' && this.owned.has(j.id) && this.runners.has(j.kind))
      .reverse();
  }

  private async start(queued: Job): Promise<void> {
    const ctl = new AbortController();
    this.running.set(queued.id, ctl);
    const job = this.repos.jobs.setState(queued.id, 'running');
    this.emitState(job);
    try {
      await this.runners.get(job.kind)!({
        job,
        params: this.repos.jobs.params(job.id) as never, // written by enqueue with this kind's params
        signal: ctl.signal,
        progress: (fraction, message, values) => this.progress(job, fraction, message, values),
        onControl: (send) => this.controls.set(job.id, send),
      });
      this.finish(job.id, ctl.signal.aborted ? 'cancelled' : 'succeeded', null);
    } catch (err) {
      const cancelled = ctl.signal.aborted || (err instanceof PlateauError && err.code === 'Cancelled');
      this.finish(job.id, cancelled ? 'cancelled' : 'failed', cancelled ? null : (err as Error).message);
    } finally {
      this.running.delete(job.id);
      this.controls.delete(job.id);
      this.owned.delete(job.id);
      this.lastProgress.delete(job.id);
      this.pump();
    }
  }

  private progress(job: Job, fraction: number, message: string, values?: Record<string, number>): void {
    const now = Date.now();
    if (fraction < 1 && now - (this.lastProgress.get(job.id) ?? 0) < PROGRESS_INTERVAL_MS) return;
    this.lastProgress.set(job.id, now);
    this.writes.add(() => this.repos.jobs.setProgress(job.id, fraction, message), { key: `progress:${job.id}` });
    const payload: JobProgress = { jobId: job.id, runId: job.runId, fraction, message, values };
    this.bus.emit('job.progress', payload);
  }

  private finish(id: number, state: 'succeeded' | 'failed' | 'cancelled', error: string | null): void {
    this.writes.flush(); // the job's last progress lands before its final state
    this.emitState(this.repos.jobs.setState(id, state, error));
  }

  private emitState(job: Job): void {
    this.bus.emit('job.state', { jobId: job.id, runId: job.runId, state: job.state, error: job.error });
  }
}
