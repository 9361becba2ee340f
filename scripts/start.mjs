// `npm start`: the Electron workbench; where its binary is missing and cannot be fetched, the same UI in a browser.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const run = (cmd, args) => spawn(cmd, args, { cwd: root, stdio: 'inherit' }).on('exit', (code) => process.exit(code ?? 0));

if (!existsSync(join(root, 'out', 'main', 'cli.js'))) {
  const built = spawnSync(process.execPath, [join(root, 'node_modules', 'electron-vite', 'bin', 'electron-vite.js'), 'build'], {
    cwd: root,
    stdio: 'inherit',
  });
  if (built.status !== 0) process.exit(built.status ?? 1);
}

function electronBinary() {
  let pkg;
  try {
    pkg = dirname(createRequire(import.meta.url).resolve('electron/package.json'));
  } catch {
    return undefined;
  }
  const pathTxt = join(pkg, 'path.txt');
  const present = () => existsSync(pathTxt) && existsSync(join(pkg, 'dist', readFileSync(pathTxt, 'utf8')));
  if (present()) return join(pkg, 'dist', readFileSync(pathTxt, 'utf8'));
  // Electron 45 downloads its binary on first launch; try once, quietly, with a deadline.
  spawnSync(process.execPath, [join(pkg, 'install.js')], { stdio: 'ignore', timeout: 180_000 });
  return present() ? join(pkg, 'dist', readFileSync(pathTxt, 'utf8')) : undefined;
}

const electron = process.env.PLATEAU_BROWSER ? undefined : electronBinary();
if (electron) {
  run(electron, [root]);
} else {
  console.log(
    'Electron is not available here (its binary is missing and could not be downloaded); serving the workbench to your browser instead.',
  );
  run(process.execPath, [join(root, 'bin', 'plateau.mjs'), 'serve', ...process.argv.slice(2)]);
}
