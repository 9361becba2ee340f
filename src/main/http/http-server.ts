import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ErrorEnvelope } from '../../shared/api/errors';
import { EncodedResult, type Reply } from '../../shared/rpc/envelope';
import type { Dispatch } from '../rpc/dispatch';
import type { EventBus } from '../rpc/event-bus';
import { cookieHeader, crossSiteRefusal, hostAllowed, isLoopback, presentedToken, tokenMatches } from './auth';
import { securityHeaders, serveStatic } from './static-files';
import { safeDecode } from './safe-decode';
import { receiveUpload } from './upload';
import { REPORTS_PREFIX, serveReport } from './report-files';

export interface HttpOptions {
  dispatch: Dispatch;
  bus: EventBus;
  token: string;
  host: string;
  port: number;
  /** The built UI; none on the desktop's client endpoint, which answers the contract only. */
  staticDir?: string;
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

/** The browser host: POST /rpc/<method>, GET /rpc/events (SSE), GET /healthz, GET /reports/<file>, and the built UI. */
export async function startHttpServer(opts: HttpOptions) {
  let port = opts.port;
  // Every path through the handler answers; whatever still throws is a 500 with a log line, never a dead host.
  const server = createServer((req, res) => {
    handle(req, res, opts, port).catch((err: unknown) => {
      console.error(`plateau serve: ${req.method} ${req.url}: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
      if (!res.headersSent) fail(res, 500, { code: 'Internal', message: 'The host could not answer this request.' });
      else res.destroy();
    });
  });
  server.on('clientError', (_err, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
    else socket.destroy();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => resolve());
  });
  port = (server.address() as AddressInfo).port;
  const shownHost = opts.host.includes(':') ? `[${opts.host}]` : opts.host;
  const origin = `http://${shownHost}:${port}`;
  return {
    server,
    port,
    origin,
    url: `${origin}/?token=${encodeURIComponent(opts.token)}`,
    loopback: isLoopback(opts.host),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function handle(req: IncomingMessage, res: ServerResponse, opts: HttpOptions, port: number): Promise<void> {
  let url: URL;
  try {
    url = new URL(req.url ?? '/', 'http://localhost');
  } catch {
    return fail(res, 400, { code: 'InvalidParams', message: 'The request URL is malformed.' });
  }
  if (url.pathname === '/healthz') return json(res, 200, { ok: true });
  if (!hostAllowed(req, opts.host)) return fail(res, 403, { code: 'Unavailable', message: 'Host header not allowed.' });
  const { token: presented, fromQuery } = presentedToken(req, url, port);
  if (!tokenMatches(presented, opts.token)) {
    return fail(res, 401, {
      code: 'Unavailable',
      message: 'Missing or wrong access token. Open the URL that `plateau serve` printed (it carries ?token=...).',
    });
  }
  const refusal = crossSiteRefusal(req, url.pathname.startsWith('/rpc/'));
  if (refusal) return fail(res, 403, { code: 'Unavailable', message: refusal });
  if (fromQuery && req.method === 'GET' && !url.pathname.startsWith('/rpc/')) {
    // Trade the token in the URL for a cookie, then drop it from the address bar and history.
    url.searchParams.delete('token');
    res.writeHead(302, { 'Set-Cookie': cookieHeader(opts.token, port), Location: url.pathname + url.search });
    return void res.end();
  }
  if (url.pathname === '/upload') {
    if (req.method !== 'POST') return fail(res, 405, { code: 'InvalidParams', message: 'Use POST for /upload.' });
    try {
      return json(res, 200, { ok: true, result: await receiveUpload(req, url, opts.dataDir) });
    } catch (err) {
      return fail(res, 400, { code: 'InvalidParams', message: (err as Error).message });
    }
  }
  if (url.pathname.startsWith(REPORTS_PREFIX)) {
    if (req.method !== 'GET' && req.method !== 'HEAD') return fail(res, 405, { code: 'InvalidParams', message: 'Use GET for /reports/.' });
    return serveReport(opts.dataDir, url.pathname, res);
  }
  if (url.pathname.startsWith('/rpc/')) {
    if (url.pathname === '/rpc/events' && req.method === 'GET') return streamEvents(req, res, opts.bus);
    if (req.method !== 'POST') return fail(res, 405, { code: 'InvalidParams', message: 'Use POST for /rpc/<method>.' });
    const method = safeDecode(url.pathname.slice(5));
    if (method === undefined) return fail(res, 400, { code: 'InvalidParams', message: 'The method name is not valid percent-encoding.' });
    let params: unknown;
    try {
      const body = await readBody(req);
      params = body ? JSON.parse(body) : {};
    } catch (err) {
      return fail(res, 400, { code: 'InvalidParams', message: `The request body is not valid JSON: ${(err as Error).message}` });
    }
    return reply(res, await opts.dispatch(method, params));
  }
  if (req.method !== 'GET' && req.method !== 'HEAD') return fail(res, 405, { code: 'InvalidParams', message: 'Method not allowed.' });
  if (opts.staticDir === undefined) return fail(res, 404, { code: 'NotFound', message: 'This endpoint answers POST /rpc/<method> only.' });
  serveStatic(opts.staticDir, url.pathname, res);
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
