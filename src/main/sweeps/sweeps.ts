import { accessSync, chmodSync, constants, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { conflict, invalid, unavailable } from '../../shared/api/errors';
import { PRESETS } from '../../shared/domain/presets';
import type { AppContext } from '../app/context';
import { batchScript } from './batch-script';
import { checkSweepPoints } from './check-points';
import { arraySpec, pointLabel, type GridPoint } from './grid';
import {
  createRecord,
  MANIFEST_FORMAT,
  readManifest,
  saveRecord,
  scriptFile,
  SWEEP_ID,
  writeManifest,
  type SlurmOptions,
  type SweepManifest,
  type SweepRecord,
} from './manifest';
import { SlurmClient, type TaskState } from './slurm-client';
import { logFile, readTaskFiles, tailFile, taskDir, type Progress, type TrainSummary } from './task-files';

/** Validated here rather than left to sbatch: they travel as argv, but a clear message beats sbatch's. */
const OPTION_RULES: [keyof SlurmOptions, RegExp, string][] = [
  ['partition', /^\w[\w.,-]*$/, 'a partition name'],
  ['account', /^\w[\w.-]*$/, 'an account name'],
  ['time', /^(\d+-)?\d+(:\d{1,2}){0,2}$/, 'a time limit like 00:30:00 or 1-12:00:00'],
  ['mem', /^\d+[KMGT]?B?$/i, 'memory like 4G or 4000M'],
  ['gres', /^\w[\w:.,-]*$/, 'a gres like gpu:1'],
];

export function validateSlurmOptions(o: SlurmOptions): void {
  for (const [key, re, what] of OPTION_RULES) {
    const v = o[key];
    if (v !== undefined && (typeof v !== 'string' || !re.test(v))) throw invalid(`--${key} '${String(v)}' is not ${what}.`);
  }
}

/** The built `bin/plateau.mjs` of this install: what the nodes run, when they share this install's path. */
export function plateauBin(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++, dir = dirname(dir)) if (existsSync(join(dir, 'bin', 'plateau.mjs'))) return join(dir, 'bin', 'plateau.mjs');
  throw unavailable('Cannot find bin/plateau.mjs of this install; pass --plateau PATH (as the nodes see it).');
}

/** A shared folder we can write here; '%' and newlines would be read by Slurm's --output pattern or break the script. */
function checkSharedDir(dir: string): string {
  if (!isAbsolute(dir)) dir = resolve(dir);
  if (/[%\n\r]/.test(dir)) throw invalid(`--shared-dir '${dir}' contains '%' or a newline, which Slurm's output paths cannot hold.`);
  try {
    mkdirSync(dir, { recursive: true });
    accessSync(dir, constants.W_OK);
  } catch (err) {
    throw unavailable(`The shared directory ${dir} is not writable here: ${(err as Error).message}`);
  }
  return dir;
}

function sbatchArgs(m: SweepManifest, sweepDir: string, indices: number[]): string[] {
  const s = m.slurm;
  return [
    `--array=${arraySpec(indices)}`,
    `--job-name=plateau-${m.id}`,
    `--output=${join(sweepDir, 'logs', '%A_%a.log')}`,
    `--chdir=${sweepDir}`,
    ...(s.partition ? [`--partition=${s.partition}`] : []),
    ...(s.time ? [`--time=${s.time}`] : []),
    ...(s.cpusPerTask ? [`--cpus-per-task=${s.cpusPerTask}`] : []),
    ...(s.mem ? [`--mem=${s.mem}`] : []),
    ...(s.gres ? [`--gres=${s.gres}`] : []),
    ...(s.account ? [`--account=${s.account}`] : []),
  ];
}

export interface SubmitParams {
  projectId: number;
  preset: string;
  points: GridPoint[];
  sharedDir: string;
  slurm: SlurmOptions;
  name?: string;
  /** The node binary and bin/plateau.mjs as the nodes see them (defaults: this process's, which suits a shared install). */
  node?: string;
  plateau?: string;
}

/** Writes the manifest and the array script into the shared folder, submits, and records the job with the sweep. */
export async function submitSweep(ctx: AppContext, p: SubmitParams): Promise<{ record: SweepRecord; manifest: SweepManifest }> {
  checkSweepPoints(p.preset, p.points); // an unknown preset or setting is refused here, not on every node
  const study = PRESETS[p.preset].study;
  if (study) {
    const names = Object.keys(study.variants);
    throw invalid(
      `'${p.preset}' is a study of ${names.length} variants (${names.join(', ')}) and a cluster task trains one run: submit a preset per variant instead, or start the study locally.`,
    );
  }
  validateSlurmOptions(p.slurm);
  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  const id = p.name ?? `${p.preset}-${stamp}`;
  if (!SWEEP_ID.test(id)) throw invalid(`Sweep name '${id}' may use letters, digits, '.', '_' and '-' (up to 80).`);
  const slurm = new SlurmClient(p.slurm.ssh);
  const cluster = await slurm.clusterName(); // fails early, naming the cause, when Slurm cannot be reached
  const sweepDir = join(checkSharedDir(p.sharedDir), id);
  if (existsSync(join(sweepDir, 'sweep.json'))) throw conflict(`${sweepDir} already holds a sweep; pick another --name.`);
  mkdirSync(join(sweepDir, 'logs'), { recursive: true });
  const manifest: SweepManifest = {
    format: 'plateau-sweep',
    formatVersion: MANIFEST_FORMAT,
    plateauVersion: ctx.appVersion,
    id,
    preset: p.preset,
    createdAt: Date.now(),
    points: p.points,
    slurm: p.slurm,
    node: p.node ?? (p.slurm.ssh ? 'node' : process.execPath),
    plateau: p.plateau ?? plateauBin(),
  };
  writeManifest(sweepDir, manifest);
  writeFileSync(scriptFile(sweepDir), batchScript(manifest, sweepDir));
  chmodSync(scriptFile(sweepDir), 0o755);
  const record: SweepRecord = {
    formatVersion: MANIFEST_FORMAT,
    id,
    projectId: p.projectId,
    sweepDir,
    createdAt: manifest.createdAt,
    submissions: [],
    collected: {},
  };
  createRecord(ctx.dataDir, record);
  const indices = p.points.map((x) => x.index);
  const job = await slurm.sbatch(sbatchArgs(manifest, sweepDir, indices), scriptFile(sweepDir));
  record.submissions.push({ jobId: job.jobId, cluster: job.cluster ?? cluster, indices, submittedAt: Date.now() });
  saveRecord(ctx.dataDir, record);
  return { record, manifest };
}

export interface TaskStatus {
  index: number;
  label: string;
  jobId: string | null;
  state: TaskState | 'unsubmitted';
  slurmState: string | null;
  exitCode: number | null;
  node: string | null;
  cluster: string | null;
  progress?: Progress;
  summary?: TrainSummary;
  collectedRunId: number | null;
  dir: string | null;
  log: string | null;
  /** For failed, cancelled and timed-out tasks: the end of the log. */
  logTail?: string;
  /** A run that failed inside plateau train says why in its summary line (stdout), not in the log. */
  error?: string;
}

/** The attempt that counts for each point: the newest submission that included it. */
const latestJob = (r: SweepRecord, index: number) => [...r.submissions].reverse().find((s) => s.indices.includes(index));

export async function sweepStatus(ctx: AppContext, record: SweepRecord): Promise<{ manifest: SweepManifest; tasks: TaskStatus[] }> {
  const manifest = readManifest(record.sweepDir, ctx.appVersion);
  const slurm = new SlurmClient(manifest.slurm.ssh);
  const byJob = new Map<string, Awaited<ReturnType<SlurmClient['tasks']>>>();
  for (const s of record.submissions) if (!byJob.has(s.jobId)) byJob.set(s.jobId, await slurm.tasks(s.jobId));
  const tasks = manifest.points.map((pt): TaskStatus => {
    const sub = latestJob(record, pt.index);
    const base = { index: pt.index, label: pointLabel(pt), collectedRunId: record.collected[pt.index]?.runId ?? null };
    if (!sub)
      return {
        ...base,
        jobId: null,
        state: 'unsubmitted',
        slurmState: null,
        exitCode: null,
        node: null,
        cluster: null,
        dir: null,
        log: null,
      };
    const dir = taskDir(record.sweepDir, pt.index, sub.jobId);
    const files = readTaskFiles(dir);
    const t = byJob.get(sub.jobId)?.get(pt.index);
    // Slurm has forgotten the task (no accounting, MinJobAge passed): the exit_code file says how it ended.
    const state: TaskState =
      t?.state ?? (files.exitCode === undefined ? (existsSync(dir) ? 'failed' : 'pending') : files.exitCode === 0 ? 'completed' : 'failed');
    const log = logFile(record.sweepDir, sub.jobId, pt.index);
    const status: TaskStatus = {
      ...base,
      jobId: sub.jobId,
      state,
      slurmState: t?.slurmState ?? null,
      exitCode: t?.exitCode ?? files.exitCode ?? null,
      node: t?.node ?? files.env.node ?? null,
      cluster: files.env.cluster || sub.cluster || null,
      progress: files.last,
      summary: files.summary,
      dir,
      log,
    };
    if (state === 'failed' || state === 'cancelled' || state === 'timeout') {
      status.logTail = tailFile(log) ?? `(no log at ${log}: could the node write the shared directory?)`;
      if (files.summary?.error) status.error = files.summary.error;
    }
    return status;
  });
  return { manifest, tasks };
}

/** scancel for the whole sweep, or for some grid points (their latest attempts). */
export async function cancelSweep(ctx: AppContext, record: SweepRecord, indices?: number[]): Promise<string[]> {
  const manifest = readManifest(record.sweepDir, ctx.appVersion);
  const targets = indices
    ? indices.map((i) => {
        const sub = latestJob(record, i);
        if (!sub) throw invalid(`Grid point ${i} is not part of sweep '${record.id}' (0-${manifest.points.length - 1}).`);
        return `${sub.jobId}_${i}`;
      })
    : [...new Set(record.submissions.map((s) => s.jobId))];
  if (targets.length) await new SlurmClient(manifest.slurm.ssh).scancel(targets);
  return targets;
}

/** Failed, timed-out and cancelled points (or the given ones) as one new array job over their indices. */
export async function resubmitSweep(
  ctx: AppContext,
  record: SweepRecord,
  indices?: number[],
): Promise<{ jobId: string; indices: number[] }> {
  const { manifest, tasks } = await sweepStatus(ctx, record);
  const chosen =
    indices ?? tasks.filter((t) => t.state === 'failed' || t.state === 'timeout' || t.state === 'cancelled').map((t) => t.index);
  for (const i of chosen) {
    const t = tasks.find((x) => x.index === i);
    if (!t) throw invalid(`Grid point ${i} is not part of sweep '${record.id}'.`);
    if (t.collectedRunId !== null) throw conflict(`Grid point ${i} is already collected as run ${t.collectedRunId}.`);
    if (t.state === 'pending' || t.state === 'running') throw conflict(`Grid point ${i} is still ${t.state}.`);
  }
  if (!chosen.length) throw invalid(`Sweep '${record.id}' has no failed, timed-out or cancelled points to resubmit.`);
  const job = await new SlurmClient(manifest.slurm.ssh).sbatch(sbatchArgs(manifest, record.sweepDir, chosen), scriptFile(record.sweepDir));
  record.submissions.push({
    jobId: job.jobId,
    cluster: job.cluster ?? record.submissions[0]?.cluster,
    indices: chosen,
    submittedAt: Date.now(),
  });
  saveRecord(ctx.dataDir, record);
  return { jobId: job.jobId, indices: chosen };
}
