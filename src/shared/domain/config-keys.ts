/**
 * Which settings exist where in the training config, read off the zod schema itself (no second list):
 * the keys of the object at a dotted path, the kind that decides them for a discriminated union, and a
 * plain message for a key that is not one of them. Isomorphic.
 */
import { applyOverrides } from './config-overrides';
import { registryOfSchema } from './kinds';
import { didYouMean } from './nearest';
import { trainConfigSchema } from './train-config';

/** The parts of zod's schema definitions walked here (zod 4 keeps them under `_zod.def`). */
interface Def {
  type: string;
  innerType?: Schema;
  element?: Schema;
  shape?: Record<string, Schema>;
  options?: Schema[];
  discriminator?: string;
  values?: unknown[];
}
interface Schema {
  _zod: { def: Def };
}

const isObject = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);
const WRAPPERS = new Set(['default', 'optional', 'nullable', 'prefault', 'readonly', 'catch']);

function unwrap(s: Schema): Schema {
  while (WRAPPERS.has(s._zod.def.type) && s._zod.def.innerType) s = s._zod.def.innerType;
  return s;
}

/** One object's settings: its keys, and for a member of a discriminated union its kind and its siblings' keys. */
export interface KeysAt {
  keys: string[];
  kind?: { field: string; value: string; others: { value: string; keys: string[] }[] };
}

const literal = (o: Schema, field: string) => String(unwrap(o._zod.def.shape![field])._zod.def.values?.[0]);

/** The alternatives a schema chooses between by a field: a discriminated union's members, or a kind registry's kinds. */
function choices(s: Schema): { field: string; members: Schema[] } | null {
  const registry = registryOfSchema(s);
  if (registry) return { field: 'kind', members: registry.list().map((k) => unwrap(k.schema as unknown as Schema)) };
  const def = s._zod.def;
  if (def.type !== 'union' || !def.discriminator || !def.options) return null;
  return { field: def.discriminator, members: def.options.map(unwrap) };
}

/** The member of `s` that `value` selects (or `s` itself when it is a plain object), or null. */
function memberFor(s: Schema, value: unknown): Schema | null {
  if (s._zod.def.type === 'object') return s;
  const c = choices(s);
  return c?.members.find((o) => isObject(value) && literal(o, c.field) === value[c.field]) ?? null;
}

function keysOf(schema: Schema, value: unknown): KeysAt | null {
  const s = unwrap(schema);
  if (s._zod.def.type === 'object') return { keys: Object.keys(s._zod.def.shape!) };
  const c = choices(s);
  const mine = memberFor(s, value);
  if (!c || !mine) return null;
  const members = c.members.map((o) => ({ value: literal(o, c.field), keys: Object.keys(o._zod.def.shape!) }));
  const own = members[c.members.indexOf(mine)];
  return { keys: own.keys, kind: { field: c.field, value: own.value, others: members.filter((m) => m !== own) } };
}

/** The settings of the object at `path` in `config` (read with the schema that fits it), or null where there is none. */
export function settingsAt(
  config: unknown,
  path: readonly PropertyKey[],
  schema: Schema = trainConfigSchema as unknown as Schema,
): KeysAt | null {
  let s: Schema = schema;
  let value = config;
  for (const p of path) {
    const u = unwrap(s);
    const def = u._zod.def;
    if (def.type === 'array' && def.element) s = def.element;
    else {
      const member = memberFor(u, value);
      const next = member?._zod.def.shape?.[String(p)];
      if (!next) return null;
      s = next;
    }
    value = Array.isArray(value) || isObject(value) ? (value as Record<string, unknown>)[String(p)] : undefined;
  }
  return keysOf(s, value);
}

const dotted = (path: readonly PropertyKey[], key: string) => [...path.map(String), key].join('.');

/**
 * Why `key` is not a setting at `path`, after its dotted name (the caller prints the name first):
 * "is not a setting of model kind 'mlp' (only of 'quadratic-mlp'). Settings of 'mlp': ..." or with "Did you mean ...?".
 */
export function unknownSettingMessage(config: unknown, path: readonly PropertyKey[], key: string): string {
  const at = settingsAt(config, path);
  if (!at) return 'is not a setting';
  const where = path.length ? path.map(String).join('.') : 'the training config';
  const of = at.kind ? `${where} kind '${at.kind.value}'` : where;
  const elsewhere = at.kind?.others.filter((o) => o.keys.includes(key)).map((o) => `'${o.value}'`) ?? [];
  const hint = didYouMean(key, at.keys, (k) => dotted(path, k));
  const list = hint || ` Settings of ${of}: ${at.keys.join(', ')}.`;
  return `is not a setting of ${of}${elsewhere.length ? ` (only of ${elsewhere.join(', ')})` : ''}.${list}`;
}

/**
 * Overrides applied as a user means them: a changed `kind` takes the object to the new kind, keeping only
 * the settings the new kind also has (adamw -> sgd keeps lr, drops beta1); every other overridden key must
 * then be a setting of the kind it lands in, which the (strict) schema checks.
 */
export function applyConfigOverrides<T>(base: T, set: Record<string, unknown>): T {
  const kinds = Object.entries(set).filter(([p]) => p === 'kind' || p.endsWith('.kind'));
  let out = applyOverrides(base, Object.fromEntries(kinds));
  for (const [p] of kinds) {
    const path = p.split('.').slice(0, -1);
    const at = settingsAt(out, path);
    const node = path.reduce<unknown>((n, k) => (n as Record<string, unknown> | undefined)?.[k], out);
    if (!at || !isObject(node)) continue;
    for (const k of Object.keys(node)) if (!at.keys.includes(k)) delete node[k];
  }
  out = applyOverrides(out, Object.fromEntries(Object.entries(set).filter(([p]) => !kinds.some(([k]) => k === p))));
  return out;
}
