import { join } from 'node:path';
import { invalid } from '../../../shared/api/errors';
import { DUMP_SET_MANIFEST, looksLikeDumpSet, readDumpSetManifest } from '../lm-dump-set';
import { readNpz } from '../npz';
import { probeFile, type Probe } from './probe';
import type { FileImport, ImportFormatDescriptor } from './registry';

const isDumpSetManifest = async (p: Probe) => p.ext === 'json' && looksLikeDumpSet(await p.json());

/**
 * An LM dump set (export_features.py `lm`): a folder with manifest.json, head.npz and one folder of
 * chunk files per evaluation set. It is one checkpoint (the head, filed under the manifest's step); a
 * folder of dump sets (`step1000/`, `step2000/`) is a series. Indexing reads the manifest alone: the
 * sets are listed by shape, and only the head loads as tensors (the features stream through the metrics).
 */
export const lmDumpSetFormat: ImportFormatDescriptor = {
  id: 'lm-dump-set',
  label: 'LM feature dump set (manifest.json)',
  extensions: ['json'],
  sniff: isDumpSetManifest,
  folderRole: async (dir, names) => {
    if (!names.includes(DUMP_SET_MANIFEST) || !(await isDumpSetManifest(await probeFile(join(dir, DUMP_SET_MANIFEST))))) return null;
    return { role: 'checkpoint', file: DUMP_SET_MANIFEST, also: names.filter((n) => n.endsWith('.npz')) };
  },
  inspect: async (path) => inspectDumpSet(path),
};

export function inspectDumpSet(path: string): FileImport {
  const man = readDumpSetManifest(path);
  const f = man.dtype === 'float16' ? 'f2' : 'f4';
  const head = [
    { name: 'weight', shape: [man.C, man.m], dtype: 'f4' },
    ...(man.head.bias ? [{ name: 'bias', shape: [man.C], dtype: 'f4' }] : []),
  ];
  const sets = man.sets.flatMap((s) => [
    { name: `${s.name}/features`, shape: [s.positions, man.m], dtype: f },
    { name: `${s.name}/labels`, shape: [s.positions], dtype: 'i4' },
  ]);
  const scalars: FileImport['scalars'] = {
    sets: man.sets.map((s) => s.name).join(','),
    classes: man.C,
    features: man.m,
    ...(man.step !== null ? { step: man.step } : {}),
    ...(man.trainSet ? { train_set: man.trainSet } : {}),
    ...(man.tokenizer ? { tokenizer: man.tokenizer } : {}),
    ...(man.context !== null ? { context: man.context } : {}),
  };
  return {
    format: 'lm-dump-set',
    source: man.manifest,
    tensors: [...head, ...sets],
    scalars,
    load: async (names) => {
      const arrays = await readNpz(man.head.file);
      const want = names ?? head.map((t) => t.name);
      return want.map((name) => {
        const a = head.some((t) => t.name === name) ? arrays.get(name) : undefined;
        if (!a) throw invalid(`${man.manifest}: '${name}' is not loaded as a tensor (the sets' features stream through the metrics)`);
        return { name, shape: a.shape, dtype: 'f4', data: Float32Array.from(a.data) };
      });
    },
  };
}
