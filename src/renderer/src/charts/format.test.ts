import { describe, expect, it } from 'vitest';
import { escapeHtml, sig, xLabel } from './format';

describe('chart number format', () => {
  it('rounds to four significant digits without float noise', () => {
    expect(sig(0.1 + 0.2)).toBe('0.3');
    expect(sig(0.123456)).toBe('0.1235');
    expect(sig(12.3456)).toBe('12.35');
    expect(sig(-2.5)).toBe('-2.5');
    expect(sig(0)).toBe('0');
    expect(sig(1500)).toBe('1500');
  });

  it('switches to exponential notation outside [1e-3, 1e5)', () => {
    expect(sig(0.000123456)).toBe('1.235e-4');
    expect(sig(123456)).toBe('1.235e+5');
    expect(sig(2e-7)).toBe('2e-7');
    expect(sig(NaN)).toBe('NaN');
  });

  it('keeps whole x values whole and escapes names for tooltips', () => {
    expect(xLabel(123456)).toBe('123456');
    expect(xLabel(0.5)).toBe('0.5');
    expect(escapeHtml('<b>run "1"</b>')).toBe('&lt;b&gt;run &quot;1&quot;&lt;/b&gt;');
  });
});
