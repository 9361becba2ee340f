import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { encodeSafetensors } from '../io/safetensors';
import { startBrowserHost } from '../server';
import { raw } from '../test/raw-http';

const TOKEN = 'a-token-of-my-own-choosing';
const auth = { authorization: `Bearer ${TOKEN}` };
const dirs: string[] = [];
const hosts: Awaited<ReturnType<typeof startBrowserHost>>[] = [];
afterEach(async () => {
  for (const h of hosts.splice(0)) await h.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  delete process.env.PLATEAU_UPLOAD_QUOTA_GB;
});
async function start(token: string | undefined = TOKEN) {
  const dir = mkdtempSync(join(tmpdir(), 'plateau-hard-'));
  dirs.push(dir);
  const h = await startBrowserHost({ dataDir: dir, port: 0, token, staticDir: dir, concurrency: 1, threads: 1 });
  hosts.push(h);
  return h;
}
const alive = async (port: number) => (await raw(port, '/healthz')).status === 200;

describe('the browser host survives malformed requests (issue 11, findings 1-2)', () => {
  it('a cookie with broken percent-encoding, without a token: 401, and the host lives', async () => {
    const h = await start();
    for (const name of ['plateau_token', `plateau_token_${h.port}`]) {
      const res = await raw(h.port, '/', { headers: { cookie: `${name}=%E0%A4%A` } });
      expect(res.status).toBe(401);
    }
    expect(await alive(h.port)).toBe(true);
  });

  it('malformed paths and method names: a 4xx naming the problem, never a dead process', async () => {
    const h = await start();
    const cases: [string, string, number, RegExp][] = [
      ['GET', '/%E0%A4%A', 400, /percent-encoding/],
      ['GET', '/%', 400, /percent-encoding/],
      ['GET', '/index.html%00.js', 400, /NUL/],
      ['POST', '/rpc/%E0%A4%A', 400, /method name is not valid percent-encoding/],
      ['POST', '/rpc/__proto__.constructor', 200, /Unknown method '__proto__.constructor'/],
      ['POST', '/rpc/constructor.prototype', 200, /Unknown method/],
    ];
    for (const [method, path, status, message] of cases) {
      const res = await raw(h.port, path, { method, headers: auth, body: method === 'POST' ? '{}' : undefined });
      expect(res.status, `${method} ${path}`).toBe(status);
      expect(res.body, `${method} ${path}`).toMatch(message);
    }
    expect(await alive(h.port)).toBe(true);
  });
});

describe('cross-site requests (finding 3)', () => {
  it('refuses state changes from another origin, a cross-site fetch, or a non-JSON body; accepts our own page', async () => {
    const h = await start(undefined);
    const token = new URL(h.url).searchParams.get('token')!;
    const cookie = `plateau_token_${h.port}=${token}`;
    const attempts: Record<string, string>[] = [
      { cookie, origin: 'http://evil.example', 'content-type': 'text/plain' }, // the finding's exact request
      { cookie, origin: 'http://evil.example', 'content-type': 'application/json' },
      { cookie, origin: `http://127.0.0.1:${h.port + 1}`, 'content-type': 'application/json' }, // another port: same site
      { cookie, origin: 'null', 'content-type': 'application/json' },
      { cookie, 'sec-fetch-site': 'same-site', 'content-type': 'application/json' },
      { cookie, 'sec-fetch-site': 'cross-site', 'content-type': 'application/json' },
      { cookie, origin: `http://127.0.0.1:${h.port}`, 'content-type': 'text/plain' },
      { cookie, 'content-type': 'application/x-www-form-urlencoded' },
    ];
    for (const headers of attempts) {
      const res = await raw(h.port, '/rpc/projects.create', { method: 'POST', body: '{"name":"pwned"}', headers });
      expect(res.status, JSON.stringify(headers)).toBe(403);
    }
    const upload = await raw(h.port, '/upload?name=x.pt', {
      method: 'POST',
      body: 'x',
      headers: { cookie, origin: 'http://evil.example' },
    });
    expect(upload.status).toBe(403);
    expect(h.app.ctx.repos.projects.list()).toEqual([]);
    const ours = await raw(h.port, '/rpc/projects.create', {
      method: 'POST',
      body: '{"name":"mine"}',
      headers: { cookie, origin: `http://127.0.0.1:${h.port}`, 'sec-fetch-site': 'same-origin', 'content-type': 'application/json' },
    });
    expect(JSON.parse(ours.body)).toMatchObject({ ok: true, result: { name: 'mine' } });
  });

  it("two hosts on two ports keep separate cookies: one host's cookie opens nothing on the other", async () => {
    const a = await start(undefined);
    const b = await start(undefined);
    const login = async (h: typeof a) =>
      String((await raw(h.port, `/?token=${new URL(h.url).searchParams.get('token')}`)).headers['set-cookie']).split(';')[0]!;
    const [ca, cb] = [await login(a), await login(b)];
    expect(ca.split('=')[0]).not.toBe(cb.split('=')[0]);
    // a browser sends both cookies to both ports; each host reads its own
    const both = `${ca}; ${cb}`;
    for (const h of [a, b])
      expect((await raw(h.port, '/rpc/projects.list', { method: 'POST', body: '{}', headers: { cookie: both } })).status).toBe(200);
    expect((await raw(b.port, '/rpc/projects.list', { method: 'POST', body: '{}', headers: { cookie: ca } })).status).toBe(401);
  });
});

describe('writes only where the user chose (finding 4)', () => {
  it("reports.export refuses a folder outside the data folder's reports/, and takes a bare name under it", async () => {
    const h = await start();
    const outside = join(dirs[0]!, '..', `plateau-x-${process.pid}`);
    const call = (params: unknown) => raw(h.port, '/rpc/reports.export', { method: 'POST', headers: auth, body: JSON.stringify(params) });
    const p = await h.app.services.projects.create({ name: 'P' });
    const weights = join(dirs[0]!, 'w.safetensors');
    writeFileSync(weights, encodeSafetensors({ 'fc.weight': { shape: [2, 3], data: new Float32Array([1, 2, 3, 4, 5, 6]) } }));
    await h.app.services.imports.start({ projectId: p.id, path: weights });
    await h.app.ctx.jobs.idle();
    for (const outDir of [outside, '/etc/plateau-x', '../../escape', 'reports/../../escape']) {
      const reply = JSON.parse((await call({ projectId: p.id, outDir, formats: ['csv'] })).body);
      expect(reply, outDir).toMatchObject({
        ok: false,
        error: { code: 'InvalidParams', message: expect.stringMatching(/Reports are written under/) },
      });
    }
    expect(existsSync(outside)).toBe(false);
    expect(existsSync('/etc/plateau-x')).toBe(false);
    const ok = JSON.parse((await call({ projectId: p.id, outDir: 'mine', formats: ['csv'] })).body);
    expect(ok.ok).toBe(true);
    expect(ok.result.files.length).toBeGreaterThan(0);
    for (const f of ok.result.files) expect(f.startsWith(join(dirs[0]!, 'reports', 'mine') + '/'), f).toBe(true);
  });

  it('uploads stop at the quota, and a batch is removed once imported', async () => {
    const h = await start();
    process.env.PLATEAU_UPLOAD_QUOTA_GB = String(1000 / 1024 ** 3); // 1000 bytes
    const big = await raw(h.port, '/upload?name=big.bin&batch=aaaaaaaaaaaa', { method: 'POST', headers: auth, body: 'x'.repeat(1500) });
    expect(big.status).toBe(400);
    expect(JSON.parse(big.body).error.message).toMatch(/upload quota/);
    delete process.env.PLATEAU_UPLOAD_QUOTA_GB;
    const file = encodeSafetensors({ 'fc.weight': { shape: [2, 3], data: new Float32Array([1, 2, 3, 4, 5, 6]) } });
    const up = await raw(h.port, '/upload?name=w.safetensors&batch=0123456789ab', { method: 'POST', headers: auth, body: file });
    expect(up.status).toBe(200);
    const { path, dir } = JSON.parse(up.body).result;
    const p = await h.app.services.projects.create({ name: 'U' });
    const run = await h.app.services.runs.get({ id: (await h.app.services.imports.start({ projectId: p.id, path })).id });
    await h.app.ctx.jobs.idle();
    expect((await h.app.services.runs.get({ id: run.id })).status).toBe('imported');
    expect(existsSync(dir)).toBe(false);
    expect(readdirSync(join(dirs[0]!, 'uploads'))).toEqual([]);
  });
});
