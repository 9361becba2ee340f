// `npm test`: typecheck, lint, format check, unit and integration tests (Vitest), then the e2e suite (Playwright) on a fresh build.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bin = (pkg, file) => join(root, 'node_modules', pkg, file);
/** What Prettier keeps formatted (`npm run format` rewrites them). */
const FORMATTED = ['src/**/*.{ts,tsx}', 'e2e/**/*.ts', 'scripts/**/*.{mjs,ts}', 'bin/*.mjs', '*.ts', 'eslint.config.js'];
const steps = [
  ['typecheck (node)', bin('typescript', 'bin/tsc'), ['-p', 'tsconfig.node.json', '--noEmit']],
  ['typecheck (web)', bin('typescript', 'bin/tsc'), ['-p', 'tsconfig.web.json', '--noEmit']],
  ['lint', bin('eslint', 'bin/eslint.js'), ['.', '--max-warnings', '0']],
  ['format', bin('prettier', 'bin/prettier.cjs'), ['--check', '--log-level', 'warn', ...FORMATTED]],
  ['build', bin('electron-vite', 'bin/electron-vite.js'), ['build']], // CLI and worker tests run the built entries
  ['unit and integration', bin('vitest', 'vitest.mjs'), ['run']],
  ['e2e', bin('@playwright/test', 'cli.js'), ['test']],
];
for (const [name, script, args] of steps) {
  console.log(`\n== ${name} ==`);
  const r = spawnSync(process.execPath, [script, ...args, ...(name === 'e2e' ? process.argv.slice(2) : [])], {
    cwd: root,
    stdio: 'inherit',
  });
  if (r.status !== 0) {
    console.error(`\nnpm test: the ${name} step failed.`);
    process.exit(r.status ?? 1);
  }
}
