import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { clientEndpointFile } from '../app/paths';
import { encodeSafetensors } from '../io/safetensors';
import { startBrowserHost } from '../server';
import { raw } from '../test/raw-http';
import { testApp } from '../test/test-app';
import { readClientEndpoint, startClientEndpoint } from './client-endpoint';

let t: ReturnType<typeof testApp> | undefined;
const cleanup: (() => unknown)[] = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
  await t?.dispose();
  t = undefined;
});

async function endpoint() {
  t = testApp();
  const e = await startClientEndpoint({ dispatch: t.app.dispatch, bus: t.app.ctx.bus, dataDir: t.dataDir });
  cleanup.push(() => e.close());
  return e;
}
const fileOf = (dataDir: string) =>
  JSON.parse(readFileSync(clientEndpointFile(dataDir), 'utf8')) as { url: string; token: string; pid: number };
const rpc = (port: number, method: string, params: unknown, headers: Record<string, string>) =>
  raw(port, `/rpc/${method}`, { method: 'POST', body: JSON.stringify(params), headers });
/** A pid that surely names no process: a child that has already exited. */
const deadPid = () => spawnSync(process.execPath, ['-e', '0']).pid!;

describe('client endpoint', () => {
  it('advertises a loopback URL and a fresh token in the data folder (0600), answers the contract with it, and goes on close', async () => {
    const e = await endpoint();
    const file = fileOf(t!.dataDir);
    expect(file).toEqual({ url: `http://127.0.0.1:${e.port}`, token: e.token, pid: process.pid });
    expect(e.token).toMatch(/^[A-Za-z0-9_-]{32}$/); // 24 random bytes
    if (process.platform !== 'win32') expect(statSync(clientEndpointFile(t!.dataDir)).mode & 0o777).toBe(0o600);
    const bearer = { authorization: `Bearer ${file.token}` };
    const created = JSON.parse((await rpc(e.port, 'projects.create', { name: 'via-endpoint' }, bearer)).body);
    expect(created).toMatchObject({ ok: true, result: { name: 'via-endpoint' } });
    expect((await t!.client.projects.list({})).map((p) => p.name)).toEqual(['via-endpoint']); // the app's own services
    // the browser host's rules: no token, a foreign page, a non-JSON body, a rebinding Host are all refused
    expect((await rpc(e.port, 'projects.list', {}, {})).status).toBe(401);
    expect((await rpc(e.port, 'projects.list', {}, { ...bearer, origin: 'http://evil.example' })).status).toBe(403);
    expect((await rpc(e.port, 'projects.list', {}, { ...bearer, 'content-type': 'text/plain' })).status).toBe(403);
    expect((await rpc(e.port, 'projects.list', {}, { ...bearer, host: 'evil.example' })).status).toBe(403);
    expect((await raw(e.port, '/', { headers: bearer })).status).toBe(404); // no UI here, the contract only
    await e.close();
    expect(existsSync(clientEndpointFile(t!.dataDir))).toBe(false);
  });

  it('a stale file (its process dead, or not answering) is not trusted and is replaced; a live host keeps its file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'plateau-endpoint-'));
    cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
    const stale = { url: 'http://127.0.0.1:9', token: 'x'.repeat(32), pid: deadPid() };
    writeFileSync(clientEndpointFile(dir), JSON.stringify(stale));
    expect(readClientEndpoint(dir)).toBeNull();
    writeFileSync(clientEndpointFile(dir), '{"url": 1');
    expect(readClientEndpoint(dir)).toBeNull(); // cut short: no endpoint, no exception
    t = testApp();
    writeFileSync(clientEndpointFile(t.dataDir), JSON.stringify(stale));
    const e = await startClientEndpoint({ dispatch: t.app.dispatch, bus: t.app.ctx.bus, dataDir: t.dataDir });
    cleanup.push(() => e.close());
    expect(readClientEndpoint(t.dataDir)).toEqual({ url: e.url, token: e.token, pid: process.pid });
    await e.close();
    // its pid alive but nothing answering at its URL (a pid reused after a crash): replaced too
    const sleeper: ChildProcess = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)']);
    cleanup.push(() => sleeper.kill('SIGKILL'));
    writeFileSync(clientEndpointFile(t.dataDir), JSON.stringify({ ...stale, pid: sleeper.pid! }));
    const third = await startClientEndpoint({ dispatch: t.app.dispatch, bus: t.app.ctx.bus, dataDir: t.dataDir });
    expect(readClientEndpoint(t.dataDir)).toEqual({ url: third.url, token: third.token, pid: process.pid });
    await third.close();
    // another live host holds the file: a second one leaves it alone, and its close does not remove it
    const other: ChildProcess = spawn(process.execPath, [
      '-e',
      "const s = require('node:http').createServer((q, r) => r.end('{}')).listen(0, '127.0.0.1', () => console.log(s.address().port))",
    ]);
    cleanup.push(() => other.kill('SIGKILL'));
    const port = await new Promise<number>((ok) => other.stdout!.once('data', (d) => ok(Number(String(d).trim()))));
    const held = { url: `http://127.0.0.1:${port}`, token: 'y'.repeat(32), pid: other.pid! };
    writeFileSync(clientEndpointFile(t.dataDir), JSON.stringify(held));
    const second = await startClientEndpoint({ dispatch: t.app.dispatch, bus: t.app.ctx.bus, dataDir: t.dataDir });
    expect(readClientEndpoint(t.dataDir)).toEqual(held);
    await second.close();
    expect(readClientEndpoint(t.dataDir)).toEqual(held);
  });

  it('plateau serve (the browser host) advertises its own address and token for its data folder', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'plateau-endpoint-'));
    cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
    const host = await startBrowserHost({ dataDir: dir, port: 0, token: 'a-token-the-user-chose', staticDir: dir });
    cleanup.push(() => host.close());
    expect(fileOf(dir)).toEqual({ url: host.origin, token: 'a-token-the-user-chose', pid: process.pid });
    await host.close();
    expect(existsSync(clientEndpointFile(dir))).toBe(false);
  });

  it("a client's run raises the events the renderer refreshes on, as the app's own runs do", async () => {
    const e = await endpoint();
    const events: { name: string; payload: { runId?: number; state?: string } }[] = [];
    cleanup.push(t!.app.ctx.bus.subscribe((name, payload) => events.push({ name, payload: payload as { runId?: number } })));
    const bearer = { authorization: `Bearer ${e.token}` };
    const call = async <T>(method: string, params: unknown): Promise<T> => {
      const reply = JSON.parse((await rpc(e.port, method, params, bearer)).body) as { ok: boolean; result: T; error?: unknown };
      if (!reply.ok) throw new Error(`${method}: ${JSON.stringify(reply.error)}`);
      return reply.result;
    };
    const origin = { host: 'gpu-box', gitCommit: null, command: 'python train.py', clientVersion: '0.1.0' };
    const { run } = await call<{ run: { id: number; projectId: number } }>('client.start', {
      uid: 'endpoint-events-1',
      project: 'p',
      name: 'r',
      config: {},
      tags: [],
      origin,
    });
    const names = () => events.map((x) => x.name);
    expect(names()).toEqual(['project.updated', 'run.updated']);
    await call('client.log', { runId: run.id, series: [{ key: 'my_loss', split: 'train', steps: [0, 1], values: [2, 1] }] });
    expect(events.at(-1)).toMatchObject({ name: 'run.metrics', payload: { runId: run.id } });
    const bytes = encodeSafetensors({ 'fc.weight': { shape: [2, 2], data: Float32Array.from([3, 4, 0, 0]) } });
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    await call('client.upload', { runId: run.id, sha256, offset: 0, data: Buffer.from(bytes).toString('base64') });
    await call('client.checkpoint', { runId: run.id, step: 1, sha256, bytes: bytes.length });
    await t!.app.ctx.jobs.idle();
    // the checkpoint's measuring job, and the run refreshed when it starts and once its checkpoint is stored (before the job ends)
    const seq = events.filter((x) => x.name !== 'run.metrics').map((x) => `${x.name}${x.payload.state ? ` ${x.payload.state}` : ''}`);
    expect(seq.slice(2)).toEqual(['job.state queued', 'job.state running', 'run.updated', 'run.updated', 'job.state succeeded']);
    expect(events.filter((x) => x.name === 'run.metrics' && x.payload.runId === run.id).length).toBeGreaterThan(1); // logged, then measured
    expect(await t!.client.runs.checkpoints({ id: run.id })).toHaveLength(1);
    events.length = 0;
    await call('client.finish', { runId: run.id, status: 'succeeded' });
    expect(events).toEqual([{ name: 'run.updated', payload: { runId: run.id, projectId: run.projectId } }]);
  });
});
