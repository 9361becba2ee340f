import { invalid } from '../../shared/api/errors';
import { unknownSettingMessage } from '../../shared/domain/config-keys';
import { trainConfigSchema, type TrainConfig } from '../../shared/domain/train-config';

interface Issue {
  path: PropertyKey[];
  message: string;
  code?: string;
  keys?: string[];
  errors?: Issue[][];
}

/** The innermost issue of a union (zod reports a bare "Invalid input" at the union's own level). */
function leaf(issue: Issue): Issue {
  const nested = issue.errors?.flat() ?? [];
  const sub = nested.find((i) => i.path.length > 0) ?? nested[0];
  return sub ? { ...leaf(sub), path: [...issue.path, ...sub.path] } : issue;
}

/**
 * Validates and fills defaults; any problem becomes `invalid()` naming the field and its allowed range,
 * e.g. "optimizer.lr must be > 0". All issues are listed in details.issues.
 */
export function parseTrainConfig(input: unknown): TrainConfig {
  return parseWith(trainConfigSchema, input);
}

/** What measuring a checkpoint needs of a config: the dataset, the model and the seed (an evaluated import has no more). */
const modelAndDataSchema = trainConfigSchema.pick({ dataset: true, model: true, seed: true, evalRows: true });
export type ModelAndData = Pick<TrainConfig, 'dataset' | 'model' | 'seed' | 'evalRows'>;

/** The dataset, model and seed of a config (other settings are not read), checked as parseTrainConfig checks them. */
export function parseModelAndData(config: unknown): ModelAndData {
  const c = (typeof config === 'object' && config !== null ? config : {}) as Record<string, unknown>;
  const optional = Object.fromEntries((['seed', 'evalRows'] as const).filter((k) => c[k] !== undefined).map((k) => [k, c[k]]));
  return parseWith(modelAndDataSchema, { dataset: c.dataset, model: c.model, ...optional });
}

type Parsed<T> = { success: true; data: T } | { success: false; error: { issues: unknown[] } };

function parseWith<T>(schema: { safeParse(input: unknown): Parsed<T> }, input: unknown): T {
  const r = schema.safeParse(input);
  if (r.success) return r.data;
  const issues = (r.error.issues as unknown as Issue[]).flatMap((i) => {
    // a key the schema does not know is named with the nearest ones and, in a union, the kind it belongs to
    if (i.code === 'unrecognized_keys') {
      return (i.keys ?? []).map((k) => ({ field: [...i.path.map(String), k].join('.'), message: unknownSettingMessage(input, i.path, k) }));
    }
    // a union with its own message says it best; otherwise the innermost issue does
    const l = i.errors && i.message === 'Invalid input' ? leaf(i) : i;
    const field = l.path.map(String).join('.') || '(config)';
    return [{ field, message: l.message }];
  });
  const first = issues[0];
  return invalidThrow(`${first.field} ${first.message}`, { field: first.field, issues });
}

function invalidThrow(message: string, details: unknown): never {
  throw invalid(message, details);
}
