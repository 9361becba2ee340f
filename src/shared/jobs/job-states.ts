import type { JobState } from '../domain/types';

/** The job state table: which transitions are legal. Anything else is a bug in the caller. */
const NEXT: Record<JobState, readonly JobState[]> = {
  queued: ['running', 'cancelled'],
  running: ['succeeded', 'failed', 'cancelled', 'crashed', 'interrupted'],
  succeeded: [],
  failed: [],
  cancelled: [],
  crashed: [],
  interrupted: ['queued', 'cancelled'],
};

export const canTransition = (from: JobState, to: JobState) => NEXT[from].includes(to);
export const isFinal = (s: JobState) => NEXT[s].length === 0;
export const isActive = (s: JobState) => s === 'queued' || s === 'running';
