import { ESLint } from 'eslint';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

/** The folder boundaries of ARCHITECTURE.md are lint rules: each must fire where it applies and only there. */
const eslint = new ESLint({ cwd: join(__dirname, '..') });
async function restricted(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: join(__dirname, '..', file) });
  return result!.messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

describe('boundary lint rules', () => {
  it.each([
    ['src/shared/domain/x.ts', "import { readFileSync } from 'node:fs';", /isomorphic/],
    ['src/shared/domain/x.ts', "import { x } from '../../main/db/repos';", /isomorphic/],
    ['src/renderer/src/x.ts', "import { x } from '../../main/services/runs-service';", /only through renderer\/src\/api/],
    ['src/renderer/src/x.ts', "import { spawn } from 'child_process';", /only through renderer\/src\/api/],
    ['src/main/services/x.ts', "import { BrowserWindow } from 'electron';", /Only src\/main\/electron/],
    ['src/main/services/x.ts', "import * as tf from '@tensorflow/tfjs';", /workers only/],
    ['src/main/services/x.ts', "import Database from 'better-sqlite3';", /SQL lives in src\/main\/db/],
    ['src/main/workers/x.ts', "import { createRepos } from '../db/repos';", /job messages/],
  ])('%s: %s is refused', async (file, code, message) => {
    const got = await restricted(file, code);
    expect(got).toHaveLength(1);
    expect(got[0]).toMatch(message);
  });

  it.each([
    ['src/main/electron/x.ts', "import { BrowserWindow } from 'electron';"],
    ['src/main/ml/x.ts', "import * as tf from '@tensorflow/tfjs';"],
    ['src/main/db/x.ts', "import Database from 'better-sqlite3';"],
    ['src/main/services/x.ts', "import { readFileSync } from 'node:fs';"],
    ['src/renderer/src/x.ts', "import { contract } from '../../shared/api/contract';"],
  ])('%s: %s is allowed', async (file, code) => {
    expect(await restricted(file, code)).toEqual([]);
  });
});
