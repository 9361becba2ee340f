import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/** One cookie per port: cookies ignore ports, so two hosts on one machine must not overwrite each other's. */
export const cookieName = (port: number) => `plateau_token_${port}`;

export const newToken = () => randomBytes(24).toString('base64url');

export const isLoopback = (host: string) => host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);

/** Our tokens are base64url, so the cookie value is compared as sent: nothing to decode, nothing to throw. */
function cookieToken(req: IncomingMessage, port: number): string | undefined {
  const name = cookieName(port);
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

const same = (a: string, b: string) => {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};

/** The token from `Authorization: Bearer`, the cookie, or (first page load only) `?token=`. */
export function presentedToken(req: IncomingMessage, url: URL, port: number): { token?: string; fromQuery: boolean } {
  const auth = req.headers.authorization;
  if (auth?.startsWith('Bearer ')) return { token: auth.slice(7), fromQuery: false };
  const c = cookieToken(req, port);
  if (c) return { token: c, fromQuery: false };
  const q = url.searchParams.get('token');
  return q ? { token: q, fromQuery: true } : { fromQuery: false };
}

export const tokenMatches = (presented: string | undefined, token: string) => presented !== undefined && same(presented, token);

/**
 * DNS-rebinding guard: on a loopback bind, the Host header must name a loopback address, so a web page
 * that points its own domain at 127.0.0.1 cannot talk to us even if it learned the port.
 */
export function hostAllowed(req: IncomingMessage, boundHost: string): boolean {
  if (!isLoopback(boundHost)) return true;
  const host = (req.headers.host ?? '').replace(/:\d+$/, '').replace(/^\[|\]$/g, '');
  return isLoopback(host);
}

/**
 * CSRF guard for every request that can change state (anything but GET/HEAD). SameSite=Strict does not
 * help: a page on another port of 127.0.0.1 is the same site. So the request must come from our own
 * origin (Origin, else Sec-Fetch-Site), and RPC bodies must be JSON, which a cross-origin page cannot send
 * without a CORS preflight that we never answer. Clients outside a browser (CLI, scripts) send neither
 * header and authenticate with a bearer token a page cannot attach. Returns why it is refused, or null.
 */
export function crossSiteRefusal(req: IncomingMessage, json: boolean): string | null {
  if (req.method === 'GET' || req.method === 'HEAD') return null;
  const origin = req.headers.origin;
  if (origin !== undefined && origin !== `http://${req.headers.host ?? ''}`) return `Requests from ${origin} are not accepted.`;
  const site = req.headers['sec-fetch-site'];
  if (origin === undefined && site !== undefined && site !== 'same-origin' && site !== 'none')
    return `Cross-site requests (${site}) are not accepted.`;
  if (json && !/^application\/json\s*(;|$)/i.test(req.headers['content-type'] ?? ''))
    return 'RPC requests must have Content-Type: application/json.';
  return null;
}

export const cookieHeader = (token: string, port: number) => `${cookieName(port)}=${token}; HttpOnly; SameSite=Strict; Path=/`;
