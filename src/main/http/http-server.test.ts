import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startBrowserHost } from '../server';
import { raw } from '../test/raw-http';

let dir: string;
let host: Awaited<ReturnType<typeof startBrowserHost>> | undefined;
afterEach(async () => {
  await host?.close();
  host = undefined;
  rmSync(dir, { recursive: true, force: true });
});
const start = async (token?: string) => {
  dir = mkdtempSync(join(tmpdir(), 'plateau-http-'));
  host = await startBrowserHost({ dataDir: dir, port: 0, token, staticDir: dir });
  return host;
};

describe('browser host', () => {
  it('answers /healthz without a token, everything else only with it', async () => {
    const h = await start('a-token-of-my-own-choosing');
    expect((await raw(h.port, '/healthz')).status).toBe(200);
    expect((await raw(h.port, '/rpc/projects.list', { method: 'POST', body: '{}' })).status).toBe(401);
    const ok = await raw(h.port, '/rpc/projects.list', {
      method: 'POST',
      body: '{}',
      headers: { authorization: 'Bearer a-token-of-my-own-choosing' },
    });
    expect(JSON.parse(ok.body)).toEqual({ ok: true, result: [] });
  });

  it('sends metrics.series, read and encoded in the reader worker, as the JSON reply it is', async () => {
    const h = await start('a-token-for-the-series-test');
    const { repos } = h.app.ctx;
    const run = repos.runs.create({ projectId: repos.projects.create('P').id, name: 'r', config: {}, status: 'succeeded' });
    repos.metrics.insertMany(
      run.id,
      [1, 2, 3].map((step) => ({ step, epoch: step, split: 'train' as const, key: 'train_loss', value: 1 / step })),
    );
    const call = (body: object) =>
      raw(h.port, '/rpc/metrics.series', {
        method: 'POST',
        body: JSON.stringify(body),
        headers: { authorization: 'Bearer a-token-for-the-series-test' },
      });
    const res = await call({ runIds: [run.id], keys: ['train_loss'] });
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(JSON.parse(res.body)).toEqual({
      ok: true,
      result: [
        { runId: run.id, key: 'train_loss', split: 'train', layer: '', steps: [1, 2, 3], epochs: [1, 2, 3], values: [1, 0.5, 1 / 3] },
      ],
    });
    expect(JSON.parse((await call({ runIds: [], keys: ['train_loss'] })).body)).toMatchObject({
      ok: false,
      error: { code: 'InvalidParams' },
    });
  });

  it('trades ?token= for an HttpOnly cookie and drops it from the URL', async () => {
    const h = await start();
    const res = await raw(h.port, `/runs?token=${encodeURIComponent(new URL(h.url).searchParams.get('token')!)}`);
    expect(res.status).toBe(302);
    expect(res.headers.location).toBe('/runs');
    const cookie = String(res.headers['set-cookie']);
    expect(cookie).toMatch(new RegExp(`^plateau_token_${h.port}=[\\w-]+; HttpOnly; SameSite=Strict`));
    const page = await raw(h.port, '/', { headers: { cookie: cookie.split(';')[0] } });
    expect(page.status).toBe(503); // authorised; this test serves an empty folder, so the UI is "not built"
    expect(page.body).toContain('not built');
  });

  it('refuses a foreign Host header on loopback (DNS rebinding)', async () => {
    const h = await start('a-token-of-my-own-choosing');
    const res = await raw(h.port, '/rpc/projects.list', {
      method: 'POST',
      body: '{}',
      headers: { host: 'evil.example:80', authorization: 'Bearer a-token-of-my-own-choosing' },
    });
    expect(res.status).toBe(403);
  });

  it('answers bad JSON with InvalidParams', async () => {
    const h = await start('a-token-of-my-own-choosing');
    const res = await raw(h.port, '/rpc/projects.create', {
      method: 'POST',
      body: '{name:',
      headers: { authorization: 'Bearer a-token-of-my-own-choosing' },
    });
    expect(res.status).toBe(400);
    expect(JSON.parse(res.body).error).toMatchObject({ code: 'InvalidParams' });
  });

  it('streams events over SSE', async () => {
    const h = await start('a-token-of-my-own-choosing');
    const got = new Promise<string>((resolve) => {
      const req = request(
        { host: '127.0.0.1', port: h.port, path: '/rpc/events', headers: { authorization: 'Bearer a-token-of-my-own-choosing' } },
        (res) => {
          let buf = '';
          res.on('data', (c) => {
            buf += c;
            if (buf.includes('project.updated')) {
              resolve(buf);
              req.destroy();
            }
          });
        },
      );
      req.end();
    });
    await new Promise((r) => setTimeout(r, 50));
    await raw(h.port, '/rpc/projects.create', {
      method: 'POST',
      body: '{"name":"x"}',
      headers: { authorization: 'Bearer a-token-of-my-own-choosing' },
    });
    expect(await got).toMatch(/event: project.updated\ndata: \{"projectId":1\}/);
  });

  it('receives dropped files into uploads/, with safe names, only with the token', async () => {
    const h = await start('a-token-of-my-own-choosing');
    const auth = { authorization: 'Bearer a-token-of-my-own-choosing' };
    expect((await raw(h.port, '/upload?name=x.pt', { method: 'POST', body: 'data' })).status).toBe(401);
    const up = await raw(h.port, '/upload?name=..%2F..%2Fevil%20name.pt&batch=0123456789ab', {
      method: 'POST',
      body: 'checkpoint bytes',
      headers: auth,
    });
    expect(up.status).toBe(200);
    const { path, dir, bytes } = JSON.parse(up.body).result;
    expect(path).toBe(join(dir, 'evil_name.pt'));
    expect(dir).toBe(join(h.app.ctx.dataDir, 'uploads', '0123456789ab'));
    expect(bytes).toBe(16);
    expect(readFileSync(path, 'utf8')).toBe('checkpoint bytes');
    const bad = await raw(h.port, '/upload?name=a.pt&batch=../../x', { method: 'POST', body: 'x', headers: auth });
    expect(bad.status).toBe(400);
    expect(JSON.parse(bad.body).error.message).toMatch(/batch must be 12 hex digits/);
  });

  it('hands out report files under reports/ as downloads, only with the token, and nothing outside', async () => {
    const h = await start('a-token-of-my-own-choosing');
    const auth = { authorization: 'Bearer a-token-of-my-own-choosing' };
    const reports = join(h.app.ctx.dataDir, 'reports', 'my report');
    mkdirSync(reports, { recursive: true });
    writeFileSync(join(reports, 'runs.csv'), 'run,kappa\n1,0.5\n');
    writeFileSync(join(h.app.ctx.dataDir, 'secret.txt'), 'the secret bytes');
    symlinkSync(join(h.app.ctx.dataDir, 'secret.txt'), join(reports, 'link.csv'));
    expect((await raw(h.port, '/reports/my%20report/runs.csv')).status).toBe(401);
    const ok = await raw(h.port, '/reports/my%20report/runs.csv', { headers: auth });
    expect(ok.status).toBe(200);
    expect(ok.body).toBe('run,kappa\n1,0.5\n');
    expect(ok.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(ok.headers['content-disposition']).toMatch(/^attachment; filename="runs.csv"/);
    for (const path of [
      '/reports/..%2Fsecret.txt',
      '/reports/my%20report/link.csv',
      `/reports/${encodeURIComponent(join(h.app.ctx.dataDir, 'secret.txt'))}`,
    ]) {
      const bad = await raw(h.port, path, { headers: auth });
      expect(bad.status, path).toBe(400);
      expect(bad.body).not.toContain('the secret bytes');
    }
    expect((await raw(h.port, '/reports/my%20report/none.csv', { headers: auth })).status).toBe(404);
    expect((await raw(h.port, '/reports/my%20report', { headers: auth })).status).toBe(400);
    expect((await raw(h.port, '/reports/my%20report/runs.csv', { method: 'POST', headers: auth })).status).toBe(405);
  });

  it("will not bind beyond loopback without a token of the user's choosing", async () => {
    dir = mkdtempSync(join(tmpdir(), 'plateau-http-'));
    await expect(startBrowserHost({ dataDir: dir, host: '0.0.0.0', port: 0 })).rejects.toThrow(
      /Refusing to listen on 0.0.0.0 without an access token/,
    );
  });
});
