import { execFile } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { PlateauError, unavailable } from '../../shared/api/errors';

const SYSTEM = [
  '/usr/bin/chromium',
  '/usr/bin/chromium-browser',
  '/usr/bin/google-chrome',
  '/usr/bin/google-chrome-stable',
  '/opt/google/chrome/chrome',
  '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome',
  '/Applications/Chromium.app/Contents/MacOS/Chromium',
];

/** Browsers Playwright downloaded (newest first), for machines without a system Chromium. */
function playwrightBrowsers(): string[] {
  const root =
    process.env.PLAYWRIGHT_BROWSERS_PATH ||
    join(homedir(), process.platform === 'darwin' ? 'Library/Caches/ms-playwright' : '.cache/ms-playwright');
  let dirs: string[];
  try {
    dirs = readdirSync(root)
      .filter((d) => d.startsWith('chromium-'))
      .sort((a, b) => Number(b.split('-')[1]) - Number(a.split('-')[1]));
  } catch {
    return [];
  }
  return dirs.flatMap((d) =>
    ['chrome-linux/chrome', 'chrome-linux64/chrome', 'chrome-mac/Chromium.app/Contents/MacOS/Chromium', 'chrome-win/chrome.exe'].map((p) =>
      join(root, d, p),
    ),
  );
}

export const NO_BROWSER =
  'No Chromium or Chrome found for PDF and PNG output. Install one (apt-get install chromium, or npx playwright install chromium), ' +
  'or point PLATEAU_CHROMIUM at its executable.';

/** The headless browser to print with: PLATEAU_CHROMIUM, a system Chromium/Chrome, else Playwright's; undefined if none. */
export function findChromium(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env.PLATEAU_CHROMIUM) {
    if (!existsSync(env.PLATEAU_CHROMIUM)) throw unavailable(`PLATEAU_CHROMIUM is set to ${env.PLATEAU_CHROMIUM}, which does not exist.`);
    return env.PLATEAU_CHROMIUM;
  }
  return [...SYSTEM, ...playwrightBrowsers()].find((p) => existsSync(p));
}

/** Flags that keep a headless run offline, quiet and isolated from any user profile. */
const BASE_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--hide-scrollbars',
  '--mute-audio',
];

/**
 * Runs the browser once on a file URL with extra flags (argv through execFile, never a shell) in a
 * throwaway profile, and checks that it wrote `expectOut`.
 */
export async function runChromium(url: string, flags: string[], expectOut: string, timeoutMs = 60_000): Promise<void> {
  const bin = findChromium();
  if (!bin) throw unavailable(NO_BROWSER);
  const profile = await mkdtemp(join(tmpdir(), 'plateau-chromium-'));
  try {
    await new Promise<void>((resolve, reject) => {
      execFile(
        bin,
        [...BASE_FLAGS, `--user-data-dir=${profile}`, ...flags, url],
        { timeout: timeoutMs, killSignal: 'SIGKILL', maxBuffer: 4 << 20 },
        (err, _stdout, stderr) => {
          if (!err) return resolve();
          const why = (err as { killed?: boolean }).killed ? `timed out after ${timeoutMs / 1000} s` : err.message.split('\n')[0];
          reject(new PlateauError('Internal', `Headless ${bin} failed: ${why}`, { stderr: String(stderr).slice(-2000) }));
        },
      );
    });
    const st = await stat(expectOut).catch(() => undefined);
    if (!st?.size) throw new PlateauError('Internal', `Headless ${bin} exited without writing ${expectOut}.`);
  } finally {
    await rm(profile, { recursive: true, force: true });
  }
}
