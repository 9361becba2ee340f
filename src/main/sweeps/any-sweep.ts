/** status, collect, cancel and resubmit for either kind of sweep: run here (local) or as a Slurm job array. */
import type { AppContext } from '../app/context';
import { collectSweep, type CollectResult } from './collect';
import { cancelLocalSweep, collectLocalSweep, localSweepStatus, resubmitLocalSweep } from './local-sweep';
import type { AnySweepRecord } from './manifest';
import { cancelSweep, resubmitSweep, sweepStatus, type TaskStatus } from './sweeps';

/** Where a sweep lives, for messages: its shared folder, or 'here' for a local one. */
export const sweepWhere = (r: AnySweepRecord) => (r.kind === 'local' ? 'local, runs in this project' : r.sweepDir);

export async function anySweepStatus(ctx: AppContext, r: AnySweepRecord): Promise<TaskStatus[]> {
  return r.kind === 'local' ? localSweepStatus(ctx, r) : (await sweepStatus(ctx, r)).tasks;
}

export const anySweepCollect = async (ctx: AppContext, r: AnySweepRecord): Promise<CollectResult> =>
  r.kind === 'local' ? collectLocalSweep(r) : collectSweep(ctx, r);

export const anySweepCancel = async (ctx: AppContext, r: AnySweepRecord, indices?: number[]): Promise<string[]> =>
  r.kind === 'local' ? cancelLocalSweep(ctx, r, indices) : cancelSweep(ctx, r, indices);

export async function anySweepResubmit(
  ctx: AppContext,
  r: AnySweepRecord,
  indices?: number[],
): Promise<{ jobId: string; indices: number[] }> {
  if (r.kind !== 'local') return resubmitSweep(ctx, r, indices);
  const { jobId, indices: chosen } = await resubmitLocalSweep(ctx, r, indices);
  return { jobId, indices: chosen };
}
