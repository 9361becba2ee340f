// A run's config, as the log's files state it, flattened to the scalar settings a run stores: nested
// objects become dotted keys (`model.depth`), lists their JSON text; nulls say nothing and are left out.
import type { ImportScalar } from '../import-types';

export function flattenSettings(value: unknown, prefix = '', out: Record<string, ImportScalar> = {}): Record<string, ImportScalar> {
  if (value === null || value === undefined) return out;
  if (typeof value === 'number') out[prefix] = Number.isFinite(value) ? value : String(value);
  else if (typeof value === 'string' || typeof value === 'boolean') out[prefix] = value;
  else if (Array.isArray(value)) out[prefix] = JSON.stringify(value);
  else if (typeof value === 'object') {
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) flattenSettings(v, prefix ? `${prefix}.${k}` : k, out);
  }
  return out;
}
