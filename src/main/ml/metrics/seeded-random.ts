/** Small seeded generator for synthetic data (tests, bench): reproducible, not cryptographic. */
export interface SeededRandom {
  /** uniform in [0, 1) */
  uniform(): number;
  /** standard normal (Box-Muller) */
  normal(): number;
  /** integer in [0, k) */
  int(k: number): number;
}

export function seededRandom(seed: number): SeededRandom {
  // Marsaglia xorshift32; the seed is mixed once so small seeds do not start in a low-entropy state.
  let x = Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) >>> 0 || 1;
  const next = () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x;
  };
  const uniform = () => (next() * 4294967296 + next()) / 18446744073709551616;
  let spare: number | null = null;
  return {
    uniform,
    int: (k: number) => Math.floor(uniform() * k),
    normal() {
      if (spare !== null) {
        const s = spare;
        spare = null;
        return s;
      }
      const u = 1 - uniform();
      const v = uniform();
      const r = Math.sqrt(-2 * Math.log(u));
      spare = r * Math.sin(2 * Math.PI * v);
      return r * Math.cos(2 * Math.PI * v);
    },
  };
}
