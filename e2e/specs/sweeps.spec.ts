import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, test } from '../fixtures';
import { Workbench } from '../pages/workbench';

const slurmUp = spawnSync('sinfo', ['-h', '-o', '%T'])
  .stdout?.toString()
  .match(/idle|mixed|allocated/);

test('submit a sweep to Slurm from the new-run form, follow it, collect it', async ({ host }, testInfo) => {
  test.skip(!slurmUp, 'No running Slurm here: `bash scripts/slurm/start-test-cluster.sh` starts a single-node one (CI does).');
  test.setTimeout(180_000);
  const page = host.page;
  const wb = new Workbench(page);
  await wb.createProject('Cluster');
  const dialog = await wb.openNewRun();
  await dialog.getByRole('textbox', { name: 'Epochs' }).fill('3');
  await dialog.getByRole('button', { name: 'dataset' }).click();
  await dialog.getByRole('textbox', { name: 'dataset.p' }).fill('11');
  await dialog.getByRole('button', { name: 'model' }).click();
  await dialog.getByRole('textbox', { name: 'model.width' }).fill('8');
  await dialog.getByRole('textbox', { name: /^Seeds/ }).fill('0-1');
  await dialog.getByRole('switch', { name: /Run on a Slurm cluster/ }).click({ force: true });
  await dialog.getByRole('textbox', { name: /Shared folder/ }).fill(mkdtempSync(join(tmpdir(), 'plateau-e2e-sweep-')));
  await dialog.getByRole('button', { name: 'Submit to Slurm' }).click();
  await expect(page.getByRole('heading', { level: 2, name: /^Sweeps/ })).toBeVisible();
  const tasks = page.getByRole('table', { name: 'Tasks' });
  await expect(tasks.getByRole('row')).toHaveCount(3);
  await expect(async () => {
    await page.getByRole('button', { name: 'Refresh' }).click();
    await expect(tasks.getByText('completed')).toHaveCount(2, { timeout: 2000 });
  }).toPass({ timeout: 150_000 });
  await page.screenshot({ path: testInfo.outputPath('view-sweeps.png'), fullPage: true });
  await page.getByRole('button', { name: 'Collect finished' }).click();
  await expect(page.getByText(/Collected 2 new run\(s\)/)).toBeVisible();
  await wb.goto('Runs');
  await expect(page.getByRole('table', { name: 'Runs' }).getByRole('row')).toHaveCount(3);
});
