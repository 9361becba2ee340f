import { z } from 'zod';
import type { MetricDescriptor } from '../domain/metrics';
import type { MetricRow } from '../jobs/messages';
import type { EncodedResult } from '../rpc/envelope';
import { clientCheckpoint, clientFinish, clientLog, clientStart, clientUpload, type ClientRun } from './client-schemas';
import {
  BACKEND_ORDER,
  REPORT_FORMATS,
  SPLIT_NAME,
  type SweepSummary,
  type SweepTask,
  type Checkpoint,
  type ReportResult,
  type CheckpointDetail,
  type ImportPreview,
  type Job,
  type LayerDiff,
  type JobState,
  type MetricSeries,
  type Project,
  type Run,
  type SystemInfo,
  type JobSettings,
} from '../domain/types';

/**
 * The contract: every method the core offers, as `namespace.method(params) -> Promise<result>`.
 * Each entry holds the params schema (validated at the boundary on every transport) and a phantom
 * result type. Services implement `Api` with `satisfies`, so the compiler checks both sides.
 */
const method =
  <R>() =>
  <P extends z.ZodType>(params: P) => ({ params, result: undefined as unknown as R });

/** train, test, none, or a named evaluation set (a language, a corpus). */
const splitName = z.string().regex(SPLIT_NAME, "must be 'train', 'test', 'none' or an evaluation set's name (letters, digits, _ . + -)");
const id = z.number({ error: 'must be a number' }).int('must be an integer').positive('must be a positive id');
const name = z.string({ error: 'must be a string' }).trim().min(1, 'must not be empty').max(120, 'must be at most 120 characters');
const tag = z.string().trim().min(1, 'must not be empty').max(60, 'must be at most 60 characters');
const none = z.object({}).strict();
const byId = z.object({ id }).strict();
const settings = z.record(z.string(), z.unknown());

/** Settings of the metrics that take any (METRICS.md defaults otherwise). */
export const metricJobOptions = z
  .object({
    /** Seed of the iterative (HVP) measures. */
    seed: z
      .int()
      .min(0)
      .max(2 ** 31 - 1)
      .optional(),
    /** How many eigenvalues `hessian_top_eigs` finds (default 5, capped at the dimension). */
    k: z.int().min(1, 'must be at least 1').max(100, 'must be at most 100').optional(),
    /** Weights `kappa_layer` is computed for (`layers.0.weight` or `layers.0`); default the last layer. */
    layers: z.array(z.string().min(1)).min(1, 'must name at least one layer').max(64).optional(),
    /** K of the collapse keys' many-classes rule (METRICS.md; default 1024): with more classes present, the K most frequent. */
    collapse_top_k: z.int().min(2, 'must be at least 2').max(1_000_000, 'must be at most 1000000').optional(),
  })
  .strict();
export type MetricJobOptions = z.infer<typeof metricJobOptions>;

export const contract = {
  system: {
    info: method<SystemInfo>()(none),
    /** A native open dialog on the desktop app (the browser host has none: it takes uploads instead). */
    pickPath: method<{ path: string | null }>()(
      z
        .object({
          kind: z.enum(['file', 'folder'], "must be 'file' or 'folder'"),
          /** What the path is for: something to import, or a folder to write a report into (then remembered as writable). */
          purpose: z.enum(['import', 'report'], "must be 'import' or 'report'").default('import'),
        })
        .strict(),
    ),
    /** Desktop: shows a written report file in the system's file manager (files under reports/ or a chosen report folder only). */
    showInFolder: method<{ shown: string }>()(z.object({ path: z.string().min(1, 'must name a report file') }).strict()),
    /** Reads the job settings; given values are applied now and saved for the next start (null threads: automatic). */
    jobSettings: method<JobSettings>()(
      z
        .object({
          jobs: z.number().int('must be a whole number').min(1, 'must be at least 1').max(256, 'must be at most 256').optional(),
          threads: z
            .number()
            .int('must be a whole number')
            .min(1, 'must be at least 1')
            .max(256, 'must be at most 256')
            .nullable()
            .optional(),
        })
        .strict(),
    ),
  },
  projects: {
    list: method<Project[]>()(none),
    create: method<Project>()(z.object({ name, description: z.string().max(2000, 'must be at most 2000 characters').optional() }).strict()),
    rename: method<Project>()(z.object({ id, name }).strict()),
    remove: method<{ removed: number; runs: number }>()(byId),
  },
  runs: {
    list: method<Run[]>()(z.object({ projectId: id }).strict()),
    get: method<Run>()(byId),
    remove: method<{ removed: number }>()(byId),
    tag: method<Run>()(z.object({ id, add: z.array(tag).default([]), remove: z.array(tag).default([]) }).strict()),
    /** Replaces the run's notes. */
    note: method<Run>()(z.object({ id, notes: z.string('must be text').max(20_000, 'must be at most 20 000 characters') }).strict()),
    /** Queues one training run per seed: a preset and/or a full config, plus dotted-path overrides. */
    start: method<Run[]>()(
      z
        .object({
          projectId: id,
          preset: z.string().optional(),
          config: settings.optional(),
          set: settings.default({}),
          seeds: z
            .array(z.int('must be an integer').min(0, 'must be >= 0'))
            .min(1, 'must list at least one seed')
            .max(100, 'at most 100 seeds')
            .optional(),
          name: name.optional(),
          /** Compute every closed-form metric at each checkpoint once training ends. */
          metrics: z.boolean().default(true),
          /** Force a tfjs backend for these runs (default: the fastest installed one). */
          backend: z.enum(BACKEND_ORDER, `must be one of ${BACKEND_ORDER.map((b) => `'${b}'`).join(', ')}`).optional(),
        })
        .strict(),
    ),
    cancel: method<Run>()(byId),
    pause: method<Run>()(byId),
    resume: method<Run>()(byId),
    checkpoints: method<Checkpoint[]>()(byId),
  },
  imports: {
    /** What a file or folder holds (format, tensors, scalars, checkpoint files in order) without importing it. */
    inspect: method<ImportPreview>()(z.object({ path: z.string().min(1, 'must name a file or folder') }).strict()),
    /**
     * An imported run whose weights fit a built-in architecture (an nn.Sequential MLP, or GPT-2) gets that model and a
     * dataset, so every metric can be computed at its checkpoints; queues that metrics job.
     */
    evaluate: method<Job>()(
      z
        .object({
          runId: id,
          dataset: settings,
          activation: z.enum(['relu', 'gelu', 'tanh', 'quadratic'], "must be one of 'relu', 'gelu', 'tanh', 'quadratic'").default('relu'),
        })
        .strict(),
    ),
    /** Imports a file or folder as a run of the project (checkpoints, weights-only metrics; a dump's metrics). */
    start: method<Run>()(
      z.object({ projectId: id, path: z.string().min(1, 'must name a file or folder'), name: name.optional() }).strict(),
    ),
  },
  sweeps: {
    /** Sweeps of a project that ran (or run) on a Slurm cluster. */
    list: method<SweepSummary[]>()(z.object({ projectId: id }).strict()),
    /** Submits a grid (settings x seeds) as one Slurm job array; files go to a folder the nodes share. */
    submit: method<SweepSummary>()(
      z
        .object({
          projectId: id,
          preset: z.string().min(1),
          points: z
            .array(z.object({ set: z.record(z.string(), z.string()), seed: z.int().min(0) }).strict())
            .min(1, 'must plan at least one run')
            .max(10_000),
          sharedDir: z.string().min(1, 'must name a folder the compute nodes can write'),
          slurm: z
            .object({
              partition: z.string().min(1).optional(),
              time: z.string().min(1).optional(),
              cpusPerTask: z.int().positive().optional(),
              mem: z.string().min(1).optional(),
              gres: z.string().min(1).optional(),
              account: z.string().min(1).optional(),
              ssh: z.string().min(1).optional(),
            })
            .strict()
            .default({}),
          name: z.string().optional(),
        })
        .strict(),
    ),
    status: method<{ id: string; tasks: SweepTask[] }>()(z.object({ projectId: id, id: z.string().min(1) }).strict()),
    collect: method<{ added: number; already: number; skipped: { index: number; reason: string }[] }>()(
      z.object({ projectId: id, id: z.string().min(1) }).strict(),
    ),
    cancel: method<{ cancelled: string[] }>()(z.object({ projectId: id, id: z.string().min(1) }).strict()),
    /** Resubmits the failed, timed-out and cancelled points as a new array. */
    resubmit: method<{ jobId: string; indices: number[] }>()(z.object({ projectId: id, id: z.string().min(1) }).strict()),
  },
  reports: {
    /** Writes a comparison report of a project's runs (or chosen runs) into a folder on the host. */
    export: method<ReportResult>()(
      z
        .object({
          projectId: id.optional(),
          runIds: z.array(id).min(1, 'must list at least one run').max(2000).optional(),
          outDir: z.string().min(1, 'must name a folder'),
          formats: z.array(z.enum(REPORT_FORMATS)).min(1, 'must list at least one format').default(['html', 'csv']),
        })
        .strict()
        .refine((p) => p.projectId !== undefined || p.runIds !== undefined, { message: 'give a projectId or runIds', path: ['projectId'] }),
    ),
  },
  checkpoints: {
    /** Every tensor of a checkpoint: shape, moments, norm and a histogram. */
    inspect: method<CheckpointDetail>()(byId),
    /** Per-layer distance and cosine between two checkpoints (e.g. of one run, or of two seeds). */
    diff: method<{ layers: LayerDiff[]; unmatched: string[] }>()(z.object({ a: id, b: id }).strict()),
  },
  metrics: {
    /** Every metric key with its definition and citation (METRICS.md). */
    keys: method<MetricDescriptor[]>()(none),
    /** Queues a job computing metrics at the chosen checkpoints of a run: every closed-form one unless `keys` names some. */
    compute: method<Job>()(
      z
        .object({
          runId: id,
          checkpoints: z
            .union([z.literal('all'), z.literal('last'), z.array(z.int().min(0)).min(1)], "must be 'all', 'last' or a list of steps")
            .default('all'),
          /** Also the Hessian measures (top eigenvalue, Hutchinson trace, spectral density): HVP based, slower. */
          hessian: z.boolean().default(false),
          /** Only these registered metric keys (e.g. hessian_top_eigs, kappa_layer, which no default set includes). */
          keys: z.array(z.string().min(1)).min(1, 'must list at least one key').max(200).optional(),
          options: metricJobOptions.optional(),
        })
        .strict(),
    ),
    /** Which keys a run holds, per split, with their point counts (a log's own keys included). */
    stored: method<{ key: string; split: string; n: number }[]>()(z.object({ runId: id }).strict()),
    /** Which metric keys are stored at each checkpoint of a run. */
    coverage: method<{ step: number; keys: string[] }[]>()(z.object({ runId: id }).strict()),
    /** How one stored value was computed (seed, iterations, convergence), and bulky results such as a spectral density. */
    details: method<Record<string, unknown> | null>()(
      z
        .object({
          runId: id,
          key: z.string().min(1),
          step: z.int().min(0),
          split: splitName,
          layer: z.string().default(''),
        })
        .strict(),
    ),
    /** Plot-ready columnar series: one per run, key, split (and layer). */
    series: method<MetricSeries[]>()(
      z
        .object({
          runIds: z.array(id).min(1, 'must list at least one run').max(2000),
          keys: z.array(z.string().min(1)).min(1, 'must list at least one key').max(200),
          split: splitName.optional(),
          /** Downsample each series to at most this many points (LTTB: the line keeps its shape). */
          maxPoints: z.int().min(3, 'must be at least 3').max(1_000_000).optional(),
        })
        .strict(),
    ),
  },
  /** An external training script (resources/python/plateau_client) logging into a run of its own; see client-schemas.ts. */
  client: {
    /** The run of this client uid (created once; a later sync of the same uid gets the same run back). */
    start: method<ClientRun>()(clientStart),
    /** Appends metric points; a point resent (same key, split, step) replaces itself, so a resend doubles nothing. */
    log: method<{ stored: number }>()(clientLog),
    /** One chunk of a file (checkpoint or feature dump) at its byte offset; a resent chunk overwrites itself. */
    upload: method<{ received: number }>()(clientUpload),
    /** The uploaded file(s) checked against their sha256 and stored as the run's checkpoint at `step`, then measured. */
    checkpoint: method<{ step: number; already: boolean; jobId: number | null }>()(clientCheckpoint),
    finish: method<Run>()(clientFinish),
  },
  jobs: {
    list: method<Job[]>()(z.object({ projectId: id.optional(), active: z.boolean().optional() }).strict()),
    cancel: method<Job>()(byId),
  },
};

export type Contract = typeof contract;
export type Namespace = keyof Contract;
export type MethodName = { [N in Namespace]: `${N}.${Extract<keyof Contract[N], string>}` }[Namespace];

type Entry<M extends string> = M extends `${infer N extends Namespace}.${infer K}`
  ? K extends keyof Contract[N]
    ? Contract[N][K]
    : never
  : never;
export type ParamsOf<M extends MethodName> = Entry<M> extends { params: infer P extends z.ZodType } ? z.input<P> : never;
export type ResultOf<M extends MethodName> = Entry<M> extends { result: infer R } ? R : never;

/** What clients call and services implement: `api.projects.create({ name })`. */
export type Api = {
  [N in Namespace]: {
    [K in keyof Contract[N]]: Contract[N][K] extends { params: infer P extends z.ZodType; result: infer R }
      ? (params: z.input<P>) => Promise<R>
      : never;
  };
};

/** Methods whose service may hand back its result already encoded as JSON (big series, from the reader worker). */
type Encodable = 'metrics.series';

/** Services receive params after validation (defaults applied). */
export type ServiceApi = {
  [N in Namespace]: {
    [K in keyof Contract[N]]: Contract[N][K] extends { params: infer P extends z.ZodType; result: infer R }
      ? (
          params: z.output<P>,
        ) => `${N}.${K & string}` extends Encodable ? Promise<R | EncodedResult<R>> | R | EncodedResult<R> : Promise<R> | R
      : never;
  };
};

export interface JobProgress {
  jobId: number;
  runId: number | null;
  /** 0..1 */
  fraction: number;
  message: string;
  values?: Record<string, number>;
}

/** Events pushed from the core to every connected front end. */
export interface Events {
  'job.progress': JobProgress;
  'job.state': { jobId: number; runId: number | null; state: JobState; error: string | null };
  'run.updated': { runId: number; projectId: number };
  /** New metric rows of a run, in the batches the worker stores them (about 4 a second while training). */
  'run.metrics': { runId: number; projectId: number; rows: MetricRow[] };
  'project.updated': { projectId: number };
}
export type EventName = keyof Events;
export const EVENT_NAMES: EventName[] = ['job.progress', 'job.state', 'run.updated', 'run.metrics', 'project.updated'];

/** Own properties of the contract only: `__proto__.constructor` and friends are unknown methods, not Object's. */
export function lookupMethod(nameStr: string): { params: z.ZodType } | undefined {
  const dot = nameStr.indexOf('.');
  if (dot < 1) return undefined;
  const [nsName, methodName] = [nameStr.slice(0, dot), nameStr.slice(dot + 1)];
  if (!Object.hasOwn(contract, nsName)) return undefined;
  const ns = (contract as Record<string, Record<string, { params: z.ZodType }>>)[nsName]!;
  return Object.hasOwn(ns, methodName) ? ns[methodName] : undefined;
}
