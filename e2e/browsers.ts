import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { chromium } from '@playwright/test';

/** Playwright's own Chromium when installed, else a system Chromium (Debian's /usr/bin/chromium). */
export function findChromium(): string | undefined {
  try {
    const own = chromium.executablePath();
    if (own && existsSync(own)) return undefined; // Playwright's default works as is
  } catch {
    /* not installed */
  }
  for (const p of [process.env.PLATEAU_CHROMIUM, '/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome']) {
    if (p && existsSync(p)) return p;
  }
  throw new Error(
    'No Chromium found for the e2e tests. Install one: `npx playwright install chromium`, or on Debian `apt-get install chromium`, or set PLATEAU_CHROMIUM to a Chromium binary.',
  );
}

/** The Electron binary if it was downloaded (Electron 45 fetches it at first launch); never triggers a download. */
export function electronBinary(): string | undefined {
  try {
    const pkg = dirname(createRequire(import.meta.url).resolve('electron/package.json'));
    const rel = join(pkg, 'path.txt');
    if (!existsSync(rel)) return undefined;
    const bin = join(pkg, 'dist', readFileSync(rel, 'utf8'));
    return existsSync(bin) ? bin : undefined;
  } catch {
    return undefined;
  }
}
