import { readFileSync } from 'node:fs';
import { expect, test } from '../fixtures';
import { Workbench } from '../pages/workbench';

test('train two seeds, compare them on the stacked chart, export PNG, SVG and CSV, and use the command palette', async ({
  host,
}, testInfo) => {
  test.setTimeout(120_000);
  const page = host.page;
  const wb = new Workbench(page);
  await wb.createProject('Seeds');
  await wb.startRun({ epochs: 30, seeds: '0-1' });
  const table = page.getByRole('table', { name: 'Runs' });
  await expect(table.getByText('succeeded')).toHaveCount(2, { timeout: 60_000 });
  // checkpoint metrics jobs done too
  await expect(async () => {
    await expect(table.getByText('metrics queued')).toHaveCount(0);
    await expect(table.getByRole('progressbar')).toHaveCount(0);
  }).toPass({ timeout: 60_000 });
  await page.screenshot({ path: testInfo.outputPath('view-runs.png'), fullPage: true });

  await page.getByRole('checkbox', { name: 'Select all runs' }).check();
  await page.getByRole('button', { name: 'Compare 2 selected' }).click();
  const chart = page.getByRole('region', { name: 'Metrics over training' });
  await expect(chart.getByRole('img', { name: 'Stacked metric charts' })).toBeVisible();
  await expect(page.getByRole('button', { name: 'What is kappa?' })).toBeVisible();
  await page.getByRole('button', { name: 'What is kappa?' }).click();
  await expect(page.getByText(/Petzka/)).toBeVisible();
  await page.keyboard.press('Escape');
  await page.screenshot({ path: testInfo.outputPath('view-compare.png'), fullPage: true });

  // the view lives in the URL: runs and a panel's y axis survive a trip to Runs and back
  // kappa spans decades: its panel opens on a log axis (the registry's default); a linear choice is kept
  const kappaLog = chart.getByRole('switch', { name: 'Log y axis: kappa (train)' });
  await expect(kappaLog).toBeChecked();
  await kappaLog.uncheck();
  await expect.poll(() => page.url()).toContain('liny=kappa%7Ctrain');
  expect(page.url()).toMatch(/#\/compare\?.*runs=\d+%2C\d+/);
  await wb.goto('Runs');
  await wb.goto('Compare');
  await expect(kappaLog).not.toBeChecked();

  const download = async (name: string) => {
    const [d] = await Promise.all([page.waitForEvent('download'), chart.getByRole('button', { name }).click()]);
    return { name: d.suggestedFilename(), bytes: readFileSync((await d.path())!) };
  };
  const png = await download('PNG');
  expect(png.name).toBe('metrics-over-training.png');
  expect(png.bytes.subarray(1, 4).toString()).toBe('PNG');
  const svg = await download('SVG');
  expect(svg.bytes.toString()).toContain('<svg');
  const csv = (await download('CSV')).bytes.toString();
  expect(csv.split('\r\n')[0]).toBe('metric,series,epoch,value');
  expect(csv).toMatch(/kappa \(train\),1 Seeds s0|kappa \(train\),\d+ /);

  await page.keyboard.press('Control+k');
  await page.getByRole('dialog', { name: 'Command palette' }).getByRole('combobox', { name: 'Command palette' }).fill('checkpoints');
  await page.keyboard.press('Enter');
  await expect(page.getByRole('heading', { level: 2, name: /^Checkpoints/ })).toBeVisible();
  await expect(page.getByRole('region', { name: 'Checkpoint layers' })).toBeVisible();
  await page.screenshot({ path: testInfo.outputPath('view-checkpoints.png'), fullPage: true });
});

test('export a report of the project as HTML and CSV', async ({ host }, testInfo) => {
  const page = host.page;
  const wb = new Workbench(page);
  await wb.createProject('Report me');
  await wb.startRun({ epochs: 10 });
  await expect(page.getByRole('table', { name: 'Runs' }).getByText('succeeded')).toBeVisible({ timeout: 30_000 });
  await wb.goto('Reports');
  await page.getByRole('checkbox', { name: 'PDF' }).uncheck();
  await page.getByRole('button', { name: 'Export report' }).click();
  const written = page.getByRole('region', { name: 'Report written' });
  await expect(written.getByText(/\.html$/)).toBeVisible({ timeout: 30_000 });
  await page.screenshot({ path: testInfo.outputPath('view-reports.png'), fullPage: true });
  const html = (await written.getByText(/\.html$/).textContent())!;
  const { readFileSync } = await import('node:fs');
  const text = readFileSync(html, 'utf8');
  expect(text).toContain('Report me');
  expect(text).not.toMatch(/<script[^>]+src=|<link[^>]+href="http/);
});
