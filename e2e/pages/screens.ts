import { expect, type Page, type TestInfo } from '@playwright/test';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Workbench } from './workbench';

export const SIZES = [
  { width: 1440, height: 900 },
  { width: 1280, height: 800 },
] as const;
const VIEWS = ['Projects', 'Runs', 'Compare', 'Checkpoints', 'Jobs', 'Sweeps', 'Import', 'Reports'] as const;

/**
 * Where the screenshots of every view go: test-results/screens/<project>/ (Playwright's outputDir, which CI
 * keeps as its artifacts; named here so a reviewer finds them without the per-test folder's hash).
 */
export function screensDir(testInfo: TestInfo): string {
  const dir = join(testInfo.project.outputDir, 'screens', testInfo.project.name);
  mkdirSync(dir, { recursive: true });
  return dir;
}

async function setTheme(page: Page, theme: 'light' | 'dark') {
  const html = page.locator('html');
  if ((await html.getAttribute('data-mantine-color-scheme')) !== theme)
    await page.getByRole('button', { name: 'Toggle colour theme' }).click();
  await expect(html).toHaveAttribute('data-mantine-color-scheme', theme);
}

/** Every view (and the new-run form) at 1440 x 900 and 1280 x 800, light and dark: <size>-<theme>-<view>.png. */
export async function screenshotEveryView(page: Page, testInfo: TestInfo) {
  const dir = screensDir(testInfo);
  const wb = new Workbench(page);
  const shots: string[] = [];
  for (const size of SIZES) {
    await page.setViewportSize(size);
    for (const theme of ['light', 'dark'] as const) {
      await setTheme(page, theme);
      for (const view of VIEWS) {
        await wb.goto(view);
        await page.waitForLoadState('networkidle');
        await page.waitForTimeout(300); // charts draw on the next frames
        const file = join(dir, `${size.width}x${size.height}-${theme}-${view.toLowerCase()}.png`);
        await page.screenshot({ path: file, fullPage: true });
        shots.push(file);
      }
      const dialog = await wb.openNewRun();
      const optimizer = dialog.getByRole('button', { name: 'Optimizer' });
      if ((await optimizer.getAttribute('aria-expanded')) !== 'true') await optimizer.click();
      await expect(dialog.getByRole('textbox', { name: /^Learning rate/ })).toBeVisible();
      const file = join(dir, `${size.width}x${size.height}-${theme}-new-run.png`);
      await page.screenshot({ path: file });
      shots.push(file);
      await page.keyboard.press('Escape');
      await expect(dialog).toBeHidden();
    }
  }
  await setTheme(page, 'light');
  return shots;
}
