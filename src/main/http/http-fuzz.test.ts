import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { contract } from '../../shared/api/contract';
import { createRng, type Rng } from '../ml/data/prng';
import { startBrowserHost } from '../server';

/**
 * A standing fuzz of the browser host's request handling (issue 11): seeded random requests, raw on the
 * socket (so framing, headers and encodings can be anything), half of them authenticated so they reach
 * the dispatcher and the services. Every request must get an answer below 500, or a closed connection
 * for a malformed one, and the host must still answer afterwards. PLATEAU_FUZZ_REQUESTS raises the count.
 */
const COUNT = Number(process.env.PLATEAU_FUZZ_REQUESTS ?? 3000);
const SEED = Number(process.env.PLATEAU_FUZZ_SEED ?? 11);
const TOKEN = 'fuzz-token-of-sufficient-length';

const METHODS = Object.entries(contract).flatMap(([ns, m]) => Object.keys(m).map((k) => `${ns}.${k}`));
const NASTY = [
  '',
  ' ',
  '%',
  '%E0%A4%A',
  '%00',
  '\u0000',
  '__proto__',
  'constructor',
  'prototype',
  '../../etc/passwd',
  'é',
  '\u{1F600}',
  '%2e%2e%2f',
  'x'.repeat(5000),
  'toString',
  'hasOwnProperty',
  '\r\n',
  '"',
  "'",
  '{',
  'null',
  '-1',
  '1e309',
  'NaN',
];
const FIELDS = [
  'id',
  'projectId',
  'name',
  'preset',
  'outDir',
  'runIds',
  'keys',
  'kind',
  'purpose',
  'split',
  'maxPoints',
  'step',
  'key',
  'layer',
  'formats',
  'checkpoints',
  'a',
  'b',
  'add',
  'remove',
  'seeds',
  'set',
  'config',
  'jobs',
  'threads',
  'active',
  '__proto__',
  'constructor',
];

const pick = <T>(rng: Rng, xs: readonly T[]): T => xs[rng.int(xs.length)]!;
const char = (rng: Rng) => {
  const c = rng.int(rng.next() < 0.9 ? 128 : 0xffff);
  return String.fromCharCode(c >= 0xd800 && c < 0xe000 ? c - 0x800 : c); // no lone surrogates: they are not text
};
const junk = (rng: Rng, n = rng.int(24)) => Array.from({ length: n }, () => char(rng)).join('');
const str = (rng: Rng) => (rng.next() < 0.5 ? pick(rng, NASTY) : junk(rng));

function value(rng: Rng, depth = 0): unknown {
  const r = rng.int(depth > 3 ? 5 : 8);
  if (r === 0) return rng.int(5) - 1;
  if (r === 1) return pick(rng, [0, -0, 1.5, 1e308, -1e308, 2 ** 53 + 1, 1e-320]);
  if (r === 2) return str(rng);
  if (r === 3) return pick(rng, [null, true, false]);
  if (r === 4) return [];
  if (r === 5) return Array.from({ length: rng.int(4) }, () => value(rng, depth + 1));
  return Object.fromEntries(Array.from({ length: rng.int(4) }, () => [pick(rng, FIELDS), value(rng, depth + 1)]));
}

function body(rng: Rng): string {
  const r = rng.int(6);
  if (r === 0) return '';
  if (r === 1) return junk(rng, rng.int(200));
  if (r === 2) return '['.repeat(3000 + rng.int(3000)); // deep nesting
  return JSON.stringify(value(rng));
}

function path(rng: Rng, token: string): string {
  const r = rng.int(8);
  const method = rng.next() < 0.7 ? pick(rng, METHODS) : `${str(rng)}.${str(rng)}`;
  const raw = rng.next() < 0.5 ? method : encodeURIComponent(method);
  if (r <= 3) return `/rpc/${raw.replace(/[\s\0]/g, '%20')}`;
  if (r === 4) return pick(rng, ['/', '/healthz', '/rpc/events', '/rpc/', '/rpc', '//', `/?token=${rng.next() < 0.5 ? token : junk(rng)}`]);
  if (r === 5) return `/upload?name=${encodeURIComponent(str(rng))}&batch=${pick(rng, ['0123456789ab', junk(rng), '../x'])}`;
  return `/${pick(rng, NASTY).replace(/[\s\0]/g, '%00')}${rng.next() < 0.3 ? '?token=%' : ''}`;
}

/** One request's bytes; about half carry everything a same-origin page would send. */
function request(rng: Rng, port: number): { text: string; framed: boolean } {
  const good = rng.next() < 0.5;
  const verb = pick(
    rng,
    good ? ['POST', 'POST', 'GET'] : ['GET', 'POST', 'HEAD', 'PUT', 'DELETE', 'OPTIONS', 'PATCH', junk(rng, 5).replace(/\W/g, '') || 'X'],
  );
  const b = verb === 'GET' || verb === 'HEAD' ? '' : body(rng);
  const headers: string[] = [];
  const maybe = (p: number, h: string) => {
    if (rng.next() < p) headers.push(h);
  };
  headers.push(
    `Host: ${good ? `127.0.0.1:${port}` : pick(rng, [`127.0.0.1:${port}`, 'evil.example', '', `[::1]:${port}`, junk(rng).replace(/[\r\n]/g, '')])}`,
  );
  if (good) headers.push(`Authorization: Bearer ${TOKEN}`, 'Content-Type: application/json', `Origin: http://127.0.0.1:${port}`);
  else {
    maybe(
      0.4,
      `Cookie: ${pick(rng, ['plateau_token', `plateau_token_${port}`, 'x'])}=${pick(rng, [TOKEN, '%E0%A4%A', junk(rng), ''])}${rng.next() < 0.3 ? ';;;=;' : ''}`,
    );
    maybe(0.3, `Authorization: ${pick(rng, [`Bearer ${TOKEN}`, 'Bearer ', 'Basic eDp5', junk(rng)])}`);
    maybe(0.3, `Origin: ${pick(rng, ['http://evil.example', 'null', `http://127.0.0.1:${port}`, junk(rng)])}`);
    maybe(0.3, `Content-Type: ${pick(rng, ['application/json', 'text/plain', 'multipart/form-data', junk(rng)])}`);
    maybe(0.2, `Sec-Fetch-Site: ${pick(rng, ['cross-site', 'same-site', 'same-origin', 'none'])}`);
  }
  const framed = rng.next() < 0.9;
  headers.push(`Content-Length: ${framed ? Buffer.byteLength(b) : rng.int(50)}`, 'Connection: close');
  const line = `${verb} ${path(rng, TOKEN).replace(/[\r\n ]/g, '%20')} HTTP/1.1`;
  return { text: `${line}\r\n${headers.map((h) => h.replace(/[\r\n]/g, '')).join('\r\n')}\r\n\r\n${b}`, framed };
}

/**
 * Sends the bytes, returns the status code, or 0 when the host closed the connection without one. The
 * write side stays open as a browser's does (Node's server drops a half-closed request unanswered); a
 * request whose body is shorter than it declared is half-closed after a moment, as a client that gave up.
 */
function send(port: number, text: string, framed = true): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    let got = '';
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no answer within 5 s to: ${text.slice(0, 200)}`));
    }, 5000);
    socket.on('data', (c) => {
      got += c.toString('latin1');
      if (got.includes('\r\n\r\n')) socket.destroy(); // the status and headers are the answer (an event stream never ends)
    });
    socket.on('error', () => {}); // a reset after a refused request is an answer too
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(Number(/^HTTP\/1\.1 (\d{3})/.exec(got)?.[1] ?? 0));
    });
    socket.write(text);
    if (!framed) setTimeout(() => socket.end(), 100);
  });
}

describe('fuzzing the browser host', () => {
  let dir: string;
  let host: Awaited<ReturnType<typeof startBrowserHost>>;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'plateau-fuzz-'));
    writeFileSync(join(dir, 'index.html'), '<!doctype html><title>Plateau</title>');
    host = await startBrowserHost({ dataDir: dir, port: 0, token: TOKEN, staticDir: dir, concurrency: 1, threads: 1 });
  });
  afterAll(async () => {
    await host?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it(`answers ${COUNT} seeded random requests below 500 and stays up`, async () => {
    const errors = vi.spyOn(console, 'error').mockImplementation(() => {});
    const rng = createRng(SEED);
    const bad: string[] = [];
    const statuses = new Map<number, number>();
    for (let i = 0; i < COUNT; i++) {
      const { text, framed } = request(rng, host.port);
      const status = await send(host.port, text, framed);
      statuses.set(status, (statuses.get(status) ?? 0) + 1);
      if (status >= 500 || (status === 0 && framed)) bad.push(`${status}: ${text.slice(0, 300)}`);
    }
    const internal = errors.mock.calls.map((c) => String(c[0]).slice(0, 300));
    errors.mockRestore();
    console.log(`http fuzz: ${COUNT} requests (seed ${SEED}), statuses ${JSON.stringify(Object.fromEntries(statuses))}`);
    expect(bad.map((b) => b.split('\r\n')[0])).toEqual([]);
    expect(internal).toEqual([]); // nothing escaped into the last-resort log or the dispatcher's Internal path
    expect(await send(host.port, `GET /healthz HTTP/1.1\r\nHost: 127.0.0.1:${host.port}\r\nConnection: close\r\n\r\n`)).toBe(200);
  }, 240_000);
});
