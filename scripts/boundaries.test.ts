import { readdirSync, readFileSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join, relative, sep } from 'node:path';
import { describe, expect, it } from 'vitest';

/** The folder boundaries of ARCHITECTURE.md, checked on every import statement in src/. */
const root = join(__dirname, '..', 'src');
const files = (dir: string): string[] =>
  readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? files(p) : /\.(ts|tsx)$/.test(f) ? [p] : [];
  });
const imports = (file: string) =>
  [
    ...readFileSync(file, 'utf8').matchAll(
      /(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g,
    ),
  ].map((m) => m[1] ?? m[2]);
const isNode = (spec: string) => spec.startsWith('node:') || builtinModules.includes(spec.split('/')[0]);
const rel = (f: string) => relative(root, f).split(sep).join('/');

const all = files(root).map((f) => ({ file: rel(f), specs: imports(f) }));

describe('folder boundaries', () => {
  it('src/shared imports nothing platform-specific', () => {
    const bad = all
      .filter((f) => f.file.startsWith('shared/') && !f.file.endsWith('.test.ts')) // tests run under Node
      .flatMap((f) =>
        f.specs
          .filter((s) => isNode(s) || s === 'electron' || s === 'better-sqlite3' || s.includes('/main/') || s.includes('/renderer/'))
          .map((s) => `${f.file}: ${s}`),
      );
    expect(bad).toEqual([]);
  });

  it("only src/main/electron and src/main/index.ts import 'electron'", () => {
    const bad = all
      .filter((f) => f.file.startsWith('main/') && !f.file.startsWith('main/electron/') && f.file !== 'main/index.ts')
      .filter((f) => f.specs.includes('electron'))
      .map((f) => f.file);
    expect(bad).toEqual([]);
  });

  it('the renderer imports no Node, no Electron and nothing from main', () => {
    const bad = all
      .filter((f) => f.file.startsWith('renderer/'))
      .flatMap((f) =>
        f.specs
          .filter((s) => isNode(s) || s === 'electron' || s.includes('/main/') || s === 'better-sqlite3')
          .map((s) => `${f.file}: ${s}`),
      );
    expect(bad).toEqual([]);
  });

  it('the checker sees imports at all (guards against a regex that matches nothing)', () => {
    expect(all.find((f) => f.file === 'main/index.ts')?.specs).toContain('electron');
    expect(all.length).toBeGreaterThan(20);
  });
});
