/** Domain records as they cross the contract: plain JSON, times in epoch ms. */

export const RUN_STATUSES = ['queued', 'running', 'paused', 'succeeded', 'failed', 'cancelled', 'diverged', 'interrupted', 'imported'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

export const JOB_STATES = ['queued', 'running', 'succeeded', 'failed', 'cancelled', 'crashed', 'interrupted'] as const;
export type JobState = (typeof JOB_STATES)[number];

export const JOB_KINDS = ['train', 'metrics', 'import'] as const;
export type JobKind = (typeof JOB_KINDS)[number];

export const SPLITS = ['train', 'test', 'none'] as const;
export type Split = (typeof SPLITS)[number];

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
