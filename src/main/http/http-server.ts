import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ErrorEnvelope } from '../../shared/api/errors';
import { EncodedResult, type Reply } from '../../shared/rpc/envelope';
import type { Dispatch } from '../rpc/dispatch';
import type { EventBus } from '../rpc/event-bus';
import { cookieHeader, hostAllowed, isLoopback, presentedToken, tokenMatches } from './auth';
import { securityHeaders, serveStatic } from './static-files';
import { receiveUpload } from './upload';

export interface HttpOptions {
  dispatch: Dispatch;
  bus: EventBus;
  token: string;
  host: string;
  port: number;
  staticDir: string;
  /** Where dropped files are stored (under uploads/). */
  dataDir: string;
}

const MAX_BODY = 10 * 1024 * 1024;

function json(res: ServerResponse, status: number, body: unknown) {
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store', ...securityHeaders });
  res.end(JSON.stringify(body));
}
/** A reply whose result is already JSON bytes (EncodedResult) is written around them, never parsed or copied. */
function reply(res: ServerResponse, r: Reply) {
  if (!(r.ok && r.result instanceof EncodedResult)) return json(res, 200, r);
  res.writeHead(200, { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store', ...securityHeaders });
  res.write('{"ok":true,"result":');
  res.write(r.result.json);
  res.end('}');
}
const fail = (res: ServerResponse, status: number, error: ErrorEnvelope) => json(res, status, { ok: false, error });

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let size = 0;
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        reject(new Error(`request body over ${MAX_BODY} bytes`));
        req.destroy();
      } else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** The browser host: POST /rpc/<method>, GET /rpc/events (SSE), GET /healthz, and the built UI. */
export async function startHttpServer(opts: HttpOptions) {
  const { dispatch, bus, token } = opts;
  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname === '/healthz') return json(res, 200, { ok: true });
    if (!hostAllowed(req, opts.host)) return fail(res, 403, { code: 'Unavailable', message: 'Host header not allowed.' });
    const { token: presented, fromQuery } = presentedToken(req, url);
    if (!tokenMatches(presented, token)) {
      return fail(res, 401, { code: 'Unavailable', message: 'Missing or wrong access token. Open the URL that `plateau serve` printed (it carries ?token=...).' });
    }
    if (fromQuery && req.method === 'GET' && !url.pathname.startsWith('/rpc/')) {
      // Trade the token in the URL for a cookie, then drop it from the address bar and history.
      url.searchParams.delete('token');
      res.writeHead(302, { 'Set-Cookie': cookieHeader(token), Location: url.pathname + url.search });
      return res.end();
    }
    if (url.pathname === '/upload') {
      if (req.method !== 'POST') return fail(res, 405, { code: 'InvalidParams', message: 'Use POST for /upload.' });
      try {
        return json(res, 200, { ok: true, result: await receiveUpload(req, url, opts.dataDir) });
      } catch (err) {
        return fail(res, 400, { code: 'InvalidParams', message: (err as Error).message });
      }
    }
    if (url.pathname.startsWith('/rpc/')) {
      if (url.pathname === '/rpc/events' && req.method === 'GET') return streamEvents(req, res, bus);
      if (req.method !== 'POST') return fail(res, 405, { code: 'InvalidParams', message: 'Use POST for /rpc/<method>.' });
      let params: unknown;
      try {
        const body = await readBody(req);
        params = body ? JSON.parse(body) : {};
      } catch (err) {
        return fail(res, 400, { code: 'InvalidParams', message: `The request body is not valid JSON: ${(err as Error).message}` });
      }
      return reply(res, await dispatch(decodeURIComponent(url.pathname.slice(5)), params));
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') return fail(res, 405, { code: 'InvalidParams', message: 'Method not allowed.' });
    serveStatic(opts.staticDir, url.pathname, res);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const shownHost = opts.host.includes(':') ? `[${opts.host}]` : opts.host;
  const origin = `http://${shownHost}:${port}`;
  return {
    server,
    port,
    origin,
    url: `${origin}/?token=${encodeURIComponent(token)}`,
    loopback: isLoopback(opts.host),
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

function streamEvents(req: IncomingMessage, res: ServerResponse, bus: EventBus) {
  res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-store', Connection: 'keep-alive', ...securityHeaders });
  res.write('retry: 1000\n\n');
  const unsubscribe = bus.subscribe((name, payload) => res.write(`event: ${name}\ndata: ${JSON.stringify(payload)}\n\n`));
  const ping = setInterval(() => res.write(': ping\n\n'), 15_000);
  req.on('close', () => {
    clearInterval(ping);
    unsubscribe();
  });
}
