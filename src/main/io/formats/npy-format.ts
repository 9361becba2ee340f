import { basename } from 'node:path';
import { parseNpy } from '../npy';
import { readFileOrThrow } from '../npz';
import type { ImportFormatDescriptor } from './registry';
import { fromArrays } from './whole-arrays';

/** One NumPy array, named after its file. */
export const npyFormat: ImportFormatDescriptor = {
  id: 'npy',
  label: 'NumPy',
  extensions: ['npy'],
  sniff: (p) => p.head[0] === 0x93 && new TextDecoder('latin1').decode(p.head.subarray(1, 6)) === 'NUMPY',
  inspect: async (path) => {
    const array = parseNpy(await readFileOrThrow(path), path);
    return fromArrays(path, 'npy', new Map([[basename(path).replace(/\.npy$/i, ''), array]]));
  },
};
