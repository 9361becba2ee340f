import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeDumpSet } from '../../src/main/test/write-dump-set';
import { expect, test } from '../fixtures';
import { Workbench } from '../pages/workbench';

/** A small seeded generator, so the figures look the same on every run. */
function rng(seed: number) {
  let s = seed >>> 0;
  return () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32) * 2 - 1;
}

/**
 * A run's checkpoints as a folder of LM dump sets (step1000/, step2000/, step3000/), evaluated on en (its
 * training set), de and fr: later checkpoints separate the classes more, and the further a set is from en
 * the noisier its features, so gap_loss and kappa vary over sets and checkpoints.
 */
function writeSeries(root: string, seed: number) {
  const C = 12;
  const m = 8;
  const r = rng(seed);
  const mu = Float32Array.from({ length: C * m }, r);
  for (const [k, step] of [1000, 2000, 3000].entries()) {
    const sharp = 0.6 + 0.5 * k;
    const weight = Float32Array.from(mu, (v) => v * sharp * 2);
    const sets = ['en', 'de', 'fr'].map((name, j) => {
      const n = 300;
      const labels = Int32Array.from({ length: n }, () => Math.floor(((r() + 1) / 2) ** 2 * C));
      const noise = 0.4 + 0.45 * j;
      const features = new Float32Array(n * m);
      labels.forEach((y, i) => {
        for (let d = 0; d < m; d++) features[i * m + d] = sharp * mu[y * m + d] + noise * r();
      });
      return { name, labels, features };
    });
    writeDumpSet(join(root, `step${step}`), { weight, C, m, sets, chunkRows: 128, trainSet: 'en' });
  }
  return root;
}

test('LM dump sets: import two checkpoint series, plot a metric per language, and read the cross-lingual panel', async ({
  host,
}, testInfo) => {
  test.setTimeout(120_000);
  const page = host.page;
  const wb = new Workbench(page);
  const dir = mkdtempSync(join(tmpdir(), 'plateau-e2e-lm-'));
  try {
    await wb.createProject('Pythia');
    for (const [i, name] of ['pythia-a', 'pythia-b'].entries()) {
      const root = writeSeries(join(dir, name), 7 + i);
      await wb.goto('Import');
      await page.getByRole('textbox', { name: /File or folder on the host/ }).fill(root);
      await page.getByRole('button', { name: 'Inspect' }).click();
      const preview = page.getByRole('region', { name: 'Import preview' });
      await expect(preview.getByText('3 checkpoints, steps 1000, 2000, 3000')).toBeVisible();
      await expect(preview.getByRole('cell', { name: 'de/features' })).toBeVisible();
      if (i === 0) await page.screenshot({ path: testInfo.outputPath('view-import-dump-sets.png'), fullPage: true });
      await preview.getByRole('button', { name: 'Import into Pythia' }).click();
      await expect(page.getByRole('table', { name: 'Runs' }).getByText('imported')).toHaveCount(i + 1, { timeout: 30_000 });
    }

    await page.getByRole('checkbox', { name: 'Select all runs' }).check();
    await page.getByRole('button', { name: 'Compare 2 selected' }).click();
    // one series per run x language on a per-set panel
    await page.getByRole('combobox', { name: 'Metrics' }).click();
    await page.getByRole('option', { name: 'perplexity (per set)' }).click();
    await page.keyboard.press('Escape');
    await expect(page.getByRole('combobox', { name: 'Evaluation sets' })).toBeVisible();
    const chart = page.getByRole('region', { name: 'Metrics over training' });
    const download = async (region: typeof chart, name: string) => {
      const [d] = await Promise.all([page.waitForEvent('download'), region.getByRole('button', { name }).click()]);
      return { name: d.suggestedFilename(), text: readFileSync((await d.path())!).toString() };
    };
    const lines = (await download(chart, 'CSV')).text;
    for (const set of ['en', 'de', 'fr']) expect(lines).toContain(`perplexity (per set),1 pythia-a · ${set},`);

    const panel = page.getByRole('region', { name: 'Cross-lingual' });
    await panel.scrollIntoViewIfNeeded();
    await expect(panel.getByRole('img', { name: 'Cross-lingual scatter' })).toBeVisible();
    await page.screenshot({ path: testInfo.outputPath('view-compare-cross-lingual.png'), fullPage: true });
    const csv = await download(panel, 'CSV');
    expect(csv.name).toBe('cross-lingual.csv');
    const rows = csv.text.trim().split('\r\n');
    expect(rows[0]).toBe('run,set,step,kappa,gap_loss');
    expect(rows).toHaveLength(1 + 2 * 3 * 3); // runs x sets x checkpoints
    expect(rows).toContainEqual(expect.stringMatching(/^1 pythia-a,en,1000,[\d.e-]+,0$/)); // en is the training set: no gap
    const png = await download(panel, 'PNG');
    expect(png.name).toBe('cross-lingual.png');

    // the panel's head measure and the chosen sets live in the URL
    await panel.getByText('gnc2', { exact: true }).click();
    await expect.poll(() => page.url()).toContain('clx=gnc2');
    await expect.poll(async () => (await download(panel, 'CSV')).text.split('\r\n')[0]).toBe('run,set,step,gnc2,gap_loss');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
