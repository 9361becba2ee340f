// After `npm install`, says once what the desktop app will do here: whether Electron's binary can be fetched
// (Electron 45 downloads it at first launch, not at install) and, on a Node older than Electron's installer
// wants, what the EBADENGINE warnings above are about. It never downloads and never fails the install.
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const ELECTRON_NODE = [22, 12]; // electron@45, @electron/get@5 and @electron-internal/extract-zip: engines node >= 22.12
const [major, minor] = process.versions.node.split('.').map(Number);
const oldNode = major < ELECTRON_NODE[0] || (major === ELECTRON_NODE[0] && minor < ELECTRON_NODE[1]);
const say = (line) => console.log(`plateau: ${line}`);

function binaryPresent() {
  try {
    const pkg = dirname(createRequire(import.meta.url).resolve('electron/package.json'));
    const rel = readFileSync(join(pkg, 'path.txt'), 'utf8');
    return existsSync(join(pkg, 'dist', rel));
  } catch {
    return false;
  }
}

/** Where @electron/get downloads from (its mirror settings, else GitHub releases); any HTTP answer means reachable. */
async function reachable() {
  const base =
    process.env.ELECTRON_MIRROR ??
    process.env.npm_config_electron_mirror ??
    process.env.electron_config_mirror ??
    'https://github.com/electron/electron/releases/download/';
  try {
    await fetch(base, { method: 'HEAD', signal: AbortSignal.timeout(8000), redirect: 'manual' });
    return { ok: true, base };
  } catch (err) {
    return { ok: false, base, why: err?.cause?.code ?? err?.name ?? String(err) };
  }
}

if (oldNode) {
  say(
    `Node ${process.versions.node} runs the CLI, the browser host and the tests; Electron 45's installer asks for Node >= ${ELECTRON_NODE.join('.')} ` +
      '(the EBADENGINE warnings above). For the desktop app use Node 22.12 or newer (README, "Requirements").',
  );
}
if (!binaryPresent() && !process.env.PLATEAU_BROWSER) {
  const probe = await reachable();
  if (probe.ok) say('the Electron binary is not here yet: Electron downloads it on the first `npm start`.');
  else
    say(
      `the Electron binary cannot be fetched from ${new URL(probe.base).host} (${probe.why}): \`npm start\` will serve the workbench ` +
        'to your browser instead and print its URL (set ELECTRON_MIRROR to a reachable mirror to get the desktop app).',
    );
}
