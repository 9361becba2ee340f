import { parseNpz, readFileOrThrow } from '../npz';
import type { ImportFormatDescriptor } from './registry';
import { fromArrays } from './whole-arrays';

/** A zip of .npy arrays (numpy.savez), read whole. */
export const npzFormat: ImportFormatDescriptor = {
  id: 'npz',
  label: 'NumPy archive',
  extensions: ['npz'],
  sniff: async (p) => {
    const members = await p.zipNames();
    return !!members && members.length > 0 && members.every((n) => n.endsWith('.npy') || n.endsWith('/'));
  },
  inspect: async (path) => fromArrays(path, 'npz', parseNpz(await readFileOrThrow(path), path)),
};
