/**
 * Largest-Triangle-Three-Buckets (Steinarsson 2013): picks `threshold` of the points so a line chart
 * keeps its visual shape (peaks and dips survive). Returns the kept indices, first and last included.
 */
export function lttbIndices(x: ArrayLike<number>, y: ArrayLike<number>, threshold: number): number[] {
  const n = Math.min(x.length, y.length);
  if (threshold >= n || threshold < 3) return Array.from({ length: n }, (_, i) => i);
  const kept = [0];
  const bucket = (n - 2) / (threshold - 2);
  let a = 0;
  for (let b = 0; b < threshold - 2; b++) {
    // The average of the next bucket is the third corner of the triangle.
    const nextStart = Math.floor((b + 1) * bucket) + 1;
    const nextEnd = Math.min(n, Math.floor((b + 2) * bucket) + 1);
    let ax = 0,
      ay = 0;
    for (let j = nextStart; j < nextEnd; j++) {
      ax += x[j];
      ay += y[j];
    }
    const count = Math.max(1, nextEnd - nextStart);
    ax /= count;
    ay /= count;
    const start = Math.floor(b * bucket) + 1;
    const end = Math.floor((b + 1) * bucket) + 1;
    let best = start;
    let bestArea = -1;
    for (let j = start; j < end; j++) {
      const area = Math.abs((x[a] - ax) * (y[j] - y[a]) - (x[a] - x[j]) * (ay - y[a]));
      if (area > bestArea) {
        bestArea = area;
        best = j;
      }
    }
    kept.push(best);
    a = best;
  }
  kept.push(n - 1);
  return kept;
}
