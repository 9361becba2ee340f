import type { z } from 'zod';
import { lookupMethod, type ServiceApi } from '../../shared/api/contract';
import { PlateauError } from '../../shared/api/errors';
import type { Reply } from '../../shared/rpc/envelope';

/** Turns zod issues into one sentence naming each field: "name: must not be empty". */
export function describeIssues(issues: z.core.$ZodIssue[]): string {
  return issues
    .map((i) => {
      const field = i.path.length ? i.path.join('.') : 'params';
      if (i.code === 'unrecognized_keys') return `unknown field${i.keys.length > 1 ? 's' : ''} ${i.keys.map((k) => `'${k}'`).join(', ')}`;
      return `${field}: ${i.message}`;
    })
    .join('; ');
}

/** Method lookup, param validation and the error envelope: the one place calls enter the core. */
export function createDispatcher(services: ServiceApi, log: (msg: string) => void = console.error) {
  return async function dispatch(method: string, params: unknown): Promise<Reply> {
    const entry = lookupMethod(method);
    if (!entry) return { ok: false, error: { code: 'NotFound', message: `Unknown method '${method}'.` } };
    const parsed = entry.params.safeParse(params ?? {});
    if (!parsed.success) {
      return {
        ok: false,
        error: {
          code: 'InvalidParams',
          message: `${method}: ${describeIssues(parsed.error.issues)}`,
          details: parsed.error.issues.map((i) => ({ path: i.path.map(String), message: i.message })),
        },
      };
    }
    const [ns, name] = method.split('.') as [string, string];
    const fn = (services as unknown as Record<string, Record<string, ((p: unknown) => unknown) | undefined> | undefined>)[ns]?.[name];
    if (!fn) return { ok: false, error: { code: 'NotFound', message: `Unknown method '${method}'.` } };
    try {
      return { ok: true, result: (await fn(parsed.data)) ?? null };
    } catch (err) {
      if (err instanceof PlateauError) return { ok: false, error: err.toEnvelope() };
      log(`Internal error in ${method}: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
      const message = err instanceof Error ? err.message : String(err);
      return { ok: false, error: { code: 'Internal', message: `Something went wrong in ${method}: ${message}` } };
    }
  };
}
export type Dispatch = ReturnType<typeof createDispatcher>;
