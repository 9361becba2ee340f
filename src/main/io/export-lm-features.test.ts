import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { computeEvalSetMetrics } from '../ml/metrics/eval-sets';
import { openDumpSet } from './lm-dump-set';
import { parseNpy } from './npy';

// resources/python/export_features.py `lm` end to end, on a tiny GPT-like module written here (embedding,
// one pre-norm attention + MLP block, final LayerNorm, lm_head). Independent routes: the features from a
// direct forward pass up to the final norm (no hook), and a float64 NumPy oracle of the per-set metrics.
const PYTHON = '/usr/bin/python3';
const SCRIPT_DIR = resolve(__dirname, '../../../resources/python');
const ROOT = resolve(__dirname, '../../..');
const hasTorch = (() => {
  try {
    execFileSync(PYTHON, ['-c', 'import torch, numpy'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

const dir = mkdtempSync(join(tmpdir(), 'plateau-export-lm-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const MODEL = `
import torch
class Block(torch.nn.Module):
    def __init__(s, d, h):
        super().__init__()
        s.ln1, s.ln2 = torch.nn.LayerNorm(d), torch.nn.LayerNorm(d)
        s.attn = torch.nn.MultiheadAttention(d, h, batch_first=True)
        s.mlp = torch.nn.Sequential(torch.nn.Linear(d, 4 * d), torch.nn.GELU(), torch.nn.Linear(4 * d, d))
    def forward(s, x):
        T = x.shape[1]
        mask = torch.triu(torch.ones(T, T, dtype=torch.bool), 1)
        a = s.ln1(x)
        x = x + s.attn(a, a, a, attn_mask=mask, need_weights=False)[0]
        return x + s.mlp(s.ln2(x))
class TinyGPT(torch.nn.Module):
    def __init__(s, V=256, d=24, T=32):
        super().__init__()
        s.wte, s.wpe = torch.nn.Embedding(V, d), torch.nn.Embedding(T, d)
        s.block, s.ln_f, s.lm_head = Block(d, 2), torch.nn.LayerNorm(d), torch.nn.Linear(d, V)
    def forward(s, ids):
        pos = torch.arange(ids.shape[1])
        return s.lm_head(s.ln_f(s.block(s.wte(ids) + s.wpe(pos))))
def build():
    torch.manual_seed(0)
    return TinyGPT()
`;

// The reference: windows cut here, features by calling the layers directly, metrics in float64 NumPy.
const DRIVER = `
import json, sys, numpy as np, torch
sys.path.insert(0, sys.argv[1])
from tiny_gpt import build
out, T = sys.argv[2], 16
model = build().eval()
ref = {}
for name in ('en', 'de'):
    ids = list(open(f'{out}/{name}.txt', encoding='utf-8').read().encode('utf-8'))
    feats, targets = [], []
    with torch.no_grad():
        for s in range(0, len(ids) - 1, T):
            w = ids[s:s + T + 1]
            x = torch.tensor([w[:-1]])
            h = model.ln_f(model.block(model.wte(x) + model.wpe(torch.arange(x.shape[1]))))
            feats.append(h[0].numpy()); targets += w[1:]
    np.save(f'{out}/ref_{name}_features.npy', np.concatenate(feats).astype(np.float32))
    np.save(f'{out}/ref_{name}_labels.npy', np.array(targets, dtype=np.int32))
np.save(f'{out}/ref_weight.npy', model.lm_head.weight.detach().numpy())
# oracle on the float16 dump as written (its chunks, float64 from here on)
man = json.load(open(f'{out}/f16/manifest.json'))
head = np.load(f'{out}/f16/head.npz')
W, b = head['weight'].astype(np.float64), head['bias'].astype(np.float64)
losses = {}
for s in man['sets']:
    X = np.concatenate([np.load(f"{out}/f16/{c['file']}")['features'] for c in s['chunks']]).astype(np.float64)
    y = np.concatenate([np.load(f"{out}/f16/{c['file']}")['labels'] for c in s['chunks']])
    z = X @ W.T + b
    zs = z - z.max(1, keepdims=True)
    lse = np.log(np.exp(zs).sum(1))
    p = np.exp(zs - lse[:, None])
    loss = float(np.mean(lse - zs[np.arange(len(y)), y]))
    norm2 = (X ** 2).sum(1)
    Wbar = p @ W
    var = (p * (W ** 2).sum(1)[None, :]).sum(1) - (Wbar ** 2).sum(1)
    kappa = float(np.mean(norm2 * var))
    htr = float(np.mean(norm2 * (p * (1 - p)).sum(1)))
    cls = np.unique(y)
    mu = np.stack([X[y == c].mean(0) for c in cls])
    V = np.array([((X[y == c] - mu[k]) ** 2).sum(1).mean() for k, c in enumerate(cls)])
    pairs = [(a, c) for a in range(len(cls)) for c in range(a + 1, len(cls))]
    cdnv = float(np.mean([(V[a] + V[c]) / (2 * ((mu[a] - mu[c]) ** 2).sum()) for a, c in pairs]))
    cen = mu - mu.mean(0)
    norms = np.linalg.norm(cen, axis=1)
    u = cen / norms[:, None]
    gnc2 = float(np.mean([np.log(1 / max(np.linalg.norm(u[a] - u[c]), 1e-12)) for a, c in pairs]))
    Wc = W[cls]
    dual = (Wc * cen).sum(1) / (np.linalg.norm(Wc, axis=1) * norms)
    ref[s['name']] = dict(loss=loss, acc=float(np.mean(z.argmax(1) == y)), perplexity=float(np.exp(loss)), kappa=kappa,
                          kappa_fam=kappa / X.shape[1], hessian_trace=htr, flatness_bound=float((W ** 2).sum() * htr), cdnv=cdnv,
                          nc2_equinorm_means=float(norms.std() / norms.mean()), gnc2=gnc2, duality_cos_mean=float(dual.mean()),
                          duality_cos_std=float(dual.std()))
    losses[s['name']] = loss
for name in ref: ref[name]['gap_loss'] = losses[name] - losses['en']
json.dump(ref, open(f'{out}/oracle.json', 'w'))
`;

const npy = (file: string) => parseNpy(new Uint8Array(readFileSync(file)), file);
const exporter = (...args: string[]) =>
  spawnSync(PYTHON, [join(SCRIPT_DIR, 'export_features.py'), 'lm', '--model', 'tiny_gpt:build', ...args], { cwd: dir, encoding: 'utf8' });
const EN = 'The quick brown fox jumps over the lazy dog; pack my box with five dozen liquor jugs. '.repeat(4);
const DE = 'Zwölf Boxkämpfer jagen Viktor quer über den großen Sylter Deich. '.repeat(3);

describe.skipIf(!hasTorch)(`export_features.py lm${hasTorch ? '' : ' (skipped: /usr/bin/python3 lacks torch or numpy)'}`, () => {
  beforeAll(() => {
    writeFileSync(join(dir, 'tiny_gpt.py'), MODEL);
    writeFileSync(join(dir, 'en.txt'), EN);
    writeFileSync(join(dir, 'de.txt'), DE);
    writeFileSync(join(dir, 'driver.py'), DRIVER);
    const common = [
      '--text',
      'en=en.txt',
      '--text',
      'de=de.txt',
      '--context',
      '16',
      '--batch',
      '3',
      '--chunk-rows',
      '50',
      '--train-set',
      'en',
    ];
    for (const [out, dtype] of [
      ['f32', 'float32'],
      ['f16', 'float16'],
    ]) {
      const r = exporter(...common, '--out', out, '--dtype', dtype, '--step', '7');
      expect(r.status, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/wrote .*head 256 x 24/);
    }
    execFileSync(PYTHON, [join(dir, 'driver.py'), dir, dir], { stdio: 'pipe' });
  }, 120_000);

  it('writes the features entering the head, chunk by chunk, equal to a direct forward pass up to the final norm', () => {
    const set = openDumpSet(join(dir, 'f32'));
    expect([set.dtype, set.m, set.C, set.trainSet, set.step]).toEqual(['float32', 24, 256, 'en', 7]);
    expect(npy(join(dir, 'ref_weight.npy')).data).toEqual(Float32Array.from(set.layer.weight));
    for (const { name, split } of set.splits) {
      const want = npy(join(dir, `ref_${name}_features.npy`));
      const labels = npy(join(dir, `ref_${name}_labels.npy`));
      // every byte after the first is a target once: UTF-8 bytes of the text (umlauts are two)
      expect(split.n).toBe(Buffer.byteLength(name === 'en' ? EN : DE) - 1);
      expect(Array.from(split.labels)).toEqual(Array.from(labels.data));
      expect(set.sets.find((s) => s.name === name)!.chunks.map((c) => c.rows)).toEqual(chunkRows(split.n, 50));
      const got = concat([...split.chunks()]);
      expect(got.length).toBe(want.data.length);
      for (let i = 0; i < got.length; i++) expect(Math.abs(got[i] - want.data[i])).toBeLessThanOrEqual(1e-5);
    }
  });

  it('float16 features are the float32 ones rounded to half precision', () => {
    const [a, b] = ['f32', 'f16'].map((d) => openDumpSet(join(dir, d)));
    expect(b.dtype).toBe('float16');
    const x = concat([...a.splits[1].split.chunks()]);
    const h = concat([...b.splits[1].split.chunks()]);
    for (let i = 0; i < x.length; i++) expect(Math.abs(h[i] - x[i])).toBeLessThanOrEqual(Math.abs(x[i]) * 2 ** -11 + 2 ** -24);
  });

  it('per-set metrics of the float16 dump match a float64 NumPy oracle, and the CLI prints the same', () => {
    const oracle = JSON.parse(readFileSync(join(dir, 'oracle.json'), 'utf8')) as Record<string, Record<string, number>>;
    const set = openDumpSet(join(dir, 'f16'));
    const r = computeEvalSetMetrics(set.splits, set.layer, undefined, { trainSet: set.trainSet });
    const check = (sets: Record<string, Record<string, number>>, where: string) => {
      for (const [name, want] of Object.entries(oracle))
        for (const [key, v] of Object.entries(want)) {
          const got = sets[name][key];
          expect(Math.abs(got - v), `${where} ${name}.${key}: got ${got}, NumPy ${v}`).toBeLessThanOrEqual(1e-8 * Math.abs(v) + 1e-12);
        }
    };
    check(r.sets, 'in-process');
    expect(r.sets.en.gap_loss).toBe(0); // the training set's own gap
    const cli = join(ROOT, 'out/main/cli.js');
    if (!existsSync(cli)) return; // the built CLI (npx electron-vite build); the in-process values are checked above
    const run = spawnSync(
      process.execPath,
      [join(ROOT, 'bin/plateau.mjs'), '--json', '--data-dir', dir, 'metrics', '--features', join(dir, 'f16')],
      {
        encoding: 'utf8',
      },
    );
    expect(run.status, run.stderr).toBe(0);
    const printed = JSON.parse(run.stdout);
    expect(printed).toMatchObject({ trainSet: 'en', step: 7, positions: { en: EN.length - 1 } });
    check(printed.sets, 'CLI');
  });

  it('refuses a text whose tokens exceed the head, and a tokenizer.json without the tokenizers package, by name', () => {
    writeFileSync(join(dir, 'small_head.py'), `${MODEL}\ndef small():\n    torch.manual_seed(0)\n    return TinyGPT(V=100)\n`);
    const r = spawnSync(
      PYTHON,
      [join(SCRIPT_DIR, 'export_features.py'), 'lm', '--model', 'small_head:small', '--text', 'de=de.txt', '--out', 'bad'],
      { cwd: dir, encoding: 'utf8' },
    );
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/set 'de' \(de\.txt\): token id \d+ >= 100, the rows of the head/);
    expect(existsSync(join(dir, 'bad/manifest.json'))).toBe(false); // no manifest: not a dump set
    writeFileSync(join(dir, 'tokenizer.json'), '{}');
    const t = exporter('--text', 'en=en.txt', '--out', 'tok', '--tokenizer', 'tokenizer.json');
    const hasTokenizers = spawnSync(PYTHON, ['-c', 'import tokenizers']).status === 0;
    if (!hasTokenizers) expect(t.stderr).toMatch(/needs the 'tokenizers' package/);
  });
});

function chunkRows(n: number, size: number): number[] {
  const out: number[] = [];
  for (let left = n; left > 0; left -= size) out.push(Math.min(size, left));
  return out;
}

function concat(chunks: ArrayLike<number>[]): Float64Array {
  const out = new Float64Array(chunks.reduce((a, c) => a + c.length, 0));
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}
