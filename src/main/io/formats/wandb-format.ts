// W&B run exports: a folder holding a history (wandb-history.jsonl, history.csv, or any CSV with a `_step` column).
import { readWandbRun, wandbHistoryFiles } from '../logs/wandb';
import type { LogFormatDescriptor } from './registry';

export const wandbFormat: LogFormatDescriptor = {
  kind: 'logs',
  id: 'wandb',
  label: 'W&B run export (history JSON lines or CSV with _step, config.yaml)',
  extensions: ['jsonl', 'csv'],
  claims: async (dir, { files }) => (await wandbHistoryFiles(dir, files)).length > 0,
  read: (dir, name, { files }) => readWandbRun(dir, name, files),
};
