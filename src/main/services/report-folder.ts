import { isAbsolute, relative, resolve } from 'node:path';
import { invalid } from '../../shared/api/errors';
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
