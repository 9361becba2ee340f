/** Dotted-path overrides on a config object: `{ 'optimizer.lr': 0.001 }`. Pure and isomorphic. */

const isObject = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);

/** A deep copy of `base` with each dotted path set (array items by index); missing intermediate objects are created. */
export function applyOverrides<T>(base: T, overrides: Record<string, unknown>): T {
  const out = structuredClone(base) as Record<string, unknown>;
  for (const [path, value] of Object.entries(overrides)) {
    const parts = path.split('.');
    if (parts.some((p) => !p || p === '__proto__' || p === 'constructor' || p === 'prototype')) {
      throw new Error(`'${path}' is not a valid setting path`);
    }
    let node = out;
    for (const [i, p] of parts.entries()) {
      // a list is indexed, never given named keys (zod would drop them without a word)
      if (Array.isArray(node) && !/^\d+$/.test(p)) {
        const list = parts.slice(0, i).join('.');
        throw new Error(`'${path}': ${list} is a list; name an item by its index, e.g. ${list}.0`);
      }
      if (i === parts.length - 1) break;
      // arrays are walked by index ('model.hidden.0', 'interventions.0.lambda'), not replaced
      if (!isObject(node[p]) && !Array.isArray(node[p])) node[p] = {};
      node = node[p] as Record<string, unknown>;
    }
    node[parts.at(-1)!] = value;
  }
  return out as T;
}

/** `key=value` from the command line: the value is JSON when it parses (numbers, booleans, objects), else a string. */
export function parseSetting(arg: string): [string, unknown] {
  const eq = arg.indexOf('=');
  if (eq < 1) throw new Error(`'${arg}' is not key=value (e.g. optimizer.lr=0.001)`);
  const raw = arg.slice(eq + 1);
  let value: unknown = raw;
  try {
    value = JSON.parse(raw);
  } catch {
    /* a plain string */
  }
  return [arg.slice(0, eq), value];
}
