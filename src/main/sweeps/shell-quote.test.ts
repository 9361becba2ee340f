import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { shellLine, shellQuote } from './shell-quote';

/** What bash makes of a quoted word: the argv it would pass on, printed NUL-separated. */
const throughBash = (line: string) =>
  execFileSync('bash', ['-c', `printf '%s\\0' ${line}`], { encoding: 'utf8' })
    .split('\0')
    .slice(0, -1);

describe('shellQuote', () => {
  it('single-quotes and escapes embedded quotes', () => {
    expect(shellQuote('abc')).toBe("'abc'");
    expect(shellQuote("it's")).toBe("'it'\\''s'");
    expect(shellQuote('')).toBe("''");
  });

  it.each([
    '1; rm -rf ~',
    '$(touch /tmp/plateau-pwned)',
    '`id`',
    'a\'b"c',
    'x\ny',
    '$HOME',
    '*',
    '~',
    'a b\tc',
    "'",
    "''",
    '\\',
    '-n',
    '!!',
    '%A_%a',
  ])('bash receives %j as one literal word', (v) => {
    expect(throughBash(shellQuote(v))).toEqual([v]);
  });

  it('keeps each argv word separate', () => {
    const argv = ['sbatch', '--parsable', '--job-name=a b', "c'd", '; echo hi'];
    expect(throughBash(shellLine(argv))).toEqual(argv);
  });

  it('refuses a NUL byte, which no shell word can hold', () => {
    expect(() => shellQuote('a\0b')).toThrow(/NUL/);
  });
});
