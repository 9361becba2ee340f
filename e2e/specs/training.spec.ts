import { expect, test } from '../fixtures';
import { Workbench } from '../pages/workbench';

test('start a short grokking-mlp run, watch it finish, see its curves', async ({ host }, testInfo) => {
  const wb = new Workbench(host.page);
  await wb.createProject('Grokking');
  await wb.startRun({ epochs: 40 });
  const detail = host.page.getByRole('region', { name: /^Run \d+$/ });
  await expect(detail.getByText('succeeded', { exact: true })).toBeVisible({ timeout: 30_000 });
  await expect(host.page.getByRole('img', { name: 'Loss curves' })).toBeVisible();
  await expect(host.page.getByRole('img', { name: 'Accuracy curves' })).toBeVisible();
  // measured at each checkpoint while it trained
  await expect(host.page.getByRole('img', { name: 'Flatness and collapse at checkpoints' })).toBeVisible();
  await expect(detail.getByText(/^\d+ checkpoints$/)).not.toHaveText('0 checkpoints');
  await detail.getByRole('button', { name: 'Log' }).click();
  await expect(detail.getByLabel('Run log')).toContainText('checkpoint at step 0');
  await expect(detail.getByLabel('Run log')).toContainText(/epoch 40 +step 40 +train loss/);
  const [csv] = await Promise.all([
    host.page.waitForEvent('download'),
    host.page.getByRole('button', { name: /^Save runs-.* as CSV$/ }).click(),
  ]);
  const { readFileSync } = await import('node:fs');
  expect(readFileSync((await csv.path())!, 'utf8')).toMatch(
    // the columns the table shows, in its order (the column chooser decides what the CSV holds)
    /^id,name,status,preset,seed,train_acc,test_acc,gap_acc,tags\r\n1,grokking-mlp s0,succeeded,grokking-mlp,0,0\.\d+,/,
  );
  await host.page.screenshot({ path: testInfo.outputPath('run-finished.png') });
});

test('cancel a run midway: it ends cancelled and keeps its partial data', async ({ host }) => {
  const wb = new Workbench(host.page);
  await wb.createProject('Cancel me');
  await wb.startRun({ epochs: 100000 });
  await expect(host.page.getByText(/epoch \d+\/100000/)).toBeVisible({ timeout: 20_000 });
  await host.page.getByRole('button', { name: 'Cancel', exact: true }).click();
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
  await host.page.getByRole('button', { name: 'Cancel', exact: true }).click();
  await expect(host.page.getByRole('table', { name: 'Runs' }).getByText('cancelled')).toBeVisible({ timeout: 20_000 });
});

test('import a PyTorch checkpoint: preview its tensors, import it, find it among the runs', async ({ host }, testInfo) => {
  const wb = new Workbench(host.page);
  await wb.createProject('Imports');
  await wb.goto('Import');
  await host.page.getByRole('textbox', { name: /File or folder on the host/ }).fill(`${process.cwd()}/test/fixtures/import/mlp_state.pt`);
  await host.page.getByRole('button', { name: 'Inspect' }).click();
  const preview = host.page.getByRole('region', { name: 'Import preview' });
  await expect(preview.getByRole('cell', { name: '0.weight' })).toBeVisible();
  await host.page.screenshot({ path: testInfo.outputPath('view-import.png'), fullPage: true });
  await preview.getByRole('button', { name: 'Import into Imports' }).click();
  await expect(host.page.getByRole('table', { name: 'Runs' }).getByText('imported')).toBeVisible({ timeout: 20_000 });
  await wb.goto('Import');
  await host.page.getByRole('textbox', { name: /File or folder on the host/ }).fill(`${process.cwd()}/package.json`);
  await host.page.getByRole('button', { name: 'Inspect' }).click();
  await expect(host.page.getByText(/package.json: .*not a TF.js model.json/)).toBeVisible();
});

test('a sweep from the new-run form: inline validation, the planned count, one run per setting', async ({ host }) => {
  const page = host.page;
  const wb = new Workbench(page);
  await wb.createProject('Sweep');
  const dialog = await wb.openNewRun();
  await dialog.getByRole('textbox', { name: 'Epochs' }).fill('5');
  await dialog.getByRole('button', { name: 'dataset' }).click();
  await dialog.getByRole('textbox', { name: 'dataset.trainFraction' }).fill('1.5');
  await expect(dialog.getByText('must be in (0, 1)')).toBeVisible();
  await expect(dialog.getByRole('button', { name: 'Start', exact: true })).toBeDisabled();
  await dialog.getByRole('textbox', { name: 'dataset.trainFraction' }).fill('0.3');
  await dialog.getByRole('button', { name: 'optimizer' }).click();
  await dialog.getByRole('textbox', { name: 'optimizer.lr' }).fill('0.01, 0.003');
  await dialog.getByRole('textbox', { name: /^Seeds/ }).fill('0-1');
  await expect(dialog.getByText('4 runs will start (2 settings × 2 seeds)')).toBeVisible();
  await dialog.getByRole('button', { name: 'Start', exact: true }).click();
  const table = page.getByRole('table', { name: 'Runs' });
  await expect(table.getByRole('row')).toHaveCount(5); // header + 4 runs
  await expect(table.getByText('grokking-mlp lr=0.003 s1')).toBeVisible();
});

test("Han et al.'s study from one preset: baseline, anti-flatness and anti-collapse for each seed", async ({ host }, testInfo) => {
  const page = host.page;
  const wb = new Workbench(page);
  await wb.createProject('Interventions');
  const dialog = await wb.openNewRun();
  await dialog.getByRole('combobox', { name: 'Preset' }).click();
  await page.getByRole('option', { name: 'grokking-interventions' }).click();
  await expect(dialog.getByText('9 runs will start (3 variants × 3 seeds)')).toBeVisible();
  await expect(dialog.getByText(/every variant \(baseline, anti-flatness, anti-collapse\)/)).toBeVisible();
  await page.screenshot({ path: testInfo.outputPath('new-run-study.png') });
  await dialog.getByRole('textbox', { name: 'Epochs' }).fill('3');
  await dialog.getByRole('textbox', { name: /^Seeds/ }).fill('0');
  await dialog.getByRole('button', { name: 'dataset' }).click();
  await dialog.getByRole('textbox', { name: 'dataset.p' }).fill('13');
  await expect(dialog.getByText('3 runs will start (3 variants × 1 seeds)')).toBeVisible();
  await dialog.getByRole('button', { name: 'Start', exact: true }).click();
  const table = page.getByRole('table', { name: 'Runs' });
  await expect(table.getByRole('row')).toHaveCount(4); // header + 3 runs
  for (const v of ['baseline', 'anti-flatness', 'anti-collapse'])
    await expect(table.getByText(`grokking-interventions ${v} s0`)).toBeVisible();
});

test('drop a checkpoint file on the Import view: it is uploaded to the host and previewed', async ({ host }) => {
  test.skip(
    host.kind !== 'browser',
    'Electron inspects a dropped file where it lies; Playwright can only drop in-memory files, which have no path.',
  );
  const wb = new Workbench(host.page);
  await wb.createProject('Dropped');
  await wb.goto('Import');
  const { readFileSync } = await import('node:fs');
  const bytes = readFileSync(`${process.cwd()}/test/fixtures/import/mlp_state.pt`).toString('base64');
  // Runs in the page; e2e code is typed for Node, so the DOM classes are named through globalThis.
  const transfer = await host.page.evaluateHandle((b64) => {
    const page = globalThis as unknown as {
      DataTransfer: new () => { items: { add(file: unknown): void } };
      File: new (parts: Uint8Array[], name: string) => unknown;
      atob(s: string): string;
    };
    const dt = new page.DataTransfer();
    dt.items.add(new page.File([Uint8Array.from(page.atob(b64), (c) => c.charCodeAt(0))], 'mlp_state.pt'));
    return dt;
  }, bytes);
  await host.page.getByRole('region', { name: 'Drop files here' }).dispatchEvent('drop', { dataTransfer: transfer });
  const preview = host.page.getByRole('region', { name: 'Import preview' });
  await expect(preview.getByRole('cell', { name: '0.weight' })).toBeVisible();
  await expect(preview.getByText(/uploads\/[0-9a-f]{12}\/mlp_state\.pt$/)).toBeVisible();

  // a click on the drop zone opens the browser's file chooser, and the chosen file goes the same way
  const [chooser] = await Promise.all([
    host.page.waitForEvent('filechooser'),
    host.page.getByRole('region', { name: 'Drop files here' }).click(),
  ]);
  expect(chooser.isMultiple()).toBe(true);
  await chooser.setFiles(`${process.cwd()}/test/fixtures/import/train_ckpt.pt`);
  await expect(preview.getByText(/uploads\/[0-9a-f]{12}\/train_ckpt\.pt$/)).toBeVisible();
});
