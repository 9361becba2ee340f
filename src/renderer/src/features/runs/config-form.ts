import { applyConfigOverrides, unknownSettingMessage } from '../../../../shared/domain/config-keys';
import { trainConfigSchema } from '../../../../shared/domain/train-config';
import { flattenConfig } from './run-columns';

export type Value = string | number | boolean | null | unknown[] | Record<string, unknown>;

/** One editable setting: its dotted path and its value in the preset (defaults filled in). */
export interface Field {
  path: string;
  base: Value;
}

/** Every setting of a config as dotted paths, in the schema's order; arrays stay whole (edited as JSON). */
export function fieldsOf(config: unknown): Field[] {
  const full = trainConfigSchema.safeParse(config);
  const flat = flattenConfig(full.success ? full.data : config);
  return Object.entries(flat)
    .filter(([k]) => k !== 'seed')
    .map(([path, v]) => ({ path, base: typeof v === 'string' && /^[[{]/.test(v) ? JSON.parse(v) : v }));
}

/**
 * The form's fields once the typed `kind`s apply: a model or optimizer switched to another kind shows that
 * kind's settings (its defaults as the base) instead of the old kind's. A kind field keeps the preset's value
 * as its base, so the change itself is sent; an old field the user edited stays, and is refused by name.
 */
export function formFields(base: unknown, texts: Record<string, string>): Field[] {
  const original = fieldsOf(base);
  const kinds: Record<string, Value> = {};
  for (const f of original) {
    const values = f.path.endsWith('kind') && texts[f.path] !== undefined ? parseValues(texts[f.path]) : [];
    if (values.length === 1 && typeof values[0] === 'string' && values[0] !== f.base) kinds[f.path] = values[0];
  }
  if (!Object.keys(kinds).length) return original;
  const shaped = fieldsOf(applyConfigOverrides(base as Record<string, unknown>, kinds));
  const isEdited = (o: Field) => texts[o.path] !== undefined && texts[o.path].trim() !== show(o.base);
  const edited = original.filter((o) => !shaped.some((f) => f.path === o.path) && isEdited(o));
  return [...shaped.map((f) => (f.path in kinds ? original.find((o) => o.path === f.path)! : f)), ...edited];
}

const parseOne = (text: string): Value => {
  const t = text.trim();
  try {
    return JSON.parse(t) as Value;
  } catch {
    return t;
  }
};

/** A field's text: one value, or several separated by commas (a sweep). JSON arrays/objects are one value. */
export function parseValues(text: string): Value[] {
  const t = text.trim();
  if (/^[[{]/.test(t)) return [parseOne(t)];
  return t
    .split(',')
    .map(parseOne)
    .filter((v) => v !== '');
}

export const show = (v: Value) => (typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v));

/** Every combination of the swept fields (a cartesian product), capped to keep a typo from planning 10^6 runs. */
export function expandGrid(grid: Record<string, Value[]>, cap = 1000): Record<string, Value>[] {
  let combos: Record<string, Value>[] = [{}];
  for (const [path, values] of Object.entries(grid)) {
    combos = combos.flatMap((c) => values.map((v) => ({ ...c, [path]: v })));
    if (combos.length > cap) throw new Error(`the grid plans more than ${cap} configurations; narrow it`);
  }
  return combos;
}

export interface Plan {
  /** Settings that differ from the preset, single-valued. */
  set: Record<string, Value>;
  /** Settings with several values. */
  grid: Record<string, Value[]>;
  combos: Record<string, Value>[];
  /** First problem per field path, from the shared schema (the same one the core validates with). */
  errors: Record<string, string>;
}

/**
 * Settings typed as `key=value` lines (what `plateau train --set` takes, pasted from a script). A line that
 * is not key=value is an error naming the line; the keys themselves are checked with the rest of the plan.
 */
export function parseExtra(text: string): { set: Record<string, Value>; error?: string } {
  const set: Record<string, Value> = {};
  const lines = text.split('\n').map((l) => l.trim());
  for (const [i, line] of lines.entries()) {
    if (!line || line.startsWith('#')) continue;
    const m = /^([A-Za-z_][\w.]*)\s*=\s*(.+)$/.exec(line.replace(/^--set\s+/, ''));
    if (!m) return { set, error: `line ${i + 1} (“${line}”) is not key=value, e.g. optimizer.lr=1e-3` };
    set[m[1]] = parseOne(m[2]);
  }
  return { set };
}

/** Turns edited field texts (and `extra` key=value settings) into what to start, with inline errors from validating every combination. */
export function planRuns(base: unknown, fields: Field[], texts: Record<string, string>, extra: Record<string, Value> = {}): Plan {
  const set: Record<string, Value> = { ...extra };
  const grid: Record<string, Value[]> = {};
  for (const f of fields) {
    const text = texts[f.path];
    if (text === undefined || text.trim() === show(f.base)) continue;
    const values = parseValues(text);
    if (values.length > 1) grid[f.path] = values;
    else if (values.length === 1) set[f.path] = values[0];
  }
  const errors: Record<string, string> = {};
  let combos: Record<string, Value>[] = [];
  try {
    combos = expandGrid(grid);
  } catch (err) {
    errors[Object.keys(grid)[0] ?? ''] = (err as Error).message;
  }
  for (const combo of combos) {
    const config = applyConfigOverrides(base as Record<string, unknown>, { ...set, ...combo });
    const r = trainConfigSchema.safeParse(config);
    if (r.success) continue;
    for (const issue of r.error.issues) {
      if (issue.code === 'unrecognized_keys') {
        for (const k of issue.keys) errors[[...issue.path, k].join('.')] ??= unknownSettingMessage(config, issue.path, k);
        continue;
      }
      const path = issue.path.join('.');
      const field = fields.find((f) => path === f.path || path.startsWith(`${f.path}.`))?.path ?? path;
      errors[field] ??= issue.message;
    }
  }
  return { set, grid, combos, errors };
}

/** The settings of `config` that differ from `base`, as form texts: what "clone with changes" pre-fills. */
export function textsFrom(config: unknown, base: unknown): Record<string, string> {
  const preset = new Map(fieldsOf(base).map((f) => [f.path, show(f.base)]));
  return Object.fromEntries(
    fieldsOf(config)
      .filter((f) => preset.get(f.path) !== show(f.base))
      .map((f) => [f.path, show(f.base)]),
  );
}
