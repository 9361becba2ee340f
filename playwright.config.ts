import { defineConfig } from '@playwright/test';
import { electronBinary, findChromium } from './e2e/browsers';

const executablePath = findChromium();
if (!electronBinary()) {
  console.log(
    'e2e: the electron project will skip: no Electron binary here (Electron downloads it at first launch, and this network blocks that). The browser project runs the same specs.',
  );
}

/** One suite, two hosts: the browser host in Chromium (everywhere), and Electron (where its binary exists). */
export default defineConfig({
  testDir: './e2e/specs',
  outputDir: './test-results',
  timeout: 60_000,
  expect: { timeout: 10_000 },
  fullyParallel: false,
  workers: 1,
  reporter: process.env.CI ? 'line' : 'list',
  use: {
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
    launchOptions: {
      executablePath,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    },
    viewport: { width: 1280, height: 800 },
  },
  projects: [
    { name: 'browser', use: { browserName: 'chromium' }, metadata: { host: 'browser' } },
    { name: 'electron', metadata: { host: 'electron' } },
  ],
});
