/**
 * Seed-group summaries for the aggregated tables: mean, sample std, standard error and a Student-t
 * 95% confidence interval. Groups are small (a handful of seeds), where the normal 1.96 would
 * understate the interval badly (n = 3 needs 4.30), so the t quantile is computed exactly.
 */

/**
 * P(|T| <= t) for Student's t with integer `df`, from the finite series in theta = atan(t / sqrt(df))
 * (Abramowitz and Stegun 26.7.3-4): exact for integer df, with df / 2 terms.
 */
export function tTwoSidedMass(t: number, df: number): number {
  const theta = Math.atan(t / Math.sqrt(df));
  const s = Math.sin(theta);
  const c = Math.cos(theta);
  const c2 = c * c;
  if (df % 2 === 0) {
    // s * (1 + (1/2) c^2 + (1*3)/(2*4) c^4 + ... up to c^(df-2))
    let term = 1;
    let sum = 1;
    for (let k = 2; k <= df - 2; k += 2) sum += term *= (c2 * (k - 1)) / k;
    return s * sum;
  }
  if (df === 1) return (2 * theta) / Math.PI;
  // (2/pi) * (theta + s * (c + (2/3) c^3 + (2*4)/(3*5) c^5 + ... up to c^(df-2)))
  let term = c;
  let sum = c;
  for (let k = 3; k <= df - 2; k += 2) sum += term *= (c2 * (k - 1)) / k;
  return (2 / Math.PI) * (theta + s * sum);
}

/** The p-quantile of Student's t with integer df >= 1, by bisection on the exact two-sided mass. */
export function tQuantile(p: number, df: number): number {
  if (!(p > 0 && p < 1)) throw new RangeError(`tQuantile needs 0 < p < 1, got ${p}`);
  if (!Number.isInteger(df) || df < 1) throw new RangeError(`tQuantile needs an integer df >= 1, got ${df}`);
  if (p < 0.5) return -tQuantile(1 - p, df);
  if (p === 0.5) return 0;
  const mass = 2 * p - 1;
  let lo = 0;
  let hi = 1;
  while (tTwoSidedMass(hi, df) < mass) hi *= 2;
  // 200 halvings take any bracket below one ulp; stop as soon as the midpoint stops moving.
  for (let i = 0; i < 200; i++) {
    const mid = (lo + hi) / 2;
    if (mid === lo || mid === hi) break;
    if (tTwoSidedMass(mid, df) < mass) lo = mid;
    else hi = mid;
  }
  return (lo + hi) / 2;
}

export interface Summary {
  n: number;
  mean: number;
  /** Sample standard deviation (denominator n - 1); null for n = 1, where it is undefined. */
  std: number | null;
  /** std / sqrt(n); null for n = 1. */
  sem: number | null;
  /** mean -+ t(0.975, n - 1) * sem; null for n = 1. */
  ci95: [number, number] | null;
}

/** Summary of the finite values given; null when there are none. */
export function summarize(values: readonly number[]): Summary | null {
  const xs = values.filter((v) => Number.isFinite(v));
  const n = xs.length;
  if (!n) return null;
  const mean = xs.reduce((a, b) => a + b, 0) / n;
  if (n === 1) return { n, mean, std: null, sem: null, ci95: null };
  // Two passes: the sum of squared deviations keeps its precision when the values sit far from zero.
  const ss = xs.reduce((a, x) => a + (x - mean) ** 2, 0);
  const std = Math.sqrt(ss / (n - 1));
  const sem = std / Math.sqrt(n);
  const half = tQuantile(0.975, n - 1) * sem;
  return { n, mean, std, sem, ci95: [mean - half, mean + half] };
}
