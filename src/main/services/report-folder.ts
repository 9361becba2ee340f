import { existsSync, realpathSync, statSync } from 'node:fs';
import { isAbsolute, relative, resolve, sep } from 'node:path';
import { invalid, notFound } from '../../shared/api/errors';
import { reportsDir } from '../app/paths';

const inside = (dir: string, path: string) => {
  const rel = relative(dir, path);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
};

/**
 * Where a report requested over the contract may be written: under the data folder's reports/ (a relative
 * name is taken from there), or inside a folder the user chose in the desktop app's native dialog. The
 * contract is reachable from a page, so it never writes where the user did not choose; the CLI writes
 * wherever it is told, since the user typed the path.
 */
export function reportFolder(dataDir: string, outDir: string, chosen: ReadonlySet<string>): string {
  const root = reportsDir(dataDir);
  const target = resolve(root, outDir);
  if (inside(root, target) || [...chosen].some((c) => inside(c, target))) return target;
  throw invalid(
    `Reports are written under ${root} (give a folder name, e.g. 'my-report')${chosen.size ? ' or into a folder chosen with "Choose folder"' : ''}; ${target} is outside it.`,
  );
}

/** A written report file's path under the data folder's reports/ ('/'-separated: the browser host serves it there), or null. */
export function reportsRelative(dataDir: string, file: string): string | null {
  const root = reportsDir(dataDir);
  const target = resolve(file);
  if (!inside(root, target) || target === root) return null;
  return relative(root, target).split(sep).join('/');
}

/**
 * A report file the core may hand out (download, show in the file manager): a regular file under reports/ or
 * a chosen report folder, after links are followed, so a symlink planted there cannot reach anything else.
 * Returns its real path, or throws an error value naming the problem.
 */
export function reportFile(dataDir: string, file: string, chosen: ReadonlySet<string>): string {
  const root = reportsDir(dataDir);
  const target = resolve(root, file);
  const roots = [root, ...chosen].filter((r) => existsSync(r)).map((r) => realpathSync(r));
  if (!existsSync(target)) throw notFound(`No report file at ${target}.`);
  const real = realpathSync(target);
  if (!roots.some((r) => inside(r, real))) throw invalid(`${target} is not a report file: only files under ${root} are served.`);
  if (!statSync(real).isFile()) throw invalid(`${target} is a folder, not a report file.`);
  return real;
}
