/**
 * Registries of config kinds (model families, datasets), as tfjs registers kernels: each kind is one typed
 * descriptor with its own zod schema, registered on one line. The training config's `model` and `dataset`
 * are read through the registry at parse time, so a kind registered later (a plugin) validates, fills its
 * defaults and names its errors exactly like a built-in one. Isomorphic (zod only).
 */
import { z } from 'zod';
import { invalid } from '../api/errors';
import { oneOf } from './config-fields';

/** What every registered kind states about itself; the schema is a strict object whose `kind` is a literal. */
export interface KindInfo {
  kind: string;
  /** Short human name (pickers). */
  label: string;
  /** One or two sentences for the picker's description. */
  description: string;
  schema: z.ZodType;
}

export interface KindRegistry<T extends KindInfo> {
  /** What the registry holds, in words ("model.kind"). */
  readonly field: string;
  register(info: T): void;
  get(kind: string): T | undefined;
  list(): T[];
}

const KIND = /^[a-z][a-z0-9-]*$/;

export function kindRegistry<T extends KindInfo>(field: string): KindRegistry<T> {
  const entries = new Map<string, T>();
  return {
    field,
    register(info) {
      if (typeof info?.kind !== 'string' || !KIND.test(info.kind)) {
        throw invalid(`${field} '${String(info?.kind)}' must be lower-case letters, digits and '-'`, { field });
      }
      if (entries.has(info.kind)) throw invalid(`${field} '${info.kind}' is already registered`, { field });
      if (typeof info.label !== 'string' || !info.label)
        throw invalid(`${field} '${info.kind}': label must be a non-empty string`, { field });
      if (!(info.schema instanceof z.ZodType)) throw invalid(`${field} '${info.kind}': schema must be a zod schema`, { field });
      entries.set(info.kind, Object.freeze({ ...info, description: info.description ?? '' }));
    },
    get: (kind) => entries.get(kind),
    list: () => [...entries.values()],
  };
}

/** The registry a schema made by registrySchema reads; config-keys walks it as it walks a discriminated union. */
const REGISTRY_OF = new WeakMap<object, KindRegistry<KindInfo>>();
export const registryOfSchema = (schema: object): KindRegistry<KindInfo> | undefined => REGISTRY_OF.get(schema);

/**
 * A schema reading `{kind, ...}` through the registry: the kind's own schema parses the object (defaults,
 * strict keys, refinements), an unknown kind is named with the registered ones. `Out`/`In` are the types the
 * built-in kinds give; a plugin's config is typed by its own code.
 */
export function registrySchema<Out, In>(registry: KindRegistry<KindInfo>): z.ZodType<Out, In> {
  const kinds = () => oneOf(registry.list().map((k) => k.kind));
  const schema = z
    .looseObject({ kind: z.string({ error: () => kinds() }) }, { error: () => `must be an object with a kind: ${kinds()}` })
    .transform((value, ctx) => {
      const entry = registry.get(value.kind);
      if (!entry) {
        // a kind of a plugin that is not loaded now (a run made with it, opened without it) reads the same
        ctx.addIssue({ code: 'custom', path: ['kind'], message: `${kinds()} (a plugin's kind needs its module in PLATEAU_PLUGINS)` });
        return z.NEVER;
      }
      let r: ReturnType<z.ZodType['safeParse']>;
      try {
        r = entry.schema.safeParse(value);
      } catch (err) {
        // a plugin's refinement that throws is its bug, but the request still gets an answer naming the kind
        ctx.addIssue({ code: 'custom', path: ['kind'], message: `the schema of '${value.kind}' failed: ${(err as Error).message}` });
        return z.NEVER;
      }
      if (!r.success) {
        for (const issue of r.error.issues) ctx.addIssue({ ...issue } as Parameters<typeof ctx.addIssue>[0]);
        return z.NEVER;
      }
      return r.data;
    });
  REGISTRY_OF.set(schema, registry);
  return schema as unknown as z.ZodType<Out, In>;
}

/** A kind as the contract carries it (system.info): its schema as JSON Schema, which the renderer reads back. */
export interface KindWireInfo {
  kind: string;
  label: string;
  description: string;
  /** JSON Schema of the kind's config (input side: defaults are optional). */
  schema: Record<string, unknown>;
}

export const kindsOnWire = (registry: KindRegistry<KindInfo>): KindWireInfo[] =>
  registry.list().map((k) => ({
    kind: k.kind,
    label: k.label,
    description: k.description,
    schema: z.toJSONSchema(k.schema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>,
  }));

/**
 * Registers the kinds the core knows and this side does not (the renderer, for a plugin's model family or
 * dataset), from their JSON Schema: the form then validates and fills defaults for them too.
 */
export function adoptWireKinds(registry: KindRegistry<KindInfo>, wire: readonly KindWireInfo[]): void {
  for (const w of wire) {
    if (registry.get(w.kind)) continue;
    registry.register({ kind: w.kind, label: w.label, description: w.description, schema: z.fromJSONSchema(w.schema as never) });
  }
}
