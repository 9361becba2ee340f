import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TrainConfig } from '../../shared/domain/train-config';
import type { EpochPoint, Nc1Point } from './terminal-phase';
import { PYTHON } from './torch-reference';

/**
 * NC1 as METRICS.md defines it, in torch float64: Tr(Sigma_W Sigma_B^+) / C with Sigma_B^+ on the top C - 1
 * right singular vectors of the centred class means (the C x m route, never an m x m inverse); classes
 * absent from the labels are left out.
 */
export const NC1_PY = String.raw`
def nc1(phi, y):
    phi = phi.double(); present = torch.unique(y); C = len(present)
    mu = torch.stack([phi[y == c].mean(0) for c in present])
    S, V = torch.linalg.svd(mu - mu.mean(0), full_matrices=False)[1:]
    k = int(((S[:C - 1] ** 2) > 1e-10 * S[0] ** 2).sum()); S, V = S[:k], V[:k]
    slot = torch.searchsorted(present, y)
    return float((((phi - mu[slot]) @ V.T) ** 2).mean(0).mul(C / S ** 2).sum() / C)
`;

/**
 * The nc-fashion-mnist recipe in PyTorch (CPU), read from the validated config so both sides run the same
 * thing: ReLU MLP with Plateau's init (N(0, sqrt(2)/sqrt(fan_in)) weights on every layer, zero biases),
 * SGD (PyTorch's, coupled L2) / Adam / AdamW, Plateau's constant / cosine / step schedule per update,
 * shuffled minibatches, the full training split evaluated every epoch, and NC1 (METRICS.md: float64,
 * Sigma_B^+ on the top C-1 directions of the centred class means) at the checkpoint epochs given.
 * Prints one JSON line: the epoch log (train accuracy, seconds) and NC1 per checkpoint (and each epoch's as it ends on stderr).
 */
export const NC_TORCH_SCRIPT = String.raw`
import gzip, json, math, os, sys, time
import numpy as np, torch, torch.nn.functional as F
cfg = json.load(open(sys.argv[1])); torch.set_num_threads(int(sys.argv[2])); torch.manual_seed(cfg['seed'])
def idx(name):
    p = os.path.join(cfg['dir'], name)
    b = gzip.open(p + '.gz').read() if os.path.exists(p + '.gz') else open(p, 'rb').read()
    nd = b[3]; dims = [int.from_bytes(b[4 + 4 * i:8 + 4 * i], 'big') for i in range(nd)]
    return np.frombuffer(b, np.uint8, offset=4 + 4 * nd).reshape(dims)
X = torch.from_numpy(idx('train-images-idx3-ubyte').reshape(-1, 784).astype(np.float32) / 255)
Y = torch.from_numpy(idx('train-labels-idx1-ubyte').astype(np.int64))
X, Y = X[:cfg.get('trainSize') or len(X)], Y[:cfg.get('trainSize') or len(Y)]
n, C = len(X), int(Y.max()) + 1
dims = [X.shape[1]] + cfg['hidden'] + [C]
Ws = [torch.nn.Parameter(torch.randn(dims[i + 1], dims[i]) * math.sqrt(2 / dims[i])) for i in range(len(dims) - 1)]
bs = [torch.nn.Parameter(torch.zeros(d)) for d in dims[1:]]
def features(x):
    for W, b in zip(Ws[:-1], bs[:-1]): x = torch.relu(F.linear(x, W, b))
    return x
o, params = cfg['optimizer'], Ws + bs
if o['kind'] == 'sgd': opt = torch.optim.SGD(params, lr=o['lr'], momentum=o['momentum'], nesterov=o['nesterov'], weight_decay=o['weightDecay'])
else: opt = (torch.optim.Adam if o['kind'] == 'adam' else torch.optim.AdamW)(params, lr=o['lr'], betas=(o['beta1'], o['beta2']), eps=o['eps'], weight_decay=o['weightDecay'])
batch = n if cfg['batchSize'] == 'full' else cfg['batchSize']
spe = math.ceil(n / batch); total = spe * cfg['epochs']; s = cfg['schedule']; warm = s.get('warmupSteps', 0)
def lr_at(k):
    if s['kind'] == 'constant': return o['lr']
    if k < warm: return o['lr'] * min(1, (k + 1) / warm)
    if s['kind'] == 'linear-warmup': return o['lr']
    if s['kind'] == 'step': return o['lr'] * s['gamma'] ** ((k - warm) // s['stepSize'])
    p = min(1, (k - warm) / max(1, total - warm))
    return o['lr'] * (s['minFactor'] + (1 - s['minFactor']) * 0.5 * (1 + math.cos(math.pi * p)))
${NC1_PY}ckpt = set(cfg['checkpointEpochs']); log, ncs = [], []
t0 = time.perf_counter(); k = 0
for epoch in range(1, cfg['epochs'] + 1):
    perm = torch.randperm(n)
    for j in range(spe):
        i = perm[j * batch:(j + 1) * batch]
        for g in opt.param_groups: g['lr'] = lr_at(k)
        opt.zero_grad(); F.cross_entropy(F.linear(features(X[i]), Ws[-1], bs[-1]), Y[i]).backward(); opt.step(); k += 1
    with torch.no_grad():
        phi = torch.cat([features(X[j:j + 8192]) for j in range(0, n, 8192)])
        acc = float((F.linear(phi, Ws[-1], bs[-1]).argmax(1) == Y).double().mean())
        log.append({'epoch': epoch, 'trainAcc': acc, 'seconds': time.perf_counter() - t0})
        if epoch in ckpt: ncs.append({'epoch': epoch, 'nc1': nc1(phi, Y)})
        print(json.dumps({**log[-1], **(ncs[-1] if ncs and ncs[-1]['epoch'] == epoch else {})}), file=sys.stderr, flush=True)
print(json.dumps({'seconds': time.perf_counter() - t0, 'epochs': log, 'nc1': ncs}))
`;

export interface TorchNcResult {
  seconds: number;
  epochs: EpochPoint[];
  nc1: Nc1Point[];
}

/**
 * Runs the recipe of a validated MLP config in PyTorch; null (with the reason logged) when torch is missing
 * or the run fails: the reference is optional, never the bench.
 */
export function torchNcRun(
  config: TrainConfig,
  checkpointEpochs: number[],
  threads: number,
  log: (line: string) => void,
  timeoutS = 3600,
): TorchNcResult | null {
  const { dataset, model, optimizer, schedule, epochs, batchSize, seed } = config;
  if (
    model.kind !== 'mlp' ||
    model.activation !== 'relu' ||
    !model.bias ||
    model.initScale !== 1 ||
    dataset.kind !== 'idx' ||
    dataset.classBalanced
  )
    throw new Error('the PyTorch nc reference runs a ReLU MLP (biases, default init) on IDX data (the first trainSize rows)');
  try {
    execFileSync(PYTHON, ['-c', 'import torch'], { stdio: 'ignore', timeout: 60_000 });
  } catch {
    log(`PyTorch not available ('${PYTHON} -c "import torch"' failed): no reference`);
    return null;
  }
  const dir = mkdtempSync(join(tmpdir(), 'plateau-bench-nc-torch-'));
  try {
    const file = join(dir, 'recipe.json');
    const recipe = { dir: dataset.dir, trainSize: dataset.trainSize, hidden: model.hidden, optimizer, schedule, epochs, batchSize, seed };
    writeFileSync(file, JSON.stringify({ ...recipe, checkpointEpochs }));
    const out = execFileSync(PYTHON, ['-c', NC_TORCH_SCRIPT, file, String(threads)], {
      encoding: 'utf8',
      timeout: timeoutS * 1000,
      maxBuffer: 64 * 1024 * 1024,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return JSON.parse(out.trim().split('\n').pop()!) as TorchNcResult;
  } catch (err) {
    log(`PyTorch reference failed: ${(err as Error).message.split('\n')[0]}`);
    return null;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
