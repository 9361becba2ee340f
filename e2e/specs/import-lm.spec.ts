import { resolve } from 'node:path';
import { expect, test } from '../fixtures';
import { hostRpc } from '../pages/rpc';
import { Workbench } from '../pages/workbench';

/** A Trainer-style series of a GPT-2-shaped model written by PyTorch (test/fixtures/hf/make_hf_fixtures.py). */
const SERIES = resolve('test/fixtures/hf/series'); // Playwright runs from the repository root

test('an imported language model series shows its weights per layer: heatmap and per-kind series', async ({ host, request }, testInfo) => {
  test.skip(host.kind !== 'browser', 'imports the fixture through the browser host’s RPC');
  const rpc = hostRpc(host, request);
  const wb = new Workbench(host.page);
  await wb.createProject('Pythia-style series');
  await expect(wb.projectRow('Pythia-style series')).toBeVisible();
  const [project] = (await rpc('projects.list', {})) as unknown as { id: number }[];
  const run = await rpc('imports.start', { projectId: project.id, path: SERIES });
  await expect.poll(async () => (await rpc('runs.get', { id: run.id })).status, { timeout: 30_000 }).toBe('imported');

  await wb.goto('Runs');
  const panel = host.page.getByRole('region', { name: 'Layer metrics' });
  await expect(panel).toBeVisible();
  // 2 blocks x (qkv, o, up, down) + token and position embeddings, at steps 10, 20 and 30
  await expect(panel.getByText('10 weight matrices × 3 checkpoints')).toBeVisible();
  await expect(panel.getByRole('img', { name: 'Layer by checkpoint heatmap' })).toBeVisible();
  await panel.getByText('dist_from_init', { exact: true }).click();
  await panel.getByRole('combobox', { name: 'Layer kind' }).click();
  await host.page.getByRole('option', { name: 'every qkv layer' }).click();
  await expect(panel.getByRole('combobox', { name: 'Layer kind' })).toHaveValue('every qkv layer');
  await expect(panel.getByRole('img', { name: 'Layer kind series' })).toBeVisible();
  await panel.screenshot({ path: testInfo.outputPath('layer-metrics.png') });
  await host.page.screenshot({ path: testInfo.outputPath('run-with-layers.png'), fullPage: true });
});
