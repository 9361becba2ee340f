/** Small statistics the UI and reports share: smoothing and rank/linear correlation. Pure, isomorphic. */

/** Exponential moving average with weight `alpha` on the past (0 = raw, 0.99 = very smooth), debiased like TensorBoard's. */
export function ema(values: readonly number[], alpha: number): number[] {
  if (alpha <= 0) return values.slice();
  const out: number[] = [];
  let acc = 0;
  let weight = 0;
  for (const v of values) {
    if (!Number.isFinite(v)) {
      out.push(v);
      continue;
    }
    acc = alpha * acc + (1 - alpha) * v;
    weight = alpha * weight + (1 - alpha);
    out.push(acc / weight);
  }
  return out;
}

/** Pearson's correlation coefficient; NaN when either side is constant or fewer than 2 pairs. */
export function pearson(x: readonly number[], y: readonly number[]): number {
  const n = Math.min(x.length, y.length);
  if (n < 2) return NaN;
  let mx = 0,
    my = 0;
  for (let i = 0; i < n; i++) {
    mx += x[i];
    my += y[i];
  }
  mx /= n;
  my /= n;
  let sxy = 0,
    sxx = 0,
    syy = 0;
  for (let i = 0; i < n; i++) {
    const dx = x[i] - mx,
      dy = y[i] - my;
    sxy += dx * dy;
    sxx += dx * dx;
    syy += dy * dy;
  }
  return sxx > 0 && syy > 0 ? sxy / Math.sqrt(sxx * syy) : NaN;
}

/** Kendall's tau-b (ties in either variable handled), O(n^2): fine for runs, not for millions of points. */
export function kendallTau(x: readonly number[], y: readonly number[]): number {
  const n = Math.min(x.length, y.length);
  if (n < 2) return NaN;
  let concordant = 0,
    discordant = 0,
    tiesX = 0,
    tiesY = 0;
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const dx = Math.sign(x[i] - x[j]);
      const dy = Math.sign(y[i] - y[j]);
      if (dx === 0 && dy === 0) continue;
      if (dx === 0) tiesX++;
      else if (dy === 0) tiesY++;
      else if (dx === dy) concordant++;
      else discordant++;
    }
  }
  const denom = Math.sqrt((concordant + discordant + tiesX) * (concordant + discordant + tiesY));
  return denom > 0 ? (concordant - discordant) / denom : NaN;
}

/** Mean and population std (ddof 0) across several aligned series, point by point. */
export function meanStd(series: readonly (readonly number[])[]): { mean: number[]; std: number[] } {
  const len = Math.min(...series.map((s) => s.length));
  const mean: number[] = [];
  const std: number[] = [];
  for (let i = 0; i < len; i++) {
    const vals = series.map((s) => s[i]).filter(Number.isFinite);
    const m = vals.reduce((a, b) => a + b, 0) / vals.length;
    mean.push(m);
    std.push(Math.sqrt(vals.reduce((a, b) => a + (b - m) ** 2, 0) / vals.length));
  }
  return { mean, std };
}
