import { invalid } from '../../../shared/api/errors';
import { MAX_SAFETENSORS_HEADER } from '../safetensors';
import { openSafetensorsFile } from '../safetensors-file';
import { hfFolderRole } from './hf-shards';
import type { Probe } from './probe';
import type { ImportFormatDescriptor } from './registry';
import { metadataScalars } from './whole-arrays';

/** An 8-byte little-endian header length that fits the file, then the JSON header's '{'. */
export function looksLikeSafetensors(p: Probe): boolean {
  if (p.head.length < 9 || p.head[8] !== 0x7b) return false;
  const len = new DataView(p.head.buffer, p.head.byteOffset).getBigUint64(0, true);
  return len <= BigInt(Math.min(MAX_SAFETENSORS_HEADER, p.size - 8));
}

/** Safetensors read lazily: the header now, each tensor by its offset on `load`. */
export const safetensorsFormat: ImportFormatDescriptor = {
  id: 'safetensors',
  label: 'safetensors',
  extensions: ['safetensors'],
  sniff: looksLikeSafetensors,
  folderRole: hfFolderRole(['model', 'diffusion_pytorch_model'], 'safetensors'),
  inspect: async (path) => {
    const st = await openSafetensorsFile(path);
    const scalars = metadataScalars(st.metadata);
    const names = new Set(st.entries.map((e) => e.name));
    return {
      format: 'safetensors',
      source: path,
      tensors: st.entries.map((e) => ({ name: e.name, shape: e.shape, dtype: e.dtype })),
      ...(Object.keys(scalars).length ? { scalars } : {}),
      readChunks: (name, onChunk) => st.readChunks(name, onChunk),
      load: async (wanted, options) => {
        for (const n of wanted ?? []) if (!names.has(n)) throw invalid(`${path}: no tensor named '${n}'`, { source: path });
        const want = wanted && new Set(wanted);
        const entries = st.entries.filter((e) => !want || want.has(e.name));
        // A lone tensor may fill the caller's spare memory; several are read in one open of the file.
        const data =
          entries.length === 1 ? [await st.read(entries[0]!.name, options?.reuse)] : await st.readMany(entries.map((e) => e.name));
        return entries.map((e, i) => ({ name: e.name, shape: e.shape, dtype: e.dtype, data: data[i]! }));
      },
    };
  },
};
