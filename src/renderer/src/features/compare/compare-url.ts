import { SPLIT_NAME } from '../../../../shared/domain/types';
import { DEFAULT_CHOICES } from './compare-data';
import { CROSS_X, CROSS_Y, type CrossX, type CrossY } from './eval-sets';

/** Everything a Compare view shows, as the URL carries it (bookmarkable, shareable, restored after navigation). */
export interface CompareState {
  /** The project the run ids belong to (a shared link opens it). */
  project: number | null;
  runs: string[];
  metrics: string[];
  x: 'epoch' | 'step';
  logX: boolean;
  smoothing: number;
  group: boolean;
  /** Per-panel y axes the reader chose, by metric choice (true = log); a panel not listed follows the registry's hint. */
  logY: Record<string, boolean>;
  scatterX: string;
  scatterY: string;
  scatterLogX: boolean;
  /** Evaluation sets drawn by per-set metrics and the cross-lingual panel (none chosen: all there are). */
  sets: string[];
  /** The cross-lingual panel's head measure (x) and what it is set against (y). */
  crossX: CrossX;
  crossY: CrossY;
}

export const DEFAULT_COMPARE: CompareState = {
  project: null,
  runs: [],
  metrics: DEFAULT_CHOICES,
  x: 'epoch',
  logX: true,
  smoothing: 0,
  group: false,
  logY: {},
  scatterX: 'kappa|train',
  scatterY: 'gap_acc|none',
  scatterLogX: false,
  sets: [],
  crossX: 'kappa',
  crossY: 'gap_loss',
};

const METRIC = /^[a-z][a-z0-9_]*\|(train|test|none|@sets)$/;
const AXIS = /^(hp:[\w.-]+|[a-z][a-z0-9_]*\|(train|test|none))$/;
const list = (v: string | null) => (v ? v.split(',') : []);
const oneOf = <T extends string>(allowed: readonly T[], v: string | null, fallback: T): T =>
  allowed.includes(v as T) ? (v as T) : fallback;
const flag = (v: string | null, fallback: boolean) => (v === '1' ? true : v === '0' ? false : fallback);

/** The query part of a Compare URL: only what differs from the defaults, so short links stay short. */
export function encodeCompare(s: CompareState): string {
  const q = new URLSearchParams();
  const d = DEFAULT_COMPARE;
  if (s.project !== null) q.set('project', String(s.project));
  if (s.runs.length) q.set('runs', s.runs.join(','));
  if (s.metrics.join() !== d.metrics.join()) q.set('metrics', s.metrics.join(','));
  if (s.x !== d.x) q.set('x', s.x);
  if (s.logX !== d.logX) q.set('logx', s.logX ? '1' : '0');
  if (s.smoothing !== d.smoothing) q.set('smooth', String(s.smoothing));
  if (s.group) q.set('group', '1');
  const log = Object.keys(s.logY).filter((k) => s.logY[k]);
  const lin = Object.keys(s.logY).filter((k) => !s.logY[k]);
  if (log.length) q.set('logy', log.join(','));
  if (lin.length) q.set('liny', lin.join(','));
  if (s.scatterX !== d.scatterX) q.set('sx', s.scatterX);
  if (s.scatterY !== d.scatterY) q.set('sy', s.scatterY);
  if (s.scatterLogX) q.set('slogx', '1');
  if (s.sets.length) q.set('sets', s.sets.join(','));
  if (s.crossX !== d.crossX) q.set('clx', s.crossX);
  if (s.crossY !== d.crossY) q.set('cly', s.crossY);
  return q.toString();
}

/**
 * Reads a Compare query back. Anything malformed (a hand-edited or truncated link) is dropped field by field
 * and that field keeps its default: a bad link shows a plain Compare view, never an error.
 */
export function decodeCompare(query: string): CompareState {
  const q = new URLSearchParams(query.replace(/^\?/, ''));
  const d = DEFAULT_COMPARE;
  const project = Number(q.get('project'));
  const smooth = Number(q.get('smooth'));
  const logY: Record<string, boolean> = {};
  for (const k of list(q.get('liny'))) if (METRIC.test(k)) logY[k] = false;
  for (const k of list(q.get('logy'))) if (METRIC.test(k)) logY[k] = true;
  const axis = (v: string | null, fallback: string) => (v && AXIS.test(v) ? v : fallback);
  return {
    project: Number.isSafeInteger(project) && project > 0 ? project : null,
    runs: [...new Set(list(q.get('runs')).filter((r) => /^[1-9]\d{0,15}$/.test(r)))],
    metrics: q.has('metrics') ? [...new Set(list(q.get('metrics')).filter((m) => METRIC.test(m)))] : d.metrics,
    x: q.get('x') === 'step' ? 'step' : 'epoch',
    logX: flag(q.get('logx'), d.logX),
    smoothing: q.has('smooth') && Number.isFinite(smooth) && smooth >= 0 && smooth <= 0.99 ? smooth : d.smoothing,
    group: flag(q.get('group'), d.group),
    logY,
    scatterX: axis(q.get('sx'), d.scatterX),
    scatterY: axis(q.get('sy'), d.scatterY),
    scatterLogX: flag(q.get('slogx'), d.scatterLogX),
    sets: [...new Set(list(q.get('sets')).filter((v) => SPLIT_NAME.test(v)))],
    crossX: oneOf(CROSS_X, q.get('clx'), d.crossX),
    crossY: oneOf(CROSS_Y, q.get('cly'), d.crossY),
  };
}
