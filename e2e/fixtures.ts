import { _electron, test as base, type Page } from '@playwright/test';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { electronBinary } from './browsers';

export interface Host {
  kind: 'browser' | 'electron';
  page: Page;
  dataDir: string;
  /** Browser host only: origin and token for raw HTTP checks. */
  origin?: string;
  token?: string;
  /** Loads the app again, as a user pressing reload or restarting. */
  reload(): Promise<void>;
}

async function startServe(dataDir: string, env: NodeJS.ProcessEnv): Promise<{ child: ChildProcess; url: string; origin: string }> {
  const child = spawn(process.execPath, ['bin/plateau.mjs', '--json', '--data-dir', dataDir, 'serve', '--port', '0', '--no-open'], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env,
  });
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += d));
  const line = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`plateau serve exited with ${code}: ${stderr}`)));
  });
  const { url, origin } = JSON.parse(line) as { url: string; origin: string };
  return { child, url, origin };
}

/**
 * Each test gets its own data folder and its own host, so tests never see each other's projects.
 * `test.use({ plugins: [...] })` starts the host with those plugin modules (PLATEAU_PLUGINS).
 */
export const test = base.extend<{ host: Host; plugins: string[] }>({
  plugins: [[], { option: true }],
  host: async ({ page, plugins }, use, testInfo) => {
    const dataDir = mkdtempSync(join(tmpdir(), 'plateau-e2e-'));
    const env = { ...process.env, PLATEAU_PLUGINS: plugins.map((p) => resolve(p)).join(delimiter) };
    try {
      if (testInfo.project.metadata.host === 'electron') {
        const bin = electronBinary();
        testInfo.skip(
          !bin,
          'Electron binary not present on this machine (Electron 45 downloads it at first launch; this network blocks it). The same specs ran against the browser host.',
        );
        const app = await _electron.launch({
          executablePath: bin!,
          args: ['out/main/index.js'],
          env: { ...env, PLATEAU_HOME: dataDir },
        });
        const win = await app.firstWindow();
        await use({
          kind: 'electron',
          page: win,
          dataDir,
          reload: async () => {
            await win.reload();
          },
        });
        await app.close();
      } else {
        const { child, url, origin } = await startServe(dataDir, env);
        const token = new URL(url).searchParams.get('token') ?? undefined;
        await page.goto(url);
        await use({
          kind: 'browser',
          page,
          dataDir,
          origin,
          token,
          reload: async () => {
            await page.reload();
          },
        });
        child.kill('SIGTERM');
        await new Promise((r) => child.once('exit', r));
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  },
});
export { expect } from '@playwright/test';
