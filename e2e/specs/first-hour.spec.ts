import { readFileSync } from 'node:fs';
import { expect, test } from '../fixtures';
import { screenshotEveryView } from '../pages/screens';
import { Workbench } from '../pages/workbench';

/**
 * What a W&B / TensorBoard user does in their first hour (issue 13), in the browser host: create a project,
 * train, watch the queue, import a torch checkpoint and evaluate it, compare three runs on a log axis through
 * a shared URL, export and download a report, misspell a setting. Then every view is photographed at two
 * sizes in both themes (test-results/screens/<project>/).
 */
test('the first hour: train, queue, import and evaluate, compare by URL, download a report, a misspelt setting', async ({
  host,
}, testInfo) => {
  test.skip(host.kind !== 'browser', 'Report downloads and the shared URL are the browser host’s; the desktop opens files instead.');
  test.setTimeout(420_000);
  const page = host.page;
  const wb = new Workbench(page);
  page.setDefaultTimeout(30_000); // an action that cannot happen fails in seconds, not at the test's end
  await page.setViewportSize({ width: 1440, height: 900 });
  await wb.createProject('First hour');

  // one job at a time, so the second seed visibly waits for the first
  await page.getByRole('button', { name: 'Settings' }).click();
  const settings = page.getByRole('dialog', { name: 'Settings' });
  await settings.getByRole('textbox', { name: 'Jobs at once' }).fill('1');
  await settings.getByRole('button', { name: 'Save' }).click();
  await expect(settings).toBeHidden();

  // train a short preset, two seeds (long enough that the first still runs when the Jobs view opens); the queue says what runs and what waits, and why
  await wb.startRun({ epochs: 300, seeds: '0-1' });
  await wb.goto('Jobs');
  const jobs = page.getByRole('table', { name: 'Jobs' });
  await expect(jobs.getByText(/waiting: 1 job at a time; 1 running/).first()).toBeVisible({ timeout: 20_000 });
  await expect(jobs.getByRole('row').filter({ hasText: 'running' }).first()).toBeVisible();
  await page.screenshot({ path: testInfo.outputPath('jobs-waiting.png'), fullPage: true });
  await wb.goto('Runs');
  const runs = page.getByRole('table', { name: 'Runs' });
  await expect(runs.getByText('succeeded')).toHaveCount(2, { timeout: 120_000 });
  await expect(async () => {
    await expect(runs.getByText('metrics queued')).toHaveCount(0);
    await expect(runs.getByRole('progressbar')).toHaveCount(0);
  }).toPass({ timeout: 60_000 });
  await wb.goto('Jobs');
  await expect(jobs.getByText('waiting')).toHaveCount(0);
  await expect(jobs.getByRole('row').filter({ hasText: 'training' }).filter({ hasText: 'succeeded' })).toHaveCount(2);

  // import a torch training checkpoint: the model's tensors in view, the optimizer's folded away
  await wb.goto('Import');
  await page.getByRole('textbox', { name: /File or folder on the host/ }).fill(`${process.cwd()}/test/fixtures/import/train_ckpt.pt`);
  await page.getByRole('button', { name: 'Inspect' }).click();
  const preview = page.getByRole('region', { name: 'Import preview' });
  await expect(preview.getByRole('table', { name: 'Tensors' }).getByRole('cell', { name: 'model.0.weight' })).toBeVisible();
  await expect(preview.getByText('Optimizer state: 4 buffers, 11 values (lr 0.1 · momentum 0.9 · weight_decay 0.0001)')).toBeVisible();
  await expect(preview.getByRole('table', { name: 'Optimizer tensors' })).toBeHidden();
  await page.screenshot({ path: testInfo.outputPath('import-preview.png'), fullPage: true });
  await preview.getByRole('button', { name: 'Import into First hour' }).click();
  const imported = runs.getByRole('row').filter({ hasText: 'imported' });
  await expect(imported).toHaveCount(1, { timeout: 20_000 });

  // evaluate it on a dataset its shapes fit (4 inputs, 3 classes): metrics at its checkpoint, accuracies shown
  await imported.click();
  await page.getByRole('button', { name: 'Evaluate on a dataset' }).click();
  await page.getByRole('combobox', { name: 'Dataset', exact: true }).click();
  await page.getByRole('option', { name: 'gaussian-mixture' }).click();
  await page
    .getByRole('textbox', { name: 'Dataset settings' })
    .fill('{"kind": "gaussian-mixture", "classes": 3, "dim": 4, "trainSize": 300, "testSize": 150}');
  await page.getByRole('button', { name: 'Evaluate', exact: true }).click();
  await wb.goto('Jobs');
  await expect(jobs.getByRole('row').filter({ hasText: 'evaluate' }).filter({ hasText: 'succeeded' })).toHaveCount(1, { timeout: 90_000 });
  await expect(jobs.getByRole('row').filter({ hasText: 'evaluate' }).getByText('100%')).toBeVisible();
  await wb.goto('Runs');
  await expect(imported.getByText(/^\d+(\.\d)?%$/).first()).toBeVisible(); // train / test accuracy, no longer '—'

  // its checkpoint shows metric values (kappa, nc1 columns by default) and no '+ spectrum' without one
  await wb.goto('Checkpoints');
  await page.getByRole('combobox', { name: 'Run' }).click();
  await page.getByRole('option', { name: /train_ckpt/ }).click();
  const ckpts = page.getByRole('table', { name: 'Checkpoints' });
  await expect(ckpts.getByRole('columnheader', { name: 'kappa', exact: true })).toBeVisible();
  const kappaCell = ckpts.getByRole('row').nth(1).getByRole('cell').nth(2);
  await expect(kappaCell).toHaveText(/^-?\d/, { timeout: 20_000 });
  await expect(ckpts.getByText('+ spectrum')).toHaveCount(0);
  await expect(page.getByRole('img', { name: 'Class means' })).toBeVisible();

  // compare the three runs with kappa on a log axis, then open the shared URL afresh: the same view
  await wb.goto('Runs');
  await page.getByRole('checkbox', { name: 'Select all runs' }).check();
  await page.getByRole('button', { name: 'Compare 3 selected' }).click();
  const chart = page.getByRole('region', { name: 'Metrics over training' });
  await expect(chart.getByRole('img', { name: 'Stacked metric charts' })).toBeVisible();
  await expect(chart.getByRole('switch', { name: 'Log y axis: kappa (train)' })).toBeChecked();
  // kappa stays on its log axis; nc1 goes linear, a choice only the URL can carry to another page
  await chart.getByRole('switch', { name: 'Log y axis: nc1 (train)' }).uncheck();
  await expect.poll(() => page.url()).toMatch(/liny=nc1%7Ctrain/);
  const shared = page.url();
  expect(shared).toMatch(/runs=\d+%2C\d+%2C\d+/);
  const other = await page.context().newPage();
  await other.setViewportSize({ width: 1440, height: 900 });
  await other.goto(shared);
  const otherChart = other.getByRole('region', { name: 'Metrics over training' });
  await expect(otherChart.getByRole('switch', { name: 'Log y axis: kappa (train)' })).toBeChecked();
  await expect(otherChart.getByRole('switch', { name: 'Log y axis: nc1 (train)' })).not.toBeChecked();
  await expect(other.locator('.mantine-Pill-label').filter({ hasText: /^\d+ (grokking-mlp s[01]|train_ckpt)/ })).toHaveCount(3);
  expect(other.url()).toBe(shared);
  await other.close();

  // export a report and download it through its link
  await wb.goto('Reports');
  await page.getByRole('checkbox', { name: 'PDF' }).uncheck();
  await page.getByRole('button', { name: 'Export report' }).click();
  const written = page.getByRole('region', { name: 'Report written' });
  const link = written.getByRole('link', { name: /Download report.*\.html/ });
  await expect(link).toBeVisible({ timeout: 60_000 });
  await page.screenshot({ path: testInfo.outputPath('report-written.png'), fullPage: true });
  const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
  expect(download.suggestedFilename()).toMatch(/\.html$/);
  const html = readFileSync((await download.path())!, 'utf8');
  expect(html).toContain('First hour');
  expect(html).toContain('train_ckpt');
  const csvLink = written.getByRole('link', { name: /Download .*\.csv/ }).first();
  const csv = await page.request.get(new URL((await csvLink.getAttribute('href'))!, host.origin).href);
  expect(csv.status()).toBe(200);
  expect((await csv.text()).length).toBeGreaterThan(20);

  // misspell a setting: the form names the nearest key, and so does the core when asked directly
  const dialog = await wb.openNewRun();
  await dialog.getByRole('textbox', { name: /^More settings/ }).fill('optimizer.learning_rate=1e-3');
  await expect(dialog.getByText(/optimizer\.learning_rate is not a setting of optimizer.*optimizer\.lr/)).toBeVisible();
  await expect(dialog.getByRole('button', { name: 'Start', exact: true })).toBeDisabled();
  await dialog.getByRole('button', { name: 'Optimizer' }).click();
  await expect(dialog.getByRole('textbox', { name: 'Learning rate optimizer.lr' })).toBeVisible();
  await page.screenshot({ path: testInfo.outputPath('new-run-misspelt.png') });
  await page.keyboard.press('Escape');
  const projects = await (
    await page.request.post(`${host.origin}/rpc/projects.list`, { data: {}, headers: { authorization: `Bearer ${host.token}` } })
  ).json();
  const refused = await page.request.post(`${host.origin}/rpc/runs.start`, {
    data: { projectId: projects.result[0].id, preset: 'grokking-mlp', set: { 'model.widht': 64 } },
    headers: { authorization: `Bearer ${host.token}` },
  });
  expect((await refused.json()).error.message).toMatch(/model\.widht.*model\.width/);

  const shots = await screenshotEveryView(page, testInfo);
  expect(shots).toHaveLength(2 * 2 * 9);
});
