// `npm run bench:ui`: how fast the Compare view draws 200 runs x 10 000 points, in Chromium against the
// browser host. Prints one JSON line per figure (like `plateau bench --json`). Needs a build (npm run build).
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { chromium } from '@playwright/test';

const RUNS = 200;
const POINTS = 10_000;
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dataDir = mkdtempSync(join(tmpdir(), 'plateau-bench-ui-'));
const plateau = (...args) =>
  spawnSync(process.execPath, [join(root, 'bin/plateau.mjs'), '--data-dir', dataDir, ...args], { encoding: 'utf8' });

// Seed: one project with RUNS finished runs, each with POINTS test-accuracy values (a noisy grokking curve).
const made = plateau('--json', 'projects', 'create', 'UI bench');
if (made.status !== 0) throw new Error(made.stderr);
const db = new Database(join(dataDir, 'plateau.db'));
const seeded = performance.now();
db.transaction(() => {
  const run = db.prepare(
    `INSERT INTO runs (project_id, name, preset, config, status, seed, created_at) VALUES (1, ?, 'bench', ?, 'succeeded', ?, 0)`,
  );
  const row = db.prepare(`INSERT INTO metrics (run_id, step, epoch, split, key, value) VALUES (?, ?, ?, 'test', 'test_acc', ?)`);
  for (let r = 1; r <= RUNS; r++) {
    run.run(`bench s${r}`, JSON.stringify({ seed: r, lr: 1e-3 * (1 + (r % 4)) }), r);
    const onset = 2000 + 30 * r;
    for (let s = 1; s <= POINTS; s++) row.run(r, s, s, 1 / (1 + Math.exp(-(s - onset) / 300)) + 0.01 * Math.sin(s * r));
  }
})();
db.close();
console.error(`seeded ${RUNS} x ${POINTS} points in ${((performance.now() - seeded) / 1000).toFixed(1)} s`);

const server = spawn(
  process.execPath,
  [join(root, 'bin/plateau.mjs'), '--json', '--data-dir', dataDir, 'serve', '--port', '0', '--no-open'],
  { stdio: ['ignore', 'pipe', 'inherit'] },
);
const { url } = JSON.parse(await new Promise((resolve) => createInterface({ input: server.stdout }).once('line', resolve)));
const executablePath = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => spawnSync('test', ['-x', p]).status === 0);
const browser = await chromium.launch({ executablePath, args: ['--no-sandbox', '--disable-gpu'] });
try {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  await page.goto(url);
  await page.getByRole('link', { name: 'Runs' }).click();
  await page.getByRole('checkbox', { name: 'Select all runs' }).check();
  const clicked = performance.now();
  await page.getByRole('button', { name: `Compare ${RUNS} selected` }).click();
  const chart = page.getByRole('img', { name: 'Stacked metric charts' });
  await chart.waitFor();
  await page.waitForFunction(() => document.querySelector('[aria-label="Stacked metric charts"]')?.getAttribute('data-render-ms'), null, {
    timeout: 120_000,
  });
  const total = performance.now() - clicked;
  const render = Number(await chart.getAttribute('data-render-ms'));
  // Zoom: wheel steps over the chart; each is timed to the second animation frame after it (ECharts
  // redraws in the frame after the event), so this is the frame time a user feels while zooming.
  const zoom = await chart.evaluate(async (el) => {
    const canvas = el.querySelector('canvas');
    const r = canvas.getBoundingClientRect();
    const frames = () => new Promise((res) => requestAnimationFrame(() => requestAnimationFrame(res)));
    const times = [];
    for (let i = 0; i < 5; i++) {
      const t0 = performance.now();
      canvas.dispatchEvent(new WheelEvent('wheel', { deltaY: -120, clientX: r.left + r.width / 2, clientY: r.top + 100, bubbles: true }));
      await frames();
      times.push(performance.now() - t0);
    }
    return times.sort((a, b) => a - b)[2];
  });
  console.log(
    JSON.stringify({
      name: `ui_render_${RUNS}_runs_${POINTS}_points`,
      value: render,
      unit: 'ms',
      target: '< 1000 ms',
      total_ms_with_fetch: Math.round(total),
      zoom_frame_ms_median: Math.round(zoom),
    }),
  );
} finally {
  await browser.close();
  server.kill('SIGTERM');
  rmSync(dataDir, { recursive: true, force: true });
}
