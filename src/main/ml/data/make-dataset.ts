import { invalid } from '../../../shared/api/errors';
import type { DatasetConfig, FileDatasetConfig } from '../../../shared/domain/dataset-config';
import type { Dataset } from './dataset';
import { fileDataset } from './file-dataset';
import { gaussianMixture } from './gaussian-mixture';
import { modularArithmetic } from './modular';
import { sparseParity } from './sparse-parity';
import { teacherStudent } from './teacher-student';
import { textDataset } from './text/text-dataset';

/** How a dataset kind is made, beside its config schema (registered in shared/domain/dataset-config.ts). */
export interface DatasetMaker<C = DatasetConfig> {
  kind: string;
  /** Deterministic in the seed. */
  make: (config: C, seed: number) => Dataset;
}

const MAKERS = new Map<string, DatasetMaker>();

/** Adds a dataset kind's maker (a plugin's too); its schema is registered in the shared dataset registry. */
export function registerDatasetMaker<C>(m: DatasetMaker<C>): void {
  if (MAKERS.has(m.kind)) throw invalid(`dataset.kind '${m.kind}' has a maker already`, { field: 'dataset.kind' });
  MAKERS.set(m.kind, m as unknown as DatasetMaker);
}

const file = (c: DatasetConfig, seed: number) => fileDataset(c as FileDatasetConfig, seed);
registerDatasetMaker({ kind: 'modular', make: (c: Parameters<typeof modularArithmetic>[1], seed) => modularArithmetic(seed, c) });
registerDatasetMaker({ kind: 'gaussian-mixture', make: (c: Parameters<typeof gaussianMixture>[1], seed) => gaussianMixture(seed, c) });
registerDatasetMaker({ kind: 'teacher-student', make: (c: Parameters<typeof teacherStudent>[1], seed) => teacherStudent(seed, c) });
registerDatasetMaker({ kind: 'sparse-parity', make: (c: Parameters<typeof sparseParity>[1], seed) => sparseParity(seed, c) });
for (const kind of ['idx', 'npz', 'npy', 'csv']) registerDatasetMaker({ kind, make: file });
registerDatasetMaker({ kind: 'text', make: textDataset });

/** Builds the dataset a (validated) config describes, deterministically from the seed. */
export function makeDataset(config: DatasetConfig, seed: number): Dataset {
  const m = MAKERS.get(config.kind);
  if (!m)
    throw invalid(`dataset.kind '${config.kind}' has no maker in this process (is its plugin loaded here?)`, { field: 'dataset.kind' });
  return m.make(config, seed);
}
