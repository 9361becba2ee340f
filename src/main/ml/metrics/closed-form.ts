import { invalid } from '../../../shared/api/errors';
import { metricInfo, metricKeysWhere } from '../../../shared/domain/metrics';
import { classGeometry, collapseFromPasses } from './collapse';
import { collapseClasses, DEFAULT_COLLAPSE_TOP_K } from './collapse-classes';
import { checkInputs, firstPass, flatnessRouteFor, type FirstPass } from './feature-scan';
import { flatnessFromPasses, sigmaPlan } from './flatness';
import { secondPass } from './second-pass';
import { generalizationFromPasses } from './generalization';
import { WEIGHT_KEYS, weightMetrics } from './weights';
import {
  put,
  type ClosedFormOptions,
  type FeatureDumpData,
  type FeatureSource,
  type FloatMatrix,
  type LastLayer,
  type MetricBag,
  type MetricValues,
} from './types';

/** Every key computable in closed form from a feature dump (features or weights alone), in catalogue order. */
export const CLOSED_FORM_KEYS: readonly string[] = metricKeysWhere((d) => d.producer === 'closed-form' || d.producer === 'weights-only');
/** Keys that describe one split and so are repeated in the `test` block. */
export const PER_SPLIT_KEYS: readonly string[] = metricKeysWhere(
  (d) => d.producer === 'closed-form' && d.splits.includes('train') && d.splits.includes('test'),
);
const COLLAPSE_KEYS = metricKeysWhere((d) => d.producer === 'closed-form' && d.family === 'collapse');
/** test_loss, test_acc and the gaps: they need the test split's first pass. */
const TEST_GENERALIZATION_KEYS = metricKeysWhere((d) => d.family === 'generalization' && !d.splits.includes('train'));

/** Checks requested keys against the catalogue; undefined means all closed-form keys. */
export function resolveKeys(keys?: readonly string[]): Set<string> {
  if (!keys) return new Set(CLOSED_FORM_KEYS);
  for (const key of keys) {
    const info = metricInfo(key);
    if (!info) throw invalid(`unknown metric '${key}'; known closed-form metrics: ${CLOSED_FORM_KEYS.join(', ')}`, { key });
    if (!CLOSED_FORM_KEYS.includes(key)) {
      throw info.needs === 'model'
        ? invalid(`metric '${key}' needs the model (Hessian-vector products), not a feature dump; run it on a checkpoint instead`, { key })
        : invalid(`metric '${key}' is computed by '${info.producer}', not from a feature dump; run it on a checkpoint instead`, { key });
    }
  }
  return new Set(keys);
}

/** Flatness, collapse and per-split generalisation keys of one split, from at most two passes over its features. */
export function computeSplitMetrics(
  split: FeatureSource,
  layer: LastLayer,
  keys?: readonly string[],
  options: ClosedFormOptions = {},
): MetricBag {
  checkInputs(split, layer);
  return splitMetrics(split, layer, resolveKeys(keys), options).bag;
}

export interface SplitResult {
  first: FirstPass;
  bag: MetricBag;
}

export function splitMetrics(
  split: FeatureSource,
  layer: LastLayer,
  wanted: ReadonlySet<string>,
  options: ClosedFormOptions,
  name = 'split',
  weight64?: Float64Array,
): SplitResult {
  const needSigma = wanted.has('kappa_sigma');
  const needCollapse = COLLAPSE_KEYS.some((k) => wanted.has(k));
  const route = flatnessRouteFor(layer.C, options.flatnessRoute);
  const cls = collapseClasses(split.labels, split.n, layer.C, options.collapseTopK ?? DEFAULT_COLLAPSE_TOP_K);
  const first = firstPass(split, layer, { cls, route, sigma: needSigma, weight64 }, name);
  const geo = needCollapse ? classGeometry(first) : null;
  const sigma = needSigma && route === 'gram' ? sigmaPlan(first, layer) : null;
  const second =
    sigma || geo
      ? secondPass(
          split,
          first,
          {
            means: geo?.means ?? new Float64Array(0),
            centred: geo?.centred ?? new Float64Array(0),
            meanDist: geo?.meanDist ?? new Float64Array(0),
            invVar: sigma?.invVar ?? null,
            gramSigma: sigma?.gramSigma ?? null,
            collapse: needCollapse,
            scatter: layer.m < cls.classes.length ? 'features' : 'classes',
          },
          name,
        )
      : null;
  const bag = flatnessFromPasses(first, second, layer, wanted);
  if (geo && second) merge(bag, collapseFromPasses(first, geo, second, layer, wanted));
  if (wanted.has('perplexity')) put(bag, 'perplexity', Math.exp(first.lossSum / first.n));
  return { first, bag };
}

/**
 * What the CLI prints for a dump: training-split keys at the top level (generalisation keys use both
 * splits; weights-only keys describe the dump's weight), `test` with the per-split keys on the test
 * split when present, and `omitted` with the reason for each key left out (`test.` prefix for the test block).
 */
export interface DumpMetrics {
  [key: string]: number | MetricValues | Record<string, string> | undefined;
  test?: MetricValues;
  omitted?: Record<string, string>;
  /** When more than collapse_top_k classes are present: K and the classes present (`test.` prefix for the test split). */
  collapse?: MetricValues;
}

export interface DumpMetricOptions extends ClosedFormOptions {
  /** Initial weight (C x m) of the run, enabling dist_from_init. */
  initWeight?: FloatMatrix | null;
}

export function computeDumpMetrics(dump: FeatureDumpData, keys?: readonly string[], options: DumpMetricOptions = {}): DumpMetrics {
  const wanted = resolveKeys(keys);
  const { layer } = dump;
  checkInputs(dump.train, layer, 'train split');
  if (dump.test) checkInputs(dump.test, layer, 'test split');
  const needData = [...wanted].some((k) => !WEIGHT_KEYS.includes(k));
  const top: MetricBag = { values: {}, omitted: {} };
  let trainFirst: FirstPass | null = null;
  if (needData) {
    const train = splitMetrics(dump.train, layer, wanted, options, 'train split');
    trainFirst = train.first;
    merge(top, train.bag);
  }
  let testBag: MetricBag | null = null;
  let testFirst: FirstPass | null = null;
  const needTestSplit = PER_SPLIT_KEYS.some((k) => wanted.has(k));
  if (dump.test && (needTestSplit || TEST_GENERALIZATION_KEYS.some((k) => wanted.has(k)))) {
    const test = splitMetrics(dump.test, layer, needTestSplit ? wanted : new Set<string>(), options, 'test split');
    testFirst = test.first;
    testBag = test.bag;
  }
  if (trainFirst) merge(top, generalizationFromPasses(trainFirst, testFirst, wanted));
  merge(top, weightMetrics(layer.weight, layer.C, layer.m, { init: options.initWeight, keys: wanted }));
  const out: DumpMetrics = { ...sortKeys(top.values) };
  if (testBag && Object.keys(testBag.values).length > 0) out.test = sortKeys(testBag.values);
  const omitted: Record<string, string> = { ...top.omitted };
  if (testBag) for (const [k, why] of Object.entries(testBag.omitted)) omitted[`test.${k}`] = why;
  if (Object.keys(omitted).length > 0) out.omitted = omitted;
  const collapse = collapseInfo(wanted, [
    ['', trainFirst],
    ['test.', needTestSplit ? testFirst : null],
  ]);
  if (collapse) out.collapse = collapse;
  return out;
}

/** The many-classes rule's record, only where it applied (below K nothing changes, the output included). */
function collapseInfo(wanted: ReadonlySet<string>, firsts: [string, FirstPass | null][]): MetricValues | null {
  if (!COLLAPSE_KEYS.some((k) => wanted.has(k))) return null;
  const info: MetricValues = {};
  for (const [prefix, first] of firsts) {
    if (!first?.cls.restricted) continue;
    info.collapse_top_k = first.cls.topK;
    info[`${prefix}classes_present`] = first.cls.present;
    info[`${prefix}samples_used`] = first.cls.samples;
  }
  return Object.keys(info).length ? info : null;
}

function merge(into: MetricBag, from: MetricBag): void {
  Object.assign(into.values, from.values);
  Object.assign(into.omitted, from.omitted);
}

function sortKeys(values: MetricValues): MetricValues {
  return Object.fromEntries(Object.entries(values).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
