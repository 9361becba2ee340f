/**
 * Seeded pseudo-random numbers: splitmix32 for seeding, mulberry32 for the stream.
 * Everything in the ML core that needs randomness (data, init, shuffles) draws from here,
 * so a run is reproducible from its seed independently of the tfjs backend.
 */

export interface Rng {
  /** Uniform in [0, 1). */
  next(): number;
  /** Integer in [0, n). */
  int(n: number): number;
  /** Standard normal (Box-Muller, the spare value is cached). */
  normal(): number;
  /** Fisher-Yates shuffle in place; returns the array. */
  shuffle<T extends { length: number; [i: number]: unknown }>(a: T): T;
  /** A new independent stream derived from this one (for sub-tasks that must not shift each other). */
  fork(): Rng;
}

/** Scrambles a seed so that nearby seeds (0, 1, 2, ...) give unrelated streams. */
function splitmix32(x: number): number {
  x = (x + 0x9e3779b9) | 0;
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
  return (x ^ (x >>> 16)) >>> 0;
}

export function createRng(seed: number): Rng {
  let state = splitmix32((seed >>> 0) ^ Math.floor(seed / 2 ** 32));
  let spare: number | null = null;

  const next = (): number => {
    // mulberry32
    state = (state + 0x6d2b79f5) | 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };

  const rng: Rng = {
    next,
    int: (n) => Math.floor(next() * n),
    normal: () => {
      if (spare !== null) {
        const s = spare;
        spare = null;
        return s;
      }
      let u = 0;
      while (u === 0) u = next(); // log(0) guard
      const v = next();
      const r = Math.sqrt(-2 * Math.log(u));
      spare = r * Math.sin(2 * Math.PI * v);
      return r * Math.cos(2 * Math.PI * v);
    },
    shuffle: (a) => {
      for (let i = a.length - 1; i > 0; i--) {
        const j = Math.floor(next() * (i + 1));
        const t = a[i];
        a[i] = a[j];
        a[j] = t;
      }
      return a;
    },
    fork: () => createRng(Math.floor(next() * 4294967296)),
  };
  return rng;
}

/** Float32Array of n normal draws with the given std. */
export function normalArray(rng: Rng, n: number, std = 1): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = rng.normal() * std;
  return out;
}
