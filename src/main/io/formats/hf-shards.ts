// Hugging Face checkpoint folders: `model.safetensors` (or `pytorch_model.bin`) beside config.json, or
// shards `model-0000i-of-0000N.safetensors` listed by `model.safetensors.index.json`, whose tensors
// together are ONE checkpoint. Every shard is checked against the index: a silent mismatch would import
// a model with a layer missing or taken from the wrong file.
import { readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { invalid, PlateauError } from '../../../shared/api/errors';
import { duplicateKey } from '../json-duplicate-keys';
import type { ImportedTensor, SkippedEntry, TensorInfo } from '../import-types';
import type { FileImport, FolderRole, ImportFormatDescriptor } from './registry';

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** `<stem>-00001-of-00003.<ext>` -> [1, 3]. */
export function shardNumber(name: string, ext: string): [number, number] | null {
  const m = new RegExp(`-(\\d+)-of-(\\d+)\\.${escape(ext)}$`, 'i').exec(name);
  return m ? [Number(m[1]), Number(m[2])] : null;
}

/**
 * The folder role of a format whose Hugging Face weights are `<stem>.<ext>`: an index (any
 * `<name>.<ext>.index.json`) or shard-named files make the folder one sharded checkpoint; a file named
 * after one of `stems` makes it one checkpoint held in that file (optimizer.pt and the like beside it are not).
 */
export function hfFolderRole(stems: readonly string[], ext: string) {
  return (_dir: string, names: readonly string[]): FolderRole | null => {
    const index = names.find((n) => n.toLowerCase().endsWith(`.${ext}.index.json`)) ?? null;
    const shards = names.filter((n) => shardNumber(n, ext));
    if (index || shards.length) return { role: 'shards', index, shards };
    const file = stems.map((s) => `${s}.${ext}`).find((f) => names.includes(f));
    return file ? { role: 'checkpoint', file } : null;
  };
}

/** Reads an index's weight_map (tensor -> shard file name), refusing anything that is not one. */
async function readIndex(dir: string, index: string): Promise<Map<string, string>> {
  const where = join(dir, index);
  const fail = (problem: string) => invalid(`${where}: ${problem}`, { source: where });
  let json: unknown;
  let text: string;
  try {
    text = await readFile(where, 'utf8');
    json = JSON.parse(text);
  } catch (err) {
    throw fail(err instanceof SyntaxError ? 'is not valid JSON' : `cannot be read (${(err as NodeJS.ErrnoException).code ?? err})`);
  }
  const twice = duplicateKey(text);
  if (twice?.path.join('.') === 'weight_map') {
    throw invalid(`${where}: weight_map names tensor '${twice.key}' twice`, { source: where, tensor: twice.key });
  }
  const map = (json as { weight_map?: unknown } | null)?.weight_map;
  if (map === null || typeof map !== 'object' || Array.isArray(map)) throw fail("has no 'weight_map' object (tensor name -> shard file)");
  const out = new Map<string, string>();
  for (const [tensor, file] of Object.entries(map)) {
    if (typeof file !== 'string' || file === '') throw fail(`weight_map['${tensor}'] is not a file name`);
    // Shards sit beside the index: an index must not make us read files elsewhere.
    if (file !== basename(file) || file === '..' || file === '.') {
      throw fail(`weight_map['${tensor}'] names '${file}', which is not in this folder`);
    }
    out.set(tensor, file);
  }
  if (out.size === 0) throw fail('weight_map lists no tensors');
  return out;
}

/** The shard files of one checkpoint, checked against its index (or, without one, against their `-of-N`). */
async function shardFiles(
  dir: string,
  role: Extract<FolderRole, { role: 'shards' }>,
  format: ImportFormatDescriptor,
  names: ReadonlySet<string>,
) {
  const ext = format.extensions[0];
  const index = role.index ? await readIndex(dir, role.index) : null;
  if (index) {
    const listed = new Set(index.values());
    for (const f of listed) {
      if (names.has(f)) continue;
      const tensor = [...index].find(([, file]) => file === f)![0];
      const problem = `lists shard ${f} (for tensor '${tensor}' and maybe more), which is not in the folder`;
      throw invalid(`${join(dir, role.index!)} ${problem}`, { source: dir, file: f, tensor });
    }
    const unlisted = role.shards.find((f) => !listed.has(f));
    if (unlisted) {
      // Named with a tensor it holds, so the user can tell which part of the model the index leaves out.
      const held = (await format.inspect(join(dir, unlisted))).tensors[0]?.name;
      const problem = `a shard of the checkpoint, but ${role.index} does not list it in its weight_map${held ? ` (it holds tensor '${held}')` : ''}`;
      throw invalid(`${join(dir, unlisted)}: ${problem}`, { source: dir, file: unlisted, ...(held ? { tensor: held } : {}) });
    }
    return { index, files: [...listed].sort((a, b) => a.localeCompare(b, undefined, { numeric: true })) };
  }
  const numbered = role.shards.map((f) => ({ f, n: shardNumber(f, ext)! }));
  const total = numbered[0].n[1];
  for (const { f, n } of numbered) {
    if (n[1] === total) continue;
    throw invalid(`${join(dir, f)}: shard of ${n[1]}, but ${numbered[0].f} is a shard of ${total}`, { source: dir, file: f });
  }
  const stem = numbered[0].f.replace(/-\d+-of-\d+\.[^.]+$/, '');
  for (let i = 1; i <= total; i++) {
    if (!numbered.some(({ n }) => n[0] === i)) {
      const name = `${stem}-${String(i).padStart(5, '0')}-of-${String(total).padStart(5, '0')}.${ext}`;
      const problem = `shard ${i} of ${total} (${name}) is missing, and no index says which tensors it held`;
      throw invalid(`${dir}: ${problem}`, { source: dir, file: name });
    }
  }
  return { index: null, files: numbered.sort((a, b) => a.n[0] - b.n[0]).map(({ f }) => f) };
}

/** One checkpoint from its shards: tensors are the union, each read from the shard that holds it. */
export async function mergeShards(
  dir: string,
  role: Extract<FolderRole, { role: 'shards' }>,
  format: ImportFormatDescriptor,
  names: ReadonlySet<string>,
): Promise<FileImport> {
  const { index, files } = await shardFiles(dir, role, format, names);
  const owner = new Map<string, FileImport>();
  const tensors: TensorInfo[] = [];
  const skipped: SkippedEntry[] = [];
  const parts: FileImport[] = [];
  for (const f of files) {
    const part = await format.inspect(join(dir, f));
    parts.push(part);
    for (const t of part.tensors) {
      const seen = owner.get(t.name);
      if (seen) {
        throw invalid(`${dir}: tensor '${t.name}' is in two shards, ${basename(seen.source)} and ${f}`, { source: dir, tensor: t.name });
      }
      const listedIn = index?.get(t.name);
      if (index && listedIn !== f) {
        const said = listedIn ? `puts it in ${listedIn}` : 'does not list it';
        throw invalid(`${join(dir, f)} holds tensor '${t.name}', but ${role.index} ${said}`, { source: dir, tensor: t.name });
      }
      owner.set(t.name, part);
      tensors.push(t);
    }
    skipped.push(...(part.skipped ?? []).map((s) => ({ ...s, name: `${f}: ${s.name}` })));
  }
  for (const [tensor, f] of index ?? []) {
    if (owner.has(tensor)) continue;
    throw invalid(`${role.index} puts tensor '${tensor}' in ${f}, but ${join(dir, f)} does not hold it`, { source: dir, tensor });
  }
  return {
    format: format.id,
    source: dir,
    tensors,
    ...(parts[0].scalars ? { scalars: parts[0].scalars } : {}),
    ...(skipped.length ? { skipped } : {}),
    ...(parts.every((p) => p.readChunks)
      ? {
          readChunks: (name: string, onChunk: (bytes: Uint8Array) => void | Promise<void>) => {
            const part = owner.get(name);
            if (!part) throw invalid(`${dir}: no tensor named '${name}' in any shard`, { source: dir });
            return part.readChunks!(name, onChunk);
          },
        }
      : {}),
    load: async (wanted, options) => {
      for (const n of wanted ?? []) if (!owner.has(n)) throw invalid(`${dir}: no tensor named '${n}' in any shard`, { source: dir });
      const order = wanted ?? tensors.map((t) => t.name);
      const byPart = new Map<FileImport, string[]>();
      for (const n of order) {
        const part = owner.get(n)!;
        if (!byPart.has(part)) byPart.set(part, []);
        byPart.get(part)!.push(n);
      }
      const got = new Map<string, ImportedTensor>();
      for (const [part, ns] of byPart) {
        try {
          for (const t of await part.load(ns, order.length === 1 ? options : undefined)) got.set(t.name, t);
        } catch (err) {
          throw err instanceof PlateauError ? err : invalid(`${part.source}: ${(err as Error).message}`, { source: part.source });
        }
      }
      return order.map((n) => got.get(n)!);
    },
  };
}
