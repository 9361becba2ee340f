import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

export const COOKIE = 'plateau_token';

export const newToken = () => randomBytes(24).toString('base64url');

export const isLoopback = (host: string) => host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);

function cookieToken(req: IncomingMessage): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === COOKIE) return decodeURIComponent(v.join('='));
  }
  return undefined;
}

const same = (a: string, b: string) => {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};

/** The token from `Authorization: Bearer`, the cookie, or (first page load only) `?token=`. */
export function presentedToken(req: IncomingMessage, url: URL): { token?: string; fromQuery: boolean } {
  const auth = req.headers.authorization;
  if (auth?.startsWith('Bearer ')) return { token: auth.slice(7), fromQuery: false };
  const c = cookieToken(req);
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

export const cookieHeader = (token: string) => `${COOKIE}=${encodeURIComponent(token)}; HttpOnly; SameSite=Strict; Path=/`;
