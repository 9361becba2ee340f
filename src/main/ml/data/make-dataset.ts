import type { DatasetConfig } from '../../../shared/domain/dataset-config';
import type { Dataset } from './dataset';
import { fileDataset } from './file-dataset';
import { gaussianMixture } from './gaussian-mixture';
import { modularArithmetic } from './modular';
import { sparseParity } from './sparse-parity';
import { teacherStudent } from './teacher-student';
import { textDataset } from './text/text-dataset';

/** Builds the dataset a (validated) config describes, deterministically from the seed. */
export function makeDataset(config: DatasetConfig, seed: number): Dataset {
  switch (config.kind) {
    case 'modular':
      return modularArithmetic(seed, config);
    case 'gaussian-mixture':
      return gaussianMixture(seed, config);
    case 'teacher-student':
      return teacherStudent(seed, config);
    case 'sparse-parity':
      return sparseParity(seed, config);
    case 'idx':
    case 'npz':
    case 'npy':
    case 'csv':
      return fileDataset(config, seed);
    case 'text':
      return textDataset(config, seed);
  }
}
