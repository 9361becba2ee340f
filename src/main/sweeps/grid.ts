import { invalid } from '../../shared/api/errors';

/** One grid point: the raw `key=value` overrides (exactly as typed, so a task reproduces them) and a seed. */
export interface GridPoint {
  index: number;
  set: Record<string, string>;
  seed: number;
}

const KEY = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z0-9_]+)*$/;
const MAX_POINTS = 10_000;

/** Splits on commas outside brackets and quotes, so `model.hidden=[64,128],[256]` is two values. */
function splitValues(raw: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let quote = false;
  let cur = '';
  for (const ch of raw) {
    if (ch === '"') quote = !quote;
    else if (!quote && (ch === '[' || ch === '{')) depth++;
    else if (!quote && (ch === ']' || ch === '}')) depth--;
    if (ch === ',' && depth === 0 && !quote) {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  out.push(cur);
  return out;
}

/** `--grid key=v1,v2` arguments -> ordered axes. Values stay strings; the task's `train --set` parses them. */
export function parseGrid(args: readonly string[]): [string, string[]][] {
  const axes = new Map<string, string[]>();
  for (const arg of args) {
    const eq = arg.indexOf('=');
    if (eq < 1) throw invalid(`--grid '${arg}' is not key=v1,v2,... (e.g. optimizer.lr=1e-3,3e-3)`);
    const key = arg.slice(0, eq);
    if (!KEY.test(key)) throw invalid(`--grid key '${key}' is not a dotted setting path (e.g. model.width)`);
    if (key === 'seed') throw invalid('--grid cannot vary seed; use --seeds');
    if (axes.has(key)) throw invalid(`--grid names '${key}' twice; list all its values in one --grid`);
    const values = splitValues(arg.slice(eq + 1));
    if (values.some((v) => v === '')) throw invalid(`--grid '${arg}' has an empty value`);
    axes.set(key, values);
  }
  return [...axes];
}

/** `0-4`, `0,2,7` or `1-3,8` -> sorted distinct seeds. */
export function parseSeeds(spec: string): number[] {
  const seeds = new Set<number>();
  for (const part of spec.split(',')) {
    const m = /^\s*(\d+)\s*(?:-\s*(\d+)\s*)?$/.exec(part);
    if (!m) throw invalid(`--seeds '${spec}' is not a list of seeds or ranges (e.g. 0-4 or 0,2,7)`);
    const [a, b] = [Number(m[1]), Number(m[2] ?? m[1])];
    if (b < a) throw invalid(`--seeds range '${part.trim()}' runs backwards`);
    if (b - a >= MAX_POINTS) throw invalid(`--seeds range '${part.trim()}' is too long`);
    for (let s = a; s <= b; s++) seeds.add(s);
  }
  return [...seeds].sort((x, y) => x - y);
}

/** Every combination of the axes, times every seed; indices are what Slurm's array task ids will be. */
export function expandGrid(axes: [string, string[]][], seeds: number[]): GridPoint[] {
  let combos: Record<string, string>[] = [{}];
  for (const [key, values] of axes) combos = combos.flatMap((c) => values.map((v) => ({ ...c, [key]: v })));
  if (combos.length * seeds.length > MAX_POINTS)
    throw invalid(`the sweep has ${combos.length * seeds.length} points; at most ${MAX_POINTS}`);
  const points: GridPoint[] = [];
  for (const set of combos) for (const seed of seeds) points.push({ index: points.length, set, seed });
  return points;
}

/** Short label of a point for names and tables: `dataset.p=11 model.width=8 seed=0`. */
export const pointLabel = (p: Pick<GridPoint, 'set' | 'seed'>): string =>
  [...Object.entries(p.set).map(([k, v]) => `${k}=${v}`), `seed=${p.seed}`].join(' ');

/** Slurm's compact array spec for a set of indices: `0-3,7,9-10`. */
export function arraySpec(indices: readonly number[]): string {
  const sorted = [...new Set(indices)].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length; i++) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j] + 1) j++;
    parts.push(i === j ? String(sorted[i]) : `${sorted[i]}-${sorted[j]}`);
    i = j;
  }
  return parts.join(',');
}

/** The inverse, for the ranges scontrol and sacct print for pending tasks (`2-3`, `1,4-6%2`, `[0-7]`). */
export function parseArraySpec(spec: string): number[] {
  const out: number[] = [];
  for (const part of spec
    .replace(/^\[|\]$/g, '')
    .replace(/%\d+$/, '')
    .split(',')) {
    const m = /^(\d+)(?:-(\d+))?(?::(\d+))?$/.exec(part);
    if (!m) continue;
    const step = Number(m[3] ?? 1);
    for (let i = Number(m[1]); i <= Number(m[2] ?? m[1]); i += step) out.push(i);
  }
  return out;
}
