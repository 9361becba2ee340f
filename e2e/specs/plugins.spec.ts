import { expect, test } from '../fixtures';
import { Workbench } from '../pages/workbench';

// A model family and a dataset from plugin files (src/main/test/toy-*.mjs): the form's pickers list them, the
// form validates their settings with the schemas the core sent, and a run of them trains.
test.use({ plugins: ['src/main/test/toy-model.mjs', 'src/main/test/toy-dataset.mjs'] });

test("a plugin's model family and dataset are picked in the new-run form and train", async ({ host }, testInfo) => {
  const wb = new Workbench(host.page);
  await wb.createProject('Plugins');
  const dialog = await wb.openNewRun();
  await dialog.getByRole('button', { name: /^Model/ }).click();
  const kind = dialog.getByRole('combobox', { name: /^Architecture/ });
  await kind.click(); // holding a kind, the picker lists them all: opening it is choosing another
  for (const k of ['quadratic-mlp', 'mlp', 'gpt', 'toy-linear'])
    await expect(host.page.getByRole('option', { name: new RegExp(`^${k} `) })).toBeVisible();
  await kind.fill('toy');
  await expect(host.page.getByRole('option')).toHaveCount(1); // typing narrows it
  await host.page.getByRole('option', { name: 'toy-linear Linear softmax (toy)' }).click();
  await expect(kind).toHaveValue('toy-linear');
  await expect(dialog.getByText('Linear softmax (toy)')).toBeVisible(); // the kind's label, from the core
  // its own settings: the preset's initStd carries over (both kinds have it), quadratic-mlp's width goes
  await expect(dialog.getByRole('textbox', { name: /^Init std/i })).toBeVisible();
  await expect(dialog.getByRole('textbox', { name: /^Width model.width/ })).toHaveCount(0);
  await dialog.getByRole('button', { name: /^Dataset/ }).click();
  const data = dialog.getByRole('combobox', { name: /^Dataset dataset.kind/ });
  await data.fill('toy-blobs');
  await expect(dialog.getByRole('textbox', { name: /^Spread/i })).toHaveValue('0.5');
  await dialog.getByRole('textbox', { name: /^Spread/i }).fill('-1');
  await expect(dialog.getByText(/Too small: expected number to be >0/)).toBeVisible(); // the plugin's rule, checked here
  await dialog.getByRole('textbox', { name: /^Spread/i }).fill('0.5');
  await dialog.getByRole('textbox', { name: /^Epochs/ }).fill('5');
  await host.page.screenshot({ path: testInfo.outputPath('plugin-kinds.png') });
  await dialog.getByRole('button', { name: 'Start', exact: true }).click();
  await expect(dialog).toBeHidden();
  const detail = host.page.getByRole('region', { name: /^Run \d+$/ });
  await expect(detail.getByText('succeeded', { exact: true })).toBeVisible({ timeout: 60_000 });
});
