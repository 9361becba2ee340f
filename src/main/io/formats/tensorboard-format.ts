// TensorBoard logs: a folder holding `events.out.tfevents.*` files is one run (its sub-folders, runs of their own).
import { eventFiles, readTensorBoardRun } from '../logs/tensorboard';
import type { LogFormatDescriptor } from './registry';

export const tensorboardFormat: LogFormatDescriptor = {
  kind: 'logs',
  id: 'tensorboard',
  label: 'TensorBoard event files (events.out.tfevents.*)',
  extensions: [],
  claims: (_dir, { files }) => eventFiles(files).length > 0,
  read: (dir, name, { files }) => readTensorBoardRun(dir, name, eventFiles(files)),
};
