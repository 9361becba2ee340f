import { delimiter, isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { invalid } from '../../shared/api/errors';
import { metric, metricInfo, registerMetric, type MetricDescriptor } from '../../shared/domain/metrics';

/*
 * A metric from outside the built-ins: an ES module (plain JS, loadable by Node without a build) that exports
 *   descriptor  a metric descriptor (shared/domain/metrics/descriptor.ts; parts, logScale, run have defaults,
 *               producer defaults to 'plugin:<key>'),
 *   produce     (input: CheckpointInput, keys: Set<string>) => MetricRow[], run in the metrics worker.
 * The main process registers the descriptor (catalogue, pickers, reports, CLI); every metrics job hands the
 * loaded paths to its worker, which loads them again and registers `produce` under the descriptor's producer.
 */

const BUILTIN_PRODUCERS = ['closed-form', 'weights-only', 'hessian'];
const LOADED = new Map<string, string>(); // absolute path -> key

export interface MetricPluginModule {
  descriptor: MetricDescriptor;
  produce: (...args: never[]) => unknown;
}

/** Imports and checks a plugin module; errors name the file and what is wrong. */
async function importPlugin(path: string): Promise<MetricPluginModule> {
  let mod: Record<string, unknown>;
  try {
    mod = await import(/* @vite-ignore */ pathToFileURL(path).href);
  } catch (err) {
    throw invalid(`metric plugin ${path} could not be loaded: ${(err as Error).message}`, { path });
  }
  const d = mod.descriptor as Partial<MetricDescriptor> | undefined;
  if (!d || typeof d !== 'object') throw invalid(`metric plugin ${path} exports no 'descriptor' object`, { path });
  if (typeof mod.produce !== 'function') throw invalid(`metric plugin ${path} exports no 'produce' function`, { path });
  const descriptor = metric({ producer: `plugin:${String(d.key)}`, ...d } as MetricDescriptor);
  if (BUILTIN_PRODUCERS.includes(descriptor.producer)) {
    throw invalid(`metric plugin ${path}: producer '${descriptor.producer}' is a built-in one; leave it out or name your own`, { path });
  }
  return { descriptor, produce: mod.produce as MetricPluginModule['produce'] };
}

/**
 * Loads a metric plugin into this process's registry (idempotent per path) and returns its key;
 * `withProducer` (the worker's registerProducer) also registers the code that computes it.
 */
export async function loadMetricPlugin(
  path: string,
  withProducer?: (id: string, fn: MetricPluginModule['produce']) => void,
): Promise<string> {
  const abs = isAbsolute(path) ? path : resolve(path);
  const known = LOADED.get(abs);
  if (known) return known;
  const { descriptor, produce } = await importPlugin(abs);
  if (metricInfo(descriptor.key)) throw invalid(`metric plugin ${abs}: the key '${descriptor.key}' is already registered`, { path: abs });
  try {
    registerMetric(descriptor);
  } catch (err) {
    throw invalid(`metric plugin ${abs}: ${(err as Error).message}`, { path: abs });
  }
  withProducer?.(descriptor.producer, produce);
  LOADED.set(abs, descriptor.key);
  return descriptor.key;
}

/** Paths of the plugins loaded so far, in load order: what a metrics job's worker loads. */
export const metricPluginPaths = (): string[] => [...LOADED.keys()];

/** The variable naming plugin modules to load at start-up, separated like PATH (':' or ';' on Windows). */
export const METRIC_PLUGINS_ENV = 'PLATEAU_METRIC_PLUGINS';

/** Loads the plugins PLATEAU_METRIC_PLUGINS names (CLI and browser host start-up); returns their keys. */
export async function loadMetricPluginsFromEnv(env: NodeJS.ProcessEnv = process.env): Promise<string[]> {
  const paths = (env[METRIC_PLUGINS_ENV] ?? '')
    .split(delimiter)
    .map((p) => p.trim())
    .filter(Boolean);
  const keys: string[] = [];
  for (const p of paths) keys.push(await loadMetricPlugin(p));
  return keys;
}
