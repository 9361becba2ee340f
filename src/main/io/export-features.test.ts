import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readFeatureDump } from './feature-dump';
import { parseNpy } from './npy';

// Tests resources/python/export_features.py end to end: Debian's Python, which has torch here.
const PYTHON = '/usr/bin/python3';
const SCRIPT_DIR = resolve(__dirname, '../../../resources/python');
const hasTorch = (() => {
  try {
    execFileSync(PYTHON, ['-c', 'import torch, numpy'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

const dir = mkdtempSync(join(tmpdir(), 'plateau-export-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// A tiny model whose last Linear sits inside a nested block, plus the outputs torch computed.
const DRIVER = `
import sys, numpy as np, torch
sys.path.insert(0, ${JSON.stringify(SCRIPT_DIR)})
from export_features import export_features
torch.manual_seed(0)
model = torch.nn.Sequential(torch.nn.Linear(5, 7), torch.nn.Tanh(),
                            torch.nn.Sequential(torch.nn.Linear(7, 6), torch.nn.ReLU(), torch.nn.Linear(6, 3)))
x, y = torch.randn(40, 5), torch.randint(0, 3, (40,))
xt, yt = torch.randn(12, 5), torch.randint(0, 3, (12,))
dl = lambda a, b: torch.utils.data.DataLoader(torch.utils.data.TensorDataset(a, b), batch_size=16)
model.train()
export_features(model, dl(x, y), dl(xt, yt), path=sys.argv[1])
assert model.training, 'training mode must be restored'
with torch.no_grad():
    np.save(sys.argv[2], model(x).numpy())
    np.save(sys.argv[3], model(xt).numpy())
`;

describe.skipIf(!hasTorch)(`export_features.py${hasTorch ? '' : ' (skipped: /usr/bin/python3 lacks torch or numpy)'}`, () => {
  it('writes a dump whose W phi + b reproduces the model outputs on both splits', async () => {
    const [dump, out, outTest] = ['dump.npz', 'out.npy', 'out_test.npy'].map((f) => join(dir, f));
    writeFileSync(join(dir, 'driver.py'), DRIVER);
    execFileSync(PYTHON, [join(dir, 'driver.py'), dump, out, outTest], { stdio: 'pipe' });
    const d = await readFeatureDump(dump);
    expect([d.train.n, d.train.m, d.layer.C, d.test?.n]).toEqual([40, 6, 3, 12]);
    for (const [split, file] of [
      [d.train, out],
      [d.test!, outTest],
    ] as const) {
      const logits = parseNpy(new Uint8Array(readFileSync(file)), file);
      expect(logits.shape).toEqual([split.n, 3]);
      for (let i = 0; i < split.n; i++) {
        for (let c = 0; c < 3; c++) {
          let z = d.layer.bias![c];
          for (let k = 0; k < split.m; k++) z += d.layer.weight[c * split.m + k] * split.features[i * split.m + k];
          expect(z).toBeCloseTo(logits.data[i * 3 + c], 5);
        }
      }
    }
  });

  it('documents itself with --help', () => {
    const r = spawnSync(PYTHON, [join(SCRIPT_DIR, 'export_features.py'), '--help'], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/--model.*--data/s);
    expect(r.stdout).toMatch(/feature dump/);
  });
});
