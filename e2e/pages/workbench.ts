import { expect, type Page } from '@playwright/test';

/** Page model of the shell and the Projects view: specs speak in user actions, found by role and name. */
export class Workbench {
  constructor(readonly page: Page) {}

  async goto(view: 'Projects' | 'Runs' | 'Compare' | 'Checkpoints' | 'Jobs' | 'Sweeps' | 'Import' | 'Reports') {
    await this.page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: view }).click();
    await expect(this.page.getByRole('heading', { level: 2, name: new RegExp(`^${view}`) })).toBeVisible();
  }

  async createProject(name: string) {
    await this.goto('Projects');
    const form = this.page.getByRole('form', { name: 'New project' });
    await form.getByRole('textbox', { name: 'New project' }).fill(name);
    await form.getByRole('button', { name: 'Create project' }).click();
  }

  /** Opens Runs and its new-run form; returns the form's dialog. */
  async openNewRun() {
    await this.goto('Runs');
    await this.page.getByRole('button', { name: 'New run' }).click();
    return this.page.getByRole('dialog', { name: 'New run' });
  }

  /** Opens Runs, starts the default preset (grokking-mlp) with this many epochs, seed 0. */
  async startRun({ epochs, seeds }: { epochs: number; seeds?: string }) {
    const dialog = await this.openNewRun();
    await dialog.getByRole('textbox', { name: /^Epochs/ }).fill(String(epochs));
    if (seeds) await dialog.getByRole('textbox', { name: /^Seeds/ }).fill(seeds);
    await dialog.getByRole('button', { name: 'Start', exact: true }).click();
    await expect(dialog).toBeHidden();
  }

  projectRow(name: string) {
    return this.page.getByRole('table', { name: 'Projects' }).getByRole('row').filter({ hasText: name });
  }
}
