import { describe, expect, it } from 'vitest';
import { jobDetail, jobKindLabel, waitReasons } from './job-queue';

describe('job queue reasons', () => {
  it('says each queued job waits on the slots and the jobs before it', () => {
    const active = [
      { id: 7, state: 'queued' as const },
      { id: 3, state: 'running' as const },
      { id: 5, state: 'queued' as const },
    ];
    const r = waitReasons(active, 1);
    expect(r.get(5)).toBe('waiting: 1 job at a time; 1 running');
    expect(r.get(7)).toBe('waiting: 1 job at a time; 1 running, 1 queued before it');
    expect(r.has(3)).toBe(false);
  });

  it('says a job is starting while a slot is free for it', () => {
    const r = waitReasons(
      [
        { id: 1, state: 'running' },
        { id: 2, state: 'queued' },
        { id: 3, state: 'queued' },
      ],
      2,
    );
    expect(r.get(2)).toBe('starting: a slot is free');
    expect(r.get(3)).toBe('waiting: 2 jobs at a time; 1 running, 1 queued before it');
  });

  it('shows an error for a failed job, and calls metrics of an import an evaluation', () => {
    const reasons = new Map<number, string>();
    expect(jobDetail({ id: 1, state: 'failed', message: 'epoch 3', error: 'out of memory' }, reasons)).toBe('out of memory');
    expect(jobDetail({ id: 1, state: 'running', message: 'checkpoint 2/5', error: null }, reasons)).toBe('checkpoint 2/5');
    expect(jobKindLabel('metrics', true)).toBe('evaluate');
    expect(jobKindLabel('metrics', false)).toBe('metrics');
  });
});
