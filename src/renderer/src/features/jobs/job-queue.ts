import type { Job } from '../../../../shared/domain/types';

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/**
 * Why each queued job waits, from every active job of the core (all projects share its slots) and how
 * many run at once. Jobs start oldest first, so a job waits on the running ones and those queued before it.
 */
export function waitReasons(active: Pick<Job, 'id' | 'state'>[], concurrency: number): Map<number, string> {
  const running = active.filter((j) => j.state === 'running').length;
  const queued = active
    .filter((j) => j.state === 'queued')
    .map((j) => j.id)
    .sort((a, b) => a - b);
  const out = new Map<number, string>();
  queued.forEach((id, ahead) => {
    const atOnce = `${plural(concurrency, 'job')} at a time`;
    if (running < concurrency && ahead < concurrency - running) out.set(id, 'starting: a slot is free');
    else out.set(id, `waiting: ${atOnce}; ${running} running${ahead ? `, ${ahead} queued before it` : ''}`);
  });
  return out;
}

/** What the state column says: a running job's fraction, a queued one's reason, a failed one's error. */
export function jobDetail(job: Pick<Job, 'id' | 'state' | 'message' | 'error'>, reasons: Map<number, string>): string {
  if (job.state === 'queued') return reasons.get(job.id) ?? 'waiting';
  if (job.state === 'failed' || job.state === 'crashed') return job.error ?? job.message;
  if (job.state === 'interrupted') return 'stopped when the app closed';
  return job.message;
}

/** A job kind in words: an evaluation is a metrics job of an imported run. */
export function jobKindLabel(kind: Job['kind'], imported: boolean): string {
  if (kind === 'metrics') return imported ? 'evaluate' : 'metrics';
  return kind === 'train' ? 'training' : 'import';
}
