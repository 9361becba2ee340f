import { request } from 'node:http';

/** Raw HTTP, so we control the Host header (fetch forbids setting it). */
export function raw(
  port: number,
  path: string,
  opts: { method?: string; headers?: Record<string, string>; body?: string | Uint8Array } = {},
) {
  // RPC bodies are JSON: say so unless a test sets its own Content-Type
  const headers = {
    ...(opts.method === 'POST' && path.startsWith('/rpc/') ? { 'content-type': 'application/json' } : {}),
    ...opts.headers,
  };
  return new Promise<{ status: number; headers: Record<string, unknown>; body: string }>((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method: opts.method ?? 'GET', headers }, (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end(opts.body);
  });
}
