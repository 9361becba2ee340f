import { inspectTorchCheckpoint } from '../torch/torch-checkpoint';
import { hfFolderRole } from './hf-shards';
import type { ImportFormatDescriptor } from './registry';

/** torch.save files: a zip with a data.pkl (torch >= 1.6); a bare pickle (legacy) gets the reader's advice. */
export const torchFormat: ImportFormatDescriptor = {
  id: 'torch',
  label: 'PyTorch torch.save',
  extensions: ['pt', 'pth', 'bin', 'ckpt', 'tar'],
  // 0x80 is pickle's PROTO: legacy torch files and bare pickles, which the torch reader explains how to re-save.
  sniff: async (p) => p.head[0] === 0x80 || !!(await p.zipNames())?.some((n) => /(^|\/)data\.pkl$/.test(n)),
  folderRole: hfFolderRole(['pytorch_model'], 'bin'),
  inspect: (path) => inspectTorchCheckpoint(path),
};
