/**
 * Debian's fortune databases as built-in multilingual corpora. Each language package puts its files in a
 * folder of /usr/share/games/fortunes named by language code (English lies at the top level); every file
 * is a UTF-8 text of records separated by `%` lines, next to its `.dat` index. Found like Fashion-MNIST:
 * a fixed Debian path, with a clear error naming the package to install when a language is missing.
 */
import { existsSync, lstatSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { notFound } from '../../../../shared/api/errors';
import { readTextFile, type TextDocument } from './corpus';

/** Where Debian's `fortunes*` packages install their databases. */
export const DEBIAN_FORTUNES_DIR = '/usr/share/games/fortunes';

export interface FortuneLanguage {
  code: string;
  name: string;
  /** The Debian package that installs it (`apt-get install <package>`). */
  package: string;
  /** Its folder under the fortunes root ('' = the top level). */
  dir: string;
  /** Top-level files that belong to it (packages that install beside the English files). */
  topLevel?: (name: string) => boolean;
}

const BR_TOP = (name: string) => name === 'brasil' || name.startsWith('mario.');
const ZH_TOP = (name: string) => ['chinese', 'song100', 'tang300'].includes(name);

/** The known languages, from each package's file list (bookworm); folders not listed here are still found. */
export const FORTUNE_LANGUAGES: readonly FortuneLanguage[] = [
  { code: 'en', name: 'English', package: 'fortunes', dir: '', topLevel: (n) => !BR_TOP(n) && !ZH_TOP(n) },
  { code: 'de', name: 'German', package: 'fortunes-de', dir: 'de' },
  { code: 'es', name: 'Spanish', package: 'fortunes-es', dir: 'es' },
  { code: 'it', name: 'Italian', package: 'fortunes-it', dir: 'it' },
  // bookworm has no fortunes-fr; the Debian hints package is the one that installs fr/
  { code: 'fr', name: 'French (Debian hints)', package: 'fortunes-debian-hints', dir: 'fr' },
  { code: 'pl', name: 'Polish', package: 'fortunes-pl', dir: 'pl' },
  { code: 'cs', name: 'Czech and Slovak', package: 'fortunes-cs', dir: 'cs' },
  { code: 'ru', name: 'Russian', package: 'fortunes-ru', dir: 'ru' },
  { code: 'pt', name: 'Portuguese (Brazilian)', package: 'fortunes-br', dir: 'pt', topLevel: BR_TOP },
  { code: 'eo', name: 'Esperanto', package: 'fortunes-eo', dir: 'eo' },
  { code: 'ga', name: 'Irish', package: 'fortunes-ga', dir: 'ga' },
  { code: 'bg', name: 'Bulgarian', package: 'fortunes-bg', dir: 'bg' },
  { code: 'zh', name: 'Chinese', package: 'fortunes-zh', dir: 'zh_CN', topLevel: ZH_TOP },
];

/** Folders that are not languages of their own: offensive sections and Esperanto in other encodings. */
const NOT_LANGUAGES = new Set(['off', 'eo-ascii', 'eo-iso3']);

export interface InstalledFortunes {
  code: string;
  name: string;
  package: string | null;
  files: string[];
}

/** Database files of a folder: regular files (links are other packages' aliases), no index, no hidden, no `off/`. */
function databases(dir: string, keep: (name: string) => boolean = () => true): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((n) => !n.startsWith('.') && !n.endsWith('.dat') && !n.endsWith('.u8') && keep(n))
    .sort()
    .map((n) => join(dir, n))
    .filter((p) => lstatSync(p).isFile());
}

function isDir(p: string): boolean {
  return lstatSync(p).isDirectory();
}

/** The languages installed under `root`, known ones first in table order, then other language folders by name. */
export function listFortuneLanguages(root: string = DEBIAN_FORTUNES_DIR): InstalledFortunes[] {
  if (!existsSync(root)) return [];
  const out: InstalledFortunes[] = [];
  for (const lang of FORTUNE_LANGUAGES) {
    const inDir = lang.dir && existsSync(join(root, lang.dir)) && isDir(join(root, lang.dir)) ? databases(join(root, lang.dir)) : [];
    const top = lang.topLevel ? databases(root, lang.topLevel) : [];
    const files = [...top, ...inDir];
    if (files.length > 0) out.push({ code: lang.code, name: lang.name, package: lang.package, files });
  }
  const known = new Set(FORTUNE_LANGUAGES.map((l) => l.dir));
  for (const name of readdirSync(root).sort()) {
    const p = join(root, name);
    if (known.has(name) || NOT_LANGUAGES.has(name) || name.startsWith('.') || !isDir(p)) continue;
    const files = databases(p);
    if (files.length > 0) out.push({ code: name, name, package: null, files });
  }
  return out;
}

/** One installed language; a missing one is an error naming the package that installs it. */
export function findFortuneLanguage(code: string, root: string = DEBIAN_FORTUNES_DIR): InstalledFortunes {
  const installed = listFortuneLanguages(root);
  const found = installed.find((l) => l.code === code);
  if (found) return found;
  const have = installed.length > 0 ? `installed: ${installed.map((l) => l.code).join(', ')}` : `none installed in ${root}`;
  const known = FORTUNE_LANGUAGES.find((l) => l.code === code);
  if (known) {
    throw notFound(`fortunes language '${code}' (${known.name}) is not installed: run \`apt-get install ${known.package}\` (${have})`, {
      field: 'dataset.language',
      value: code,
    });
  }
  throw notFound(`unknown fortunes language '${code}' (known: ${FORTUNE_LANGUAGES.map((l) => l.code).join(', ')}; ${have})`, {
    field: 'dataset.language',
    value: code,
  });
}

/** Every record of a language's databases, one document each. */
export function readFortunes(code: string, root: string = DEBIAN_FORTUNES_DIR): TextDocument[] {
  return findFortuneLanguage(code, root).files.flatMap((f) => readTextFile(f, 'fortune'));
}
