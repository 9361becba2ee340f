import { expect, test } from '../fixtures';
import { Workbench } from '../pages/workbench';

test('start a short grokking-mlp run, watch it finish, see its curves', async ({ host }, testInfo) => {
  const wb = new Workbench(host.page);
  await wb.createProject('Grokking');
  await wb.startRun({ epochs: 40 });
  const detail = host.page.getByRole('region', { name: /^Run \d+$/ });
  await expect(detail.getByText('succeeded')).toBeVisible({ timeout: 30_000 });
  await expect(host.page.getByRole('img', { name: 'Loss curves' })).toBeVisible();
  await expect(host.page.getByRole('img', { name: 'Accuracy curves' })).toBeVisible();
  await expect(detail.getByText(/\d+ checkpoints/)).not.toHaveText('0 checkpoints');
  await host.page.screenshot({ path: testInfo.outputPath('run-finished.png') });
});

test('cancel a run midway: it ends cancelled and keeps its partial data', async ({ host }) => {
  const wb = new Workbench(host.page);
  await wb.createProject('Cancel me');
  await wb.startRun({ epochs: 100000 });
  await expect(host.page.getByText(/epoch \d+\/100000/)).toBeVisible({ timeout: 20_000 });
  await host.page.getByRole('button', { name: 'Cancel' }).click();
  const row = host.page.getByRole('table', { name: 'Runs' }).getByRole('row').nth(1);
  await expect(row.getByText('cancelled')).toBeVisible({ timeout: 20_000 });
  await expect(row.getByRole('cell', { name: /\d+\.\d%/ }).first()).toBeVisible(); // accuracies kept
});

test('reload mid-training: the run is still there and still updating', async ({ host }) => {
  const wb = new Workbench(host.page);
  await wb.createProject('Reload');
  await wb.startRun({ epochs: 100000 });
  await expect(host.page.getByText(/epoch \d+\/100000/)).toBeVisible({ timeout: 20_000 });
  await host.reload();
  const progress = host.page.getByText(/epoch (\d+)\/100000/);
  await expect(progress).toBeVisible({ timeout: 20_000 });
  const first = Number(/epoch (\d+)/.exec((await progress.textContent())!)![1]);
  await expect.poll(async () => Number(/epoch (\d+)/.exec((await progress.textContent()) ?? '')?.[1] ?? 0)).toBeGreaterThan(first);
  await host.page.getByRole('button', { name: 'Cancel' }).click();
  await expect(host.page.getByRole('table', { name: 'Runs' }).getByText('cancelled')).toBeVisible({ timeout: 20_000 });
});

test('import a PyTorch checkpoint: preview its tensors, import it, find it among the runs', async ({ host }) => {
  const wb = new Workbench(host.page);
  await wb.createProject('Imports');
  await wb.goto('Import');
  await host.page.getByRole('textbox', { name: /File or folder on the host/ }).fill(`${process.cwd()}/test/fixtures/import/mlp_state.pt`);
  await host.page.getByRole('button', { name: 'Inspect' }).click();
  const preview = host.page.getByRole('region', { name: 'Import preview' });
  await expect(preview.getByRole('cell', { name: '0.weight' })).toBeVisible();
  await preview.getByRole('button', { name: 'Import into Imports' }).click();
  await expect(host.page.getByRole('table', { name: 'Runs' }).getByText('imported')).toBeVisible({ timeout: 20_000 });
  await wb.goto('Import');
  await host.page.getByRole('textbox', { name: /File or folder on the host/ }).fill(`${process.cwd()}/package.json`);
  await host.page.getByRole('button', { name: 'Inspect' }).click();
  await expect(host.page.getByText(/package.json: .*not a TF.js model.json/)).toBeVisible();
});
