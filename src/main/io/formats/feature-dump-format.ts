import { parseFeatureDump } from '../feature-dump';
import { parseNpz, readFileOrThrow } from '../npz';
import { parseSafetensors } from '../safetensors';
import { openSafetensorsFile } from '../safetensors-file';
import { looksLikeSafetensors } from './safetensors-format';
import type { ImportFormatDescriptor } from './registry';
import { fromArrays, metadataScalars } from './whole-arrays';

/** The arrays that make a .npz or .safetensors a feature dump (METRICS.md "Feature dump format"). */
const DUMP_ARRAYS = ['features', 'labels', 'weight'];

/**
 * A feature dump, read whole: its closed-form metrics need all of it at once anyway. Registered before
 * npz and safetensors, whose files it is a kind of.
 */
export const featureDumpFormat: ImportFormatDescriptor = {
  id: 'feature-dump',
  label: 'feature dump',
  extensions: ['npz', 'safetensors'],
  refines: ['npz', 'safetensors'],
  sniff: async (p) => {
    const members = await p.zipNames();
    if (members) return DUMP_ARRAYS.every((k) => members.includes(`${k}.npy`));
    if (!looksLikeSafetensors(p)) return false;
    const st = await openSafetensorsFile(p.path).catch(() => null);
    return !!st && DUMP_ARRAYS.every((k) => st.entries.some((e) => e.name === k));
  },
  inspect: async (path) => {
    const bytes = await readFileOrThrow(path);
    const isZip = bytes[0] === 0x50 && bytes[1] === 0x4b;
    // Validated now, so a mis-shaped dump fails at inspection with the dump's own message.
    const dump = parseFeatureDump(bytes, path, isZip ? 'npz' : 'safetensors');
    const arrays = isZip ? parseNpz(bytes, path) : parseSafetensors(bytes, path).tensors;
    return fromArrays(path, 'feature-dump', arrays, metadataScalars(dump.metadata));
  },
};
