import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PlateauError } from '../../../../shared/api/errors';
import { DEBIAN_FORTUNES_DIR, findFortuneLanguage, listFortuneLanguages, readFortunes } from './fortunes';

const root = mkdtempSync(join(tmpdir(), 'plateau-fortunes-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const FIXTURE = readFileSync(join(__dirname, '../../../../../test/fixtures/text/tiny.fortunes'));

function put(rel: string, content: string | Buffer = 'x\n%\ny\n') {
  mkdirSync(join(root, rel, '..'), { recursive: true });
  writeFileSync(join(root, rel), content);
}

// The layout Debian's packages give (see each package's file list): English at the top level with .dat indexes
// and .u8 links, languages in folders, offensive sections in off/, fortunes-it's top-level links into it/,
// fortunes-br's top-level `brasil`, a folder of another package's language, Esperanto in a legacy encoding.
put('fortunes', FIXTURE);
put('fortunes.dat', Buffer.from([0, 0, 0, 2]));
symlinkSync('fortunes', join(root, 'fortunes.u8'));
put('science', 'E = mc^2\n%\n');
put('off/racism', 'nope\n%\n');
put('de/zitate', 'Eins\n%\nZwei\n%\n');
put('de/zitate.dat', Buffer.from([1]));
put('es/refranes.fortunes', 'Uno\n%\n');
put('es/off/x.fortunes', 'no\n%\n');
put('it/adams', 'Quarantadue\n%\n');
symlinkSync('it/adams', join(root, 'adams'));
put('brasil', 'Saudade\n%\n');
put('sv/debian-hints', 'Hej\n%\n');
put('eo-iso3/proverbaro', Buffer.from([0xf8, 0x0a]));

describe('fortunes languages', () => {
  it('lists installed languages with their files (no .dat, .u8, links, off/ or foreign top-level files)', () => {
    const langs = listFortuneLanguages(root);
    expect(langs.map((l) => [l.code, l.package])).toEqual([
      ['en', 'fortunes'],
      ['de', 'fortunes-de'],
      ['es', 'fortunes-es'],
      ['it', 'fortunes-it'],
      ['pt', 'fortunes-br'],
      ['sv', null],
    ]);
    expect(langs[0].files).toEqual([join(root, 'fortunes'), join(root, 'science')]);
    expect(langs[2].files).toEqual([join(root, 'es/refranes.fortunes')]);
    expect(langs[4].files).toEqual([join(root, 'brasil')]);
  });

  it('reads every record of a language as a document', () => {
    const docs = readFortunes('en', root);
    expect(docs.map((d) => d.text)).toEqual([
      'A fool and his money\nare soon parted.',
      'Two lines,\n\nwith a blank one inside.\n\t\t-- Anon',
      'Ünïcödé: naïve café 🙂',
      'E = mc^2',
    ]);
    expect(docs[3].source).toBe(`${join(root, 'science')} (record 1)`);
    expect(readFortunes('de', root).map((d) => d.text)).toEqual(['Eins', 'Zwei']);
  });

  it('names the package to install for a missing language, and lists what is installed', () => {
    expect(() => findFortuneLanguage('ru', root)).toThrow(
      "fortunes language 'ru' (Russian) is not installed: run `apt-get install fortunes-ru` (installed: en, de, es, it, pt, sv)",
    );
    expect(() => findFortuneLanguage('xx', root)).toThrow(
      /^unknown fortunes language 'xx' \(known: en, de, es, it, fr, pl, cs, ru, pt, eo, ga, bg, zh; /,
    );
    expect(() => findFortuneLanguage('de', join(root, 'absent'))).toThrow(/`apt-get install fortunes-de` \(none installed in /);
    try {
      findFortuneLanguage('ru', root);
    } catch (err) {
      expect(err).toBeInstanceOf(PlateauError);
      expect((err as PlateauError).code).toBe('NotFound');
    }
  });

  const english = existsSync(join(DEBIAN_FORTUNES_DIR, 'fortunes'));
  it.skipIf(!english)("parses Debian's English fortunes (skipped when `fortunes` is not installed)", () => {
    const langs = listFortuneLanguages();
    expect(langs[0].code).toBe('en');
    const file = join(DEBIAN_FORTUNES_DIR, 'fortunes');
    const text = readFileSync(file, 'utf8');
    const separators = text.split('\n').filter((line) => line === '%').length;
    const docs = readFortunes('en').filter((d) => d.source.startsWith(`${file} (`));
    // every `%` line closes one record (the file ends with one); fortune-mod's .dat index counts the same
    const dat = readFileSync(`${file}.dat`);
    const numstr = dat.readUInt32BE(4);
    expect(docs.length).toBe(numstr);
    expect(docs.length).toBe(separators);
    expect(docs.every((d) => d.text.trim().length > 0 && !/^%$/m.test(d.text))).toBe(true);
  });
});
