// Builds the optional native kernels (native/kernels) with npm's own node-gyp after install. npm runs no
// install script for a linked folder, hence this; a failed build costs speed only (tfjs's kernels serve).
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const dir = fileURLToPath(new URL('../native/kernels', import.meta.url));
const gyp = process.env.npm_config_node_gyp;
const warn = (why) => console.warn(`plateau: native/kernels not built (${why}); wasm will use its own, slower kernels.`);
if (!gyp) {
  warn('run this through npm, which provides node-gyp');
} else {
  const r = spawnSync(process.execPath, [gyp, 'rebuild'], { cwd: dir, encoding: 'utf8' });
  if (r.status !== 0) warn(`node-gyp failed: ${(r.stderr || r.stdout || String(r.error)).trim().split('\n').slice(-3).join(' | ')}`);
}
