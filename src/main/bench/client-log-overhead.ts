import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { BenchCase } from './bench-case';
import { benchHost, pythonPackageDir } from './client-host';
import { PYTHON } from './torch-reference';

const CALLS = 100_000;

/**
 * Times run.log in a training loop's place (4 scalars a call) against a live host in this process, and a
 * hand-written JSON-lines logger (json.dumps + write per call) as the plain-Python peer.
 */
const SCRIPT = `
import json, os, sys, tempfile, time
sys.path.insert(0, sys.argv[1])
import plateau_client as plateau
url, token, n = sys.argv[2], sys.argv[3], int(sys.argv[4])
tmp = tempfile.mkdtemp()
run = plateau.init(project='bench', name='log-overhead', url=url, token=token, dir=tmp)
row = lambda i: {'train_loss': 1.0 / (i + 1), 'test_loss': 2.0 / (i + 1), 'train_acc': i / n, 'test_acc': i / (2 * n)}
for i in range(1000):
    run.log(row(i), step=i)
rows = [row(i) for i in range(n)]
t = time.perf_counter()
for i in range(n):
    run.log(rows[i], step=1000 + i)
dt = time.perf_counter() - t
t = time.perf_counter()
run.finish()
fin = time.perf_counter() - t
with open(os.path.join(tmp, 'peer.jsonl'), 'w') as f:
    t = time.perf_counter()
    for i in range(n):
        f.write(json.dumps(dict(rows[i], step=i)) + '\\n')
    peer = time.perf_counter() - t
print(json.dumps({'us': dt / n * 1e6, 'peer_us': peer / n * 1e6, 'finish_s': fin, 'offline': run.offline, 'run_id': run.run_id}))
`;

function runPython(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(PYTHON, ['-c', SCRIPT, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`${PYTHON} exited with ${code}: ${err.trim()}`))));
  });
}

export const clientLogOverheadBench: BenchCase = {
  name: 'client_log_overhead',
  unit: 'us/call',
  target: '< 50 us per run.log call (live, Python side)',
  async run(log) {
    if (!existsSync(PYTHON)) {
      log(`no ${PYTHON}: the Python client cannot be timed here`);
      return { value: NaN };
    }
    const host = await benchHost('client-log');
    try {
      // spawned, not run synchronously: the host answers from this process's event loop meanwhile
      const r = JSON.parse((await runPython([pythonPackageDir(), host.origin, host.token, String(CALLS)])).trim().split('\n').pop()!);
      if (r.offline) throw new Error('the client fell back to offline: the figures would not be of live mode');
      const stored = host.app.ctx.repos.metrics.keysOf(r.run_id).reduce((n, k) => n + k.n, 0);
      log(
        `${CALLS} run.log calls of 4 scalars: ${r.us.toFixed(2)} us each; finish (drain) ${r.finish_s.toFixed(2)} s; ${stored} points stored`,
      );
      log(`peer, json.dumps + write per call: ${r.peer_us.toFixed(2)} us`);
      if (stored !== 4 * (CALLS + 1000)) throw new Error(`the host stored ${stored} points, not ${4 * (CALLS + 1000)}`);
      return {
        value: Number(r.us.toFixed(2)),
        extra: {
          peer_jsonl_us: Number(r.peer_us.toFixed(2)),
          ratio: Number((r.us / r.peer_us).toFixed(3)),
          drain_s: Number(r.finish_s.toFixed(2)),
        },
      };
    } finally {
      await host.close();
    }
  },
};
