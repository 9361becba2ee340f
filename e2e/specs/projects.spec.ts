import { expect, test } from '../fixtures';
import { Workbench } from '../pages/workbench';

test('create a project, see it, reload, and it is still there', async ({ host }, testInfo) => {
  const wb = new Workbench(host.page);
  await expect(host.page.getByRole('status', { name: 'No projects yet' })).toBeVisible();
  await wb.createProject('Grokking interventions');
  await expect(wb.projectRow('Grokking interventions')).toBeVisible();
  await expect(host.page.getByRole('combobox', { name: 'Current project' })).toHaveValue('Grokking interventions');
  await host.page.screenshot({ path: testInfo.outputPath('projects.png') });

  await host.reload();
  await expect(wb.projectRow('Grokking interventions')).toBeVisible();
  await wb.goto('Runs');
  await expect(host.page.getByRole('status', { name: 'No runs in this project yet' })).toBeVisible();
  await host.page.screenshot({ path: testInfo.outputPath('runs.png') });
});

test('rename and remove a project, with confirmation', async ({ host }) => {
  const wb = new Workbench(host.page);
  await wb.createProject('Draft');
  await host.page.getByRole('button', { name: 'Rename Draft' }).click();
  const dialog = host.page.getByRole('dialog');
  await dialog.getByRole('textbox', { name: 'Name' }).fill('Width sweep');
  await dialog.getByRole('button', { name: 'Rename' }).click();
  await expect(wb.projectRow('Width sweep')).toBeVisible();

  await host.page.getByRole('button', { name: 'Remove Width sweep' }).click();
  await expect(host.page.getByRole('dialog')).toContainText('cannot be undone');
  await host.page.getByRole('button', { name: 'Keep it' }).click();
  await expect(wb.projectRow('Width sweep')).toBeVisible();
  await host.page.getByRole('button', { name: 'Remove Width sweep' }).click();
  await host.page.getByRole('button', { name: 'Remove project' }).click();
  await expect(host.page.getByRole('status', { name: 'No projects yet' })).toBeVisible();
});

test('an invalid action shows a readable error next to its cause', async ({ host }) => {
  const wb = new Workbench(host.page);
  await wb.createProject('Baseline');
  await expect(wb.projectRow('Baseline')).toBeVisible();
  await wb.createProject('baseline');
  await expect(host.page.getByText("A project named 'baseline' already exists. Choose another name.")).toBeVisible();
  await wb.createProject('   ');
  await expect(host.page.getByText('name: must not be empty')).toBeVisible();
});

test('the browser host refuses requests without the token', async ({ host, request }) => {
  test.skip(host.kind !== 'browser', 'Electron has no HTTP surface: IPC only.');
  const health = await request.get(`${host.origin}/healthz`);
  expect(health.status()).toBe(200);
  const page = await request.get(`${host.origin}/`, { headers: { cookie: '' } });
  expect(page.status()).toBe(401);
  const rpc = await request.post(`${host.origin}/rpc/projects.list`, { data: {} });
  expect(rpc.status()).toBe(401);
  expect((await rpc.json()).error.message).toContain('access token');
  const wrong = await request.post(`${host.origin}/rpc/projects.list`, { data: {}, headers: { authorization: 'Bearer not-the-token' } });
  expect(wrong.status()).toBe(401);
  const right = await request.post(`${host.origin}/rpc/projects.list`, { data: {}, headers: { authorization: `Bearer ${host.token}` } });
  expect(await right.json()).toEqual({ ok: true, result: [] });
});

test('settings: jobs at once and threads per job are saved and shown again', async ({ host }, testInfo) => {
  const page = host.page;
  await page.getByRole('button', { name: 'Settings' }).click();
  const dialog = page.getByRole('dialog', { name: 'Settings' });
  const jobs = dialog.getByRole('textbox', { name: 'Jobs at once' });
  await expect(jobs).not.toHaveValue('');
  await jobs.fill('3');
  await dialog.getByRole('textbox', { name: 'Threads per job' }).fill('1');
  await page.screenshot({ path: testInfo.outputPath('settings.png') });
  await dialog.getByRole('button', { name: 'Save' }).click();
  await expect(dialog).toBeHidden();
  await host.reload();
  await page.getByRole('button', { name: 'Settings' }).click();
  await expect(page.getByRole('textbox', { name: 'Jobs at once' })).toHaveValue('3');
  await expect(page.getByRole('textbox', { name: 'Threads per job' })).toHaveValue('1');
});
