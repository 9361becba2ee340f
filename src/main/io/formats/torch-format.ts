import { inspectTorchCheckpoint } from '../torch/torch-checkpoint';
import { hfFolderRole } from './hf-shards';
import { looksLikeSafetensors } from './safetensors-format';
import type { ImportFormatDescriptor } from './registry';

/** torch.save files: a zip with a data.pkl (torch >= 1.6); a bare pickle (legacy) gets the reader's advice. */
export const torchFormat: ImportFormatDescriptor = {
  id: 'torch',
  label: 'PyTorch torch.save',
  extensions: ['pt', 'pth', 'bin', 'ckpt', 'tar'],
  // 0x80 <protocol> is pickle's PROTO: legacy torch files and bare pickles, which the torch reader explains how to
  // re-save. A safetensors header length can start with the same two bytes (0x280 = 640): its '{' at byte 8 decides.
  sniff: async (p) => {
    if (p.head[0] === 0x80 && p.head[1] >= 2 && p.head[1] <= 5 && !looksLikeSafetensors(p)) return true;
    return !!(await p.zipNames())?.some((n) => /(^|\/)data\.pkl$/.test(n));
  },
  folderRole: hfFolderRole(['pytorch_model'], 'bin'),
  inspect: (path) => inspectTorchCheckpoint(path),
};
