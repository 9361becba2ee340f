import type { APIRequestContext } from '@playwright/test';
import type { Host } from '../fixtures';

/** Calls a contract method on the browser host over HTTP with its token (what a script or the CLI would do). */
export function hostRpc(host: Host, request: APIRequestContext) {
  return async (method: string, data: unknown): Promise<Record<string, unknown>> => {
    const r = await request.post(`${host.origin}/rpc/${method}`, { data, headers: { authorization: `Bearer ${host.token}` } });
    const body = (await r.json()) as { ok: boolean; result: unknown; error?: { message: string } };
    if (!body.ok) throw new Error(`${method}: ${body.error?.message}`);
    return body.result as Record<string, unknown>;
  };
}
