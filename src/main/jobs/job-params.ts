import type { ImportJobParams } from './import-runner';
import type { MetricsJobParams } from './metrics-runner';
import type { TrainJobParams } from './train-runner';

/** Each job kind's params (stored as JSON with the job), declared beside its runner; enqueue and register check them. */
export interface JobParams {
  train: TrainJobParams;
  metrics: MetricsJobParams;
  import: ImportJobParams;
}
