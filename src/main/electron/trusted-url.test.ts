import { describe, expect, it } from 'vitest';
import { appUrlCheck } from './trusted-url';

describe('appUrlCheck (which frames may call the core over IPC)', () => {
  const ok = appUrlCheck('/opt/plateau/out/renderer/index.html');
  it('accepts the built renderer with any route, query or hash', () => {
    expect(ok('file:///opt/plateau/out/renderer/index.html')).toBe(true);
    expect(ok('file:///opt/plateau/out/renderer/index.html#/runs?x=1')).toBe(true);
  });
  it('refuses other files, other schemes, look-alike paths and junk', () => {
    for (const url of [
      'file:///opt/plateau/out/renderer/other.html',
      'file:///tmp/index.html',
      'https://evil.example/',
      'file:///opt/plateau/out/renderer/index.html.evil',
      'http://localhost:5173/',
      'about:blank',
      'not a url',
      '',
      undefined,
    ]) {
      expect(ok(url), String(url)).toBe(false);
    }
  });
  it('accepts the dev server origin only when one is given', () => {
    const dev = appUrlCheck('/opt/plateau/out/renderer/index.html', 'http://localhost:5173');
    expect(dev('http://localhost:5173/#/compare')).toBe(true);
    expect(dev('http://localhost:5174/')).toBe(false);
    expect(dev('http://127.0.0.1:5173/')).toBe(false);
  });
});
