import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { invalid } from '../../shared/api/errors';
import type { ImportScalar } from './import-types';

/**
 * A Hugging Face `config.json` beside the weights, as the run's imported settings: its top-level plain
 * values (model_type, hidden_size, num_hidden_layers, vocab_size, ...) and lists of them (architectures).
 * Nested maps (id2label, quantization_config) are left out: they are large and not one setting each.
 * Undefined when the folder has none; a config.json that is not a JSON object is an error naming it.
 */
export async function readModelConfig(dir: string): Promise<Record<string, ImportScalar> | undefined> {
  const path = join(dir, 'config.json');
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw invalid(`${path}: cannot be read (${(err as NodeJS.ErrnoException).code ?? err})`, { source: path });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw invalid(`${path}: is not valid JSON`, { source: path });
  }
  if (json === null || typeof json !== 'object' || Array.isArray(json)) {
    throw invalid(`${path}: is not a JSON object of model settings`, { source: path });
  }
  const out: Record<string, ImportScalar> = {};
  for (const [k, v] of Object.entries(json)) {
    if (typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean') out[k] = v;
    else if (Array.isArray(v) && v.length > 0 && v.every((x) => typeof x === 'number' || typeof x === 'string')) out[k] = v.join(', ');
  }
  return out;
}
