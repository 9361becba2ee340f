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
    return {
      format: 'safetensors',
      source: path,
      tensors: st.entries.map((e) => ({ name: e.name, shape: e.shape, dtype: e.dtype })),
      ...(Object.keys(scalars).length ? { scalars } : {}),
      load: async (names, options) => {
        for (const n of names ?? []) {
          if (!st.entries.some((e) => e.name === n)) throw invalid(`${path}: no tensor named '${n}'`, { source: path });
        }
        const wanted = st.entries.filter((e) => !names || names.includes(e.name));
        const reuse = wanted.length === 1 ? options?.reuse : undefined;
        const out = [];
        for (const e of wanted) out.push({ name: e.name, shape: e.shape, dtype: e.dtype, data: await st.read(e.name, reuse) });
        return out;
      },
    };
  },
};
