import { join } from 'node:path';
import { inspectTfjsModel } from '../tfjs-model';
import { probeFile, type Probe } from './probe';
import type { ImportFormatDescriptor } from './registry';

/** A model.json is TF.js by its keys, not its extension: a Hugging Face config.json is JSON too. */
async function isTfjsModel(p: Probe): Promise<boolean> {
  const json = await p.json();
  return !!json && ('weightsManifest' in json || 'modelTopology' in json);
}

/** TF.js model.json (layers or graph model): the folder holding it is one checkpoint, its .bin files the weights. */
export const tfjsFormat: ImportFormatDescriptor = {
  id: 'tfjs',
  label: 'TF.js model.json',
  extensions: ['json'],
  sniff: isTfjsModel,
  folderRole: async (dir, names) => {
    const claims = names.includes('model.json') && (await isTfjsModel(await probeFile(join(dir, 'model.json'))));
    return claims ? { role: 'checkpoint', file: 'model.json' } : null;
  },
  inspect: (path) => inspectTfjsModel(path),
};
