import { describe, expect, it } from 'vitest';
import { toCsv } from './export';

describe('toCsv', () => {
  it('quotes cells with commas, quotes and newlines, and leaves numbers plain', () => {
    expect(
      toCsv(
        ['run', 'value'],
        [
          ['a,b', 1.5],
          ['say "hi"', null],
          ['two\nlines', 0],
        ],
      ),
    ).toBe('run,value\r\n"a,b",1.5\r\n"say ""hi""",\r\n"two\nlines",0\r\n');
  });
});
