#!/usr/bin/env node
// The `plateau` command. Runs the built CLI (npm install builds it through the `prepare` script).
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const cli = join(dirname(fileURLToPath(import.meta.url)), '..', 'out', 'main', 'cli.js');
if (!existsSync(cli)) {
  console.error("plateau: the app is not built yet. Run 'npm run build' (npm install does it too).");
  process.exit(1);
}
await import(pathToFileURL(cli).href);
