import type { KindWireInfo } from './kinds';
/** Domain records as they cross the contract: plain JSON, times in epoch ms. */

export const RUN_STATUSES = [
  'queued',
  'running',
  'paused',
  'succeeded',
  'failed',
  'cancelled',
  'diverged',
  'interrupted',
  'imported',
] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

export const JOB_STATES = ['queued', 'running', 'succeeded', 'failed', 'cancelled', 'crashed', 'interrupted'] as const;
export type JobState = (typeof JOB_STATES)[number];

export const JOB_KINDS = ['train', 'metrics', 'import'] as const;
export type JobKind = (typeof JOB_KINDS)[number];

/** tfjs backends in resolution order, fastest first (PLATFORM.md). */
export const BACKEND_ORDER = ['tfjs-node-gpu', 'webgpu', 'tfjs-node', 'wasm', 'cpu'] as const;
export type BackendName = (typeof BACKEND_ORDER)[number];
/** Whether a backend can read tensors back synchronously (dataSync); WebGPU in Node cannot. */
export const readsSynchronously = (b: BackendName): boolean => b !== 'webgpu';

/** The built-in splits: a metric's scope in the catalogue ('none' = not split-scoped). */
export const SPLITS = ['train', 'test', 'none'] as const;
export type BuiltinSplit = (typeof SPLITS)[number];
/**
 * Where a stored value was measured: a built-in split or a named evaluation set (a language, a corpus;
 * METRICS.md "Named evaluation sets"), whose split-scoped keys are stored under the set's name.
 */
export type Split = string;
/** Names an evaluation set may take: short, printable, safe in URLs and file names. */
export const SPLIT_NAME = /^[A-Za-z0-9][A-Za-z0-9_.+-]{0,63}$/;

export interface Project {
  id: number;
  name: string;
  description: string;
  createdAt: number;
  updatedAt: number;
  runCount: number;
}

export interface Run {
  id: number;
  projectId: number;
  name: string;
  preset: string | null;
  config: Record<string, unknown>;
  status: RunStatus;
  seed: number | null;
  backend: string | null;
  versions: Record<string, string>;
  origin: string;
  tags: string[];
  error: string | null;
  summary: Record<string, unknown>;
  createdAt: number;
  startedAt: number | null;
  finishedAt: number | null;
  /** The researcher's notes on the run (what was tried, what to check). */
  notes: string;
}

export interface Checkpoint {
  id: number;
  runId: number;
  step: number;
  epoch: number | null;
  file: string;
  bytes: number;
  sha256: string;
  createdAt: number;
}

export interface Job {
  id: number;
  kind: JobKind;
  projectId: number | null;
  runId: number | null;
  state: JobState;
  progress: number;
  message: string;
  error: string | null;
  createdAt: number;
  startedAt: number | null;
  finishedAt: number | null;
}

export interface BackendInfo {
  available: string[];
  chosen: string | null;
}

export interface SystemInfo {
  appVersion: string;
  host: 'electron' | 'browser' | 'cli' | 'memory';
  node: string;
  platform: string;
  cpus: number;
  dataDir: string;
  schemaVersion: number;
  backends: BackendInfo;
  /** The import formats the core reads, from its registry (the Import view and pick dialog list these). */
  importFormats: ImportFormatInfo[];
  /** The model families and datasets the training config accepts, from their registries (pickers, form validation). */
  modelFamilies: KindWireInfo[];
  datasets: KindWireInfo[];
}

/** One import format as the contract carries it. */
export interface ImportFormatInfo {
  id: string;
  label: string;
  /** Lower case, without the dot. */
  extensions: string[];
}

/** How many jobs run at once and how many compute threads each gets (null: shared out automatically). */
export interface JobSettings {
  jobs: number;
  threads: number | null;
  /** What a job gets now: `threads`, or the cores shared out among `jobs`. */
  threadsPerJob: number;
  cores: number;
}

/** One run's values of one key on one split, columnar for plotting. */
export interface MetricSeries {
  runId: number;
  key: string;
  split: Split;
  layer: string;
  steps: number[];
  epochs: (number | null)[];
  values: number[];
}

/** One tensor of a checkpoint, as the checkpoint browser shows it. */
export interface LayerSummary {
  name: string;
  shape: number[];
  size: number;
  mean: number;
  std: number;
  min: number;
  max: number;
  froNorm: number;
  /** Equal-width histogram over [min, max]. */
  histogram: { edges: number[]; counts: number[] };
}

export interface LayerDiff {
  name: string;
  shape: number[];
  /** ||A - B||_F */
  distance: number;
  /** ||A - B||_F / ||A||_F (0 when A is zero) */
  relative: number;
  /** <A, B> / (||A|| ||B||); null when either is zero */
  cosine: number | null;
}

export interface CheckpointDetail {
  checkpoint: Checkpoint;
  layers: LayerSummary[];
  /** Optimizer buffers stored with the weights (exact resume), by count. */
  optimizerTensors: number;
}

/** What an import would bring in, shown before anything is written. */
export interface ImportPreview {
  format: string;
  source: string;
  tensors: { name: string; shape: number[]; dtype: string }[];
  /** Plain values found beside the tensors (epoch, lr, ...). */
  scalars: Record<string, number | string | boolean>;
  /** What was left out of the file, and why (objects that are not data, for instance). */
  skipped: { name: string; reason: string }[];
  /** For a folder: its checkpoints (files, or folders of shards) in step order. */
  files: { path: string; step: number | null }[];
  /** A Hugging Face config.json's settings (architecture, sizes, vocabulary); stored with the imported run. */
  settings: Record<string, number | string | boolean>;
  /** Training logs (TensorBoard, W&B, MLflow): one entry per run found, each imported as a run of its own. */
  runs: ImportLogRun[];
}

/** One run of training logs in an import preview. */
export interface ImportLogRun {
  /** Its folder: what `imports.start` is given to import it. */
  path: string;
  name: string;
  format: string;
  /** Each series: the metric key it is stored under, the tag its tool gave it, its points and step range. */
  series: { key: string; tag: string; points: number; firstStep: number; lastStep: number }[];
  points: number;
  /** The config its files state (W&B config, MLflow params), stored as the run's settings. */
  settings: Record<string, number | string | boolean>;
  meta: Record<string, number | string | boolean>;
  skipped: { name: string; reason: string }[];
}

export const REPORT_FORMATS = ['html', 'pdf', 'csv', 'tex', 'svg', 'png'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

export interface ReportResult {
  /** Absolute paths of the files written. */
  files: string[];
  /** Each file's path under the data folder's reports/ ('/'-separated; the browser host serves it at /reports/<path>), or null. */
  downloads?: (string | null)[];
  skipped: { format: ReportFormat; reason: string }[];
  /** What the report had to leave out (runs without a metric, for instance). */
  notes: string[];
}

/** A sweep on a cluster, as listed in the Sweeps view. */
export interface SweepSummary {
  id: string;
  createdAt: number;
  sweepDir: string;
  jobs: string[];
  collected: number;
}

/** One grid point's task on the cluster. */
export interface SweepTask {
  index: number;
  label: string;
  jobId: string | null;
  state: 'pending' | 'running' | 'completed' | 'failed' | 'cancelled' | 'timeout' | 'unsubmitted';
  exitCode: number | null;
  node: string | null;
  epoch: number | null;
  testAcc: number | null;
  collectedRunId: number | null;
  error: string | null;
  logTail: string | null;
}
