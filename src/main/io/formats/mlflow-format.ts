// MLflow's file store: each mlruns/<experiment>/<run>/ folder (meta.yaml beside metrics/ or params/) is a run.
import { isMlflowRun, readMlflowRun } from '../logs/mlflow';
import type { LogFormatDescriptor } from './registry';

export const mlflowFormat: LogFormatDescriptor = {
  kind: 'logs',
  id: 'mlflow',
  label: 'MLflow file store (mlruns/)',
  extensions: [],
  claims: (_dir, { files, dirs }) => isMlflowRun(files, dirs),
  read: (dir, name) => readMlflowRun(dir, name),
};
