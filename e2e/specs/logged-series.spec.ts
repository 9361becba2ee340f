import { resolve } from 'node:path';
import { expect, test } from '../fixtures';
import { hostRpc } from '../pages/rpc';
import { Workbench } from '../pages/workbench';

/** An MLflow file store written by test/fixtures/logs/make_log_fixtures.py: one run logging 'loss' and more. */
const MLFLOW = resolve('test/fixtures/logs/mlflow'); // Playwright runs from the repository root

test("an imported training log draws the keys it logged in the run view's More series", async ({ host, request }, testInfo) => {
  test.skip(host.kind !== 'browser', 'imports the fixture through the browser host’s RPC');
  const rpc = hostRpc(host, request);
  const wb = new Workbench(host.page);
  await wb.createProject('Old logs');
  await expect(wb.projectRow('Old logs')).toBeVisible();
  const [project] = (await rpc('projects.list', {})) as unknown as { id: number }[];
  const preview = await rpc('imports.inspect', { path: MLFLOW });
  const runs = (preview.runs as { path: string }[] | undefined) ?? [{ path: MLFLOW }];
  const run = await rpc('imports.start', { projectId: project.id, path: runs[0].path });
  await expect.poll(async () => (await rpc('runs.get', { id: run.id })).status, { timeout: 30_000 }).not.toMatch(/queued|running/);
  const stored = (await rpc('metrics.stored', { runId: run.id })) as unknown as { key: string }[];
  expect(stored.map((k) => k.key)).toContain('loss');

  await wb.goto('Runs');
  await expect(host.page.getByText('More series', { exact: true })).toBeVisible();
  // the logged keys are offered and the first ones drawn, each in a panel of its own: MLflow's own 'loss' and 'val/acc'
  await expect(host.page.getByText('val/acc', { exact: true }).first()).toBeVisible();
  await expect(host.page.getByRole('img', { name: 'More series: loss' })).toBeVisible();
  await expect(host.page.getByRole('img', { name: 'More series: val/acc' })).toBeVisible();
  // none of Plateau's own loss keys: a sentence in place of two empty charts
  await expect(host.page.getByText(/No train or test loss and accuracy under Plateau/)).toBeVisible();
  await expect(host.page.getByRole('img', { name: 'Loss curves' })).toHaveCount(0);
  await host.page.screenshot({ path: testInfo.outputPath('more-series.png'), fullPage: true });
});
