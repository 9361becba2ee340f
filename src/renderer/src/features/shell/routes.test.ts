import { describe, expect, it } from 'vitest';
import { splitHash } from './routes';

describe('hash routes', () => {
  it('splits a route from its query, and sends unknown routes to Projects', () => {
    expect(splitHash('#/compare?runs=1%2C2&x=step')).toEqual(['compare', 'runs=1%2C2&x=step']);
    expect(splitHash('#/runs')).toEqual(['runs', '']);
    expect(splitHash('#compare/extra?a=1')).toEqual(['compare', 'a=1']);
    expect(splitHash('#/nowhere?runs=1')).toEqual(['projects', 'runs=1']);
    expect(splitHash('')).toEqual(['projects', '']);
  });
});
