import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { afterEach, describe, expect, it } from 'vitest';

/** The Python client against a real `plateau serve`, run by the system Python as a user's script would be. */
const root = resolve(__dirname, '../../..');
const PY = '/usr/bin/python3';
const scripts = join(root, 'resources/python/tests');
const hasPython = spawnSync(PY, ['--version']).status === 0;
const hasTorch = hasPython && spawnSync(PY, ['-c', 'import torch']).status === 0;
if (!hasPython) console.warn(`python-client.test: no ${PY}; the Python client's tests are skipped.`);
else if (!hasTorch) console.warn(`python-client.test: torch is not importable by ${PY}; the torch MLP test is skipped.`);
const dirs: string[] = [];
const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children.splice(0)) c.kill('SIGKILL');
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function tempDir() {
  const d = mkdtempSync(join(tmpdir(), 'plateau-pyclient-'));
  dirs.push(d);
  return d;
}

async function serve(dataDir: string) {
  const child = spawn(
    process.execPath,
    [join(root, 'bin/plateau.mjs'), '--json', '--data-dir', dataDir, 'serve', '--port', '0', '--no-open'],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  children.push(child);
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += d));
  const line = await new Promise<string>((ok, fail) => {
    createInterface({ input: child.stdout! }).once('line', ok);
    child.once('exit', (code) => fail(new Error(`plateau serve exited with ${code}: ${stderr}`)));
  });
  const { url, origin } = JSON.parse(line) as { url: string; origin: string };
  const token = new URL(url).searchParams.get('token')!;
  const call = async <T = unknown>(method: string, params: unknown): Promise<T> => {
    const res = await fetch(`${origin}/rpc/${method}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(params),
    });
    const reply = (await res.json()) as { ok: boolean; result: T; error?: { message: string } };
    if (!reply.ok) throw new Error(`${method}: ${reply.error!.message}`);
    return reply.result;
  };
  return { child, url, call };
}
type Host = Awaited<ReturnType<typeof serve>>;

/** Runs a script of resources/python/tests; resolves with its stdout lines when it exits 0. */
function python(script: string, args: string[], env: Record<string, string>, onLine?: (line: string) => void): Promise<string[]> {
  const child = spawn(PY, [join(scripts, script), ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  const out: string[] = [];
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += d));
  createInterface({ input: child.stdout! }).on('line', (l) => (out.push(l), onLine?.(l)));
  return new Promise((ok, fail) =>
    child.once('exit', (code) => (code === 0 ? ok(out) : fail(new Error(`${script} exited with ${code}: ${stderr}`)))),
  );
}

function sync(dataDir: string, folder: string) {
  const r = spawnSync(process.execPath, [join(root, 'bin/plateau.mjs'), '--json', '--data-dir', dataDir, 'sync', folder], {
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`plateau sync failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as { runId: number; existed: boolean; points: number; checkpoints: number; status: string }[];
}

interface Series {
  key: string;
  split: string;
  layer: string;
  steps: number[];
  values: number[];
}
const series = (host: Host, runId: number, keys: string[]) => host.call<Series[]>('metrics.series', { runIds: [runId], keys });

/** What log_steps.py logs: train_loss 1/(i+1) on train, test_acc i/steps on test, and a 2x2 checkpoint [[3,4],[0,0]] at the last step. */
async function expectCurves(host: Host, runId: number, steps: number) {
  const all = await series(host, runId, ['train_loss', 'test_acc', 'fro_norm']);
  const loss = all.find((s) => s.key === 'train_loss')!;
  const acc = all.find((s) => s.key === 'test_acc')!;
  expect(loss.split).toBe('train');
  expect(loss.steps).toEqual([...Array(steps).keys()]);
  expect(loss.values).toEqual(loss.steps.map((i) => 1 / (i + 1)));
  expect(acc.split).toBe('test');
  expect(acc.values).toEqual(acc.steps.map((i) => i / steps));
  const fro = all.filter((s) => s.key === 'fro_norm');
  expect(fro.map((s) => [s.layer, s.steps])).toEqual([['fc.weight', [steps - 1]]]);
  expect(fro[0].values[0]).toBeCloseTo(5, 6); // ||[[3,4],[0,0]]||_F
}

describe.skipIf(!hasPython)('plateau_client against plateau serve', () => {
  it('unit tests of the client pass (python3 -m unittest)', () => {
    const r = spawnSync(PY, ['-W', 'ignore::ResourceWarning', '-m', 'unittest', 'discover', '-s', scripts], { encoding: 'utf8' });
    expect(r.stderr).toMatch(/OK/);
    expect(r.status).toBe(0);
  }, 60_000);

  it('logs live: every point once, the checkpoint measured, the origin and the ending recorded, no folder left', async () => {
    const dir = tempDir();
    const host = await serve(join(dir, 'data'));
    const out = await python('log_steps.py', ['300', '0'], { PLATEAU_URL: host.url, PLATEAU_DIR: join(dir, 'runs') });
    const { runId, offline } = JSON.parse(out.at(-1)!) as { runId: number; offline: boolean };
    expect(offline).toBe(false);
    await expect
      .poll(async () => (await host.call<{ state: string }[]>('jobs.list', { active: true })).length, { timeout: 30_000 })
      .toBe(0);
    await expectCurves(host, runId, 300);
    const run = await host.call<{ status: string; origin: string; config: { client: { command: string; host: string } } }>('runs.get', {
      id: runId,
    });
    expect(run).toMatchObject({ status: 'succeeded', origin: 'client' });
    expect(run.config.client.command).toContain('log_steps.py 300 0');
    expect(existsSync(join(dir, 'runs')) ? readdirSync(join(dir, 'runs')) : []).toEqual([]);
  }, 120_000);

  it('a host killed mid-run: the client spills, and after a restart plateau sync completes the same run, twice without doubling', async () => {
    const dir = tempDir();
    const data = join(dir, 'data');
    const host = await serve(data);
    let killed = false;
    const out = await python('log_steps.py', ['400', '0.005'], { PLATEAU_URL: host.url, PLATEAU_DIR: join(dir, 'runs') }, (line) => {
      if (!killed && line.includes('"runId"')) {
        killed = true;
        host.child.kill('SIGKILL'); // a quarter in: some points acknowledged, the rest never
      }
    });
    const { runId, offline, folder } = JSON.parse(out.at(-1)!) as { runId: number; offline: boolean; folder: string };
    expect(offline).toBe(true);
    const again = await serve(data);
    const first = sync(data, folder);
    expect(first).toMatchObject([{ runId, existed: true, checkpoints: 1, status: 'succeeded' }]);
    // part of the run reached the host live, the rest only the folder: the sync completes it
    expect(first[0].points).toBeGreaterThan(0);
    expect(first[0].points).toBeLessThan(800);
    await expectCurves(again, runId, 400);
    const second = sync(data, join(dir, 'runs')); // the parent folder: every run in it
    expect(second).toMatchObject([{ runId, existed: true, checkpoints: 0, status: 'succeeded' }]);
    await expectCurves(again, runId, 400);
    const projects = await again.call<{ id: number; name: string }[]>('projects.list', {});
    expect((await again.call<unknown[]>('runs.list', { projectId: projects.find((p) => p.name === 'it')!.id })).length).toBe(1);
  }, 180_000);

  it('finds plateau serve through client-endpoint.json in its data folder (no URL, no token), and not once the host is dead', async () => {
    const dir = tempDir();
    const data = join(dir, 'data');
    const host = await serve(data);
    const endpoint = JSON.parse(readFileSync(join(data, 'client-endpoint.json'), 'utf8')) as { url: string; token: string; pid: number };
    expect(endpoint).toMatchObject({
      url: new URL(host.url).origin,
      token: new URL(host.url).searchParams.get('token'),
      pid: host.child.pid,
    });
    const env = { PLATEAU_HOME: data, PLATEAU_URL: '', PLATEAU_TOKEN: '', PLATEAU_DIR: join(dir, 'runs') };
    const out = await python('log_steps.py', ['60', '0'], env);
    const { runId, offline } = JSON.parse(out.at(-1)!) as { runId: number; offline: boolean };
    expect(offline).toBe(false);
    await expect.poll(async () => (await host.call<unknown[]>('jobs.list', { active: true })).length, { timeout: 30_000 }).toBe(0);
    await expectCurves(host, runId, 60);
    expect(await host.call('runs.get', { id: runId })).toMatchObject({ status: 'succeeded', origin: 'client' });
    host.child.kill('SIGKILL'); // its file stays behind, naming a dead pid: the client must not trust it
    await new Promise((ok) => host.child.once('exit', ok));
    expect(existsSync(join(data, 'client-endpoint.json'))).toBe(true);
    const late = JSON.parse((await python('log_steps.py', ['20', '0'], env)).at(-1)!) as { runId: number | null; offline: boolean };
    expect(late).toMatchObject({ runId: null, offline: true });
  }, 120_000);

  it('a host killed mid-run and restarted (new port, new token): the client finds it again and the run ends live, every point once', async () => {
    const dir = tempDir();
    const data = join(dir, 'data');
    const gate = join(dir, 'go-on');
    let host = await serve(data);
    let phase: 'start' | 'killed' | 'restarting' | 'done' = 'start';
    const env = { PLATEAU_HOME: data, PLATEAU_URL: '', PLATEAU_TOKEN: '', PLATEAU_DIR: join(dir, 'runs') };
    const out = await python('log_steps.py', ['400', '0.005', gate], env, (line) => {
      if (phase === 'start' && line.includes('"runId"')) {
        phase = 'killed';
        host.child.kill('SIGKILL'); // a quarter in: some points acknowledged, the rest spilled
      } else if (phase === 'killed' && line.includes('"offline"')) {
        phase = 'restarting';
        void serve(data).then((h) => (host = h));
      } else if (phase === 'restarting' && line.includes('"live"')) {
        phase = 'done';
        writeFileSync(gate, ''); // back live: the script logs the second half and its checkpoint
      }
    });
    const end = JSON.parse(out.at(-1)!) as { runId: number; offline: boolean; folder: string; recovered: number };
    expect(phase).toBe('done');
    expect(end.offline).toBe(false);
    expect(end.recovered).toBeGreaterThan(0); // points spilled while the host was away, brought in without plateau sync
    expect(existsSync(end.folder)).toBe(false);
    await expect.poll(async () => (await host.call<unknown[]>('jobs.list', { active: true })).length, { timeout: 30_000 }).toBe(0);
    await expectCurves(host, end.runId, 400);
    expect(await host.call('runs.get', { id: end.runId })).toMatchObject({ status: 'succeeded' });
    expect(await host.call<unknown[]>('runs.checkpoints', { id: end.runId })).toHaveLength(1);
    const projects = await host.call<{ id: number; name: string }[]>('projects.list', {});
    expect((await host.call<unknown[]>('runs.list', { projectId: projects.find((p) => p.name === 'it')!.id })).length).toBe(1);
  }, 180_000);

  it('offline, then sync twice: one run with the same points and one measured checkpoint', async () => {
    const dir = tempDir();
    const data = join(dir, 'data');
    const out = await python('log_steps.py', ['50', '0'], { PLATEAU_MODE: 'offline', PLATEAU_DIR: join(dir, 'runs') });
    const { folder, runId } = JSON.parse(out.at(-1)!) as { folder: string; runId: number | null };
    expect(runId).toBeNull();
    const [a] = sync(data, folder);
    const [b] = sync(data, folder);
    expect(a).toMatchObject({ existed: false, points: 100, checkpoints: 1, status: 'succeeded' });
    expect(b).toMatchObject({ runId: a.runId, existed: true, points: 100, checkpoints: 0 });
    const host = await serve(data);
    await expectCurves(host, a.runId, 50);
    expect(await host.call<unknown[]>('runs.checkpoints', { id: a.runId })).toHaveLength(1);
  }, 120_000);

  it.skipIf(!hasTorch)(
    'a torch MLP logged through the client gets the same measures as its checkpoints imported as files',
    async () => {
      const dir = tempDir();
      const data = join(dir, 'data');
      const host = await serve(data);
      const out = await python('train_mlp.py', [dir], { PLATEAU_URL: host.url, PLATEAU_DIR: join(dir, 'runs') });
      const { runId } = JSON.parse(out.at(-1)!) as { runId: number };
      await expect.poll(async () => (await host.call<unknown[]>('jobs.list', { active: true })).length, { timeout: 60_000 }).toBe(0);
      const importOf = (path: string) => {
        const r = spawnSync(
          process.execPath,
          [join(root, 'bin/plateau.mjs'), '--json', '--data-dir', data, 'import', '--project', 'ref', path],
          { encoding: 'utf8' },
        );
        if (r.status !== 0) throw new Error(r.stderr);
        return (JSON.parse(r.stdout) as { run_id: number }).run_id;
      };
      const weightsRun = importOf(join(dir, 'ckpts'));
      const dumpRun = importOf(join(dir, 'features_step10.safetensors'));
      const keys = (await host.call<{ key: string }[]>('metrics.keys', {})).map((k) => k.key);
      const byId = (all: Series[], step: number) =>
        Object.fromEntries(
          all.flatMap((s) => s.steps.flatMap((st, i) => (st === step ? [[`${s.key}/${s.split}/${s.layer}`, s.values[i]]] : []))),
        );
      const client = await series(host, runId, keys);
      const weights = await series(host, weightsRun, keys);
      for (const step of [5, 10]) {
        const got = byId(
          client.filter((s) => s.layer !== ''),
          step,
        );
        const want = byId(weights, step);
        expect(Object.keys(want).length).toBeGreaterThan(8); // fro_norm, spectral_norm, ... of both Linear layers
        expect(got).toEqual(want);
      }
      // the dump's train_loss, measured at the checkpoint, takes the place of the logged one at that step (metrics-repo.ts)
      const dumpWant = byId(await series(host, dumpRun, keys), 0);
      const dumpGot = byId(
        client.filter((s) => s.layer === ''),
        10,
      );
      expect(Object.keys(dumpWant)).toContain('nc1/train/');
      expect(dumpGot).toEqual(dumpWant);
    },
    180_000,
  );
});
