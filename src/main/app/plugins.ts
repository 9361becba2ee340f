import { delimiter, isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { z } from 'zod';
import { invalid } from '../../shared/api/errors';
import { datasetKinds } from '../../shared/domain/dataset-config';
import type { KindInfo, KindRegistry } from '../../shared/domain/kinds';
import { metric, metricInfo, registerMetric, type MetricDescriptor } from '../../shared/domain/metrics';
import { modelFamilies } from '../../shared/domain/train-config';
import { registerImportFormat, type ImportFormatDescriptor } from '../io/formats';

/*
 * Extensions from outside the built-ins: an ES module (plain JS, loadable by Node without a build) that
 * exports any of
 *   descriptor + produce  a metric: its descriptor (shared/domain/metrics/descriptor.ts; parts, logScale, run
 *                         have defaults, producer defaults to 'plugin:<key>') and
 *                         `produce(input: CheckpointInput, keys: Set<string>) => MetricRow[]`, run in the metrics worker;
 *   modelFamily           { kind, label, description, schema: (z) => zod strict object with a literal kind,
 *                           sequence?, misfit?(dataset), build(config, dataset, { tf, rng }) => Model };
 *   dataset               { kind, label, description, schema: (z) => ..., make(config, seed) => Dataset };
 *   importFormat          an import format descriptor (src/main/io/formats/registry.ts).
 * Schemas are built with the host's zod (passed in), so they validate exactly like the built-ins. The main
 * process registers what is declarative (catalogue, pickers, config validation, CLI); every job hands the
 * loaded paths to its worker, which loads them again and registers the code (workers/plugins.ts).
 */

const BUILTIN_PRODUCERS = ['closed-form', 'weights-only', 'hessian'];

export interface PluginKind extends KindInfo {
  [more: string]: unknown;
}

/** What one plugin module brought, after its declarative parts were registered. */
export interface LoadedPlugin {
  path: string;
  metric?: { descriptor: MetricDescriptor; produce: (...args: never[]) => unknown };
  modelFamily?: PluginKind;
  dataset?: PluginKind;
  importFormat?: ImportFormatDescriptor;
}

const LOADED = new Map<string, LoadedPlugin>(); // absolute path -> what it registered

async function importModule(path: string): Promise<Record<string, unknown>> {
  try {
    return (await import(/* @vite-ignore */ pathToFileURL(path).href)) as Record<string, unknown>;
  } catch (err) {
    throw invalid(`plugin ${path} could not be loaded: ${(err as Error).message}`, { path });
  }
}

function metricPart(path: string, mod: Record<string, unknown>): LoadedPlugin['metric'] {
  if (mod.descriptor === undefined && mod.produce === undefined) return undefined;
  const d = mod.descriptor as Partial<MetricDescriptor> | undefined;
  if (!d || typeof d !== 'object') throw invalid(`metric plugin ${path} exports no 'descriptor' object`, { path });
  if (typeof mod.produce !== 'function') throw invalid(`metric plugin ${path} exports no 'produce' function`, { path });
  const descriptor = metric({ producer: `plugin:${String(d.key)}`, ...d } as MetricDescriptor);
  if (BUILTIN_PRODUCERS.includes(descriptor.producer)) {
    throw invalid(`metric plugin ${path}: producer '${descriptor.producer}' is a built-in one; leave it out or name your own`, { path });
  }
  if (metricInfo(descriptor.key)) throw invalid(`metric plugin ${path}: the key '${descriptor.key}' is already registered`, { path });
  return { descriptor, produce: mod.produce as (...args: never[]) => unknown };
}

/** A model family or dataset export: checked, its schema built with our zod. */
function kindPart(path: string, mod: Record<string, unknown>, name: string, registry: KindRegistry<KindInfo>, code: string) {
  const raw = mod[name] as Record<string, unknown> | undefined;
  if (raw === undefined) return undefined;
  const bad = (why: string) => invalid(`plugin ${path}: ${name} ${why}`, { path });
  if (!raw || typeof raw !== 'object') throw bad('must be an object');
  if (typeof raw.schema !== 'function') throw bad('needs schema: (z) => a zod object schema with a literal kind');
  if (typeof raw[code] !== 'function') throw bad(`needs a '${code}' function`);
  if (registry.get(String(raw.kind))) throw bad(`kind '${String(raw.kind)}' is already registered`);
  const schema = (raw.schema as (zod: typeof z) => unknown)(z);
  if (!(schema instanceof z.ZodType)) throw bad('schema(z) must return a zod schema');
  return {
    ...raw,
    kind: String(raw.kind),
    label: String(raw.label ?? raw.kind),
    description: String(raw.description ?? ''),
    schema,
  } as PluginKind;
}

/**
 * Loads a plugin into this process (idempotent per path): checks every part first, then registers the
 * declarative ones (metric descriptor, model-family and dataset schemas, import format). Errors name the file.
 */
export async function loadPlugin(path: string): Promise<LoadedPlugin> {
  const abs = isAbsolute(path) ? path : resolve(path);
  const known = LOADED.get(abs);
  if (known) return known;
  const mod = await importModule(abs);
  const loaded: LoadedPlugin = {
    path: abs,
    metric: metricPart(abs, mod),
    modelFamily: kindPart(abs, mod, 'modelFamily', modelFamilies, 'build'),
    dataset: kindPart(abs, mod, 'dataset', datasetKinds, 'make'),
    importFormat: mod.importFormat as ImportFormatDescriptor | undefined,
  };
  if (!loaded.metric && !loaded.modelFamily && !loaded.dataset && !loaded.importFormat) {
    throw invalid(`plugin ${abs} exports none of descriptor/produce, modelFamily, dataset, importFormat`, { path: abs });
  }
  try {
    if (loaded.metric) registerMetric(loaded.metric.descriptor);
    if (loaded.modelFamily) modelFamilies.register(loaded.modelFamily);
    if (loaded.dataset) datasetKinds.register(loaded.dataset);
    if (loaded.importFormat) registerImportFormat(loaded.importFormat);
  } catch (err) {
    throw invalid(`plugin ${abs}: ${(err as Error).message}`, { path: abs });
  }
  LOADED.set(abs, loaded);
  return loaded;
}

/** A metric plugin's key (the form the metrics tests and CLI use). */
export async function loadMetricPlugin(path: string): Promise<string> {
  const p = await loadPlugin(path);
  if (!p.metric) throw invalid(`plugin ${p.path} exports no metric (descriptor and produce)`, { path: p.path });
  return p.metric.descriptor.key;
}

/** Paths of the plugins loaded so far, in load order: what every job's worker loads. */
export const pluginPaths = (): string[] => [...LOADED.keys()];

/** The variables naming plugin modules to load at start-up, separated like PATH (':' or ';' on Windows). */
export const PLUGINS_ENV = ['PLATEAU_PLUGINS', 'PLATEAU_METRIC_PLUGINS'] as const;

/** Loads the plugins PLATEAU_PLUGINS (or the older PLATEAU_METRIC_PLUGINS) names; returns what each brought. */
export async function loadPluginsFromEnv(env: NodeJS.ProcessEnv = process.env): Promise<LoadedPlugin[]> {
  const paths = PLUGINS_ENV.flatMap((v) => (env[v] ?? '').split(delimiter))
    .map((p) => p.trim())
    .filter(Boolean);
  const out: LoadedPlugin[] = [];
  for (const p of paths) out.push(await loadPlugin(p));
  return out;
}
