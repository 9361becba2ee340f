/** Zod fields whose messages name the allowed range, shared by the config schemas. Isomorphic. */
import { z } from 'zod';

export const oneOf = (values: readonly string[]) => `must be one of ${values.map((v) => `'${v}'`).join(', ')}`;
export const int = (min: number, max: number) =>
  z.int(`must be an integer in [${min}, ${max}]`).min(min, `must be in [${min}, ${max}]`).max(max, `must be in [${min}, ${max}]`);
export const positive = () => z.number('must be a number > 0').gt(0, 'must be > 0').finite('must be finite');
export const unitOpen = () => z.number('must be a number in (0, 1)').gt(0, 'must be in (0, 1)').lt(1, 'must be in (0, 1)');
export const beta = () => z.number('must be a number in [0, 1)').min(0, 'must be in [0, 1)').lt(1, 'must be in [0, 1)');
export const nonNegative = () => z.number('must be a number >= 0').min(0, 'must be >= 0').finite('must be finite');
