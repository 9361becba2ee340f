/** A one-line terminal progress bar (stderr), redrawn at most 10 times a second. */
export function progressBar(label: string, total: number) {
  const tty = process.stderr.isTTY;
  const started = Date.now();
  let last = 0;
  const draw = (n: number, note: string, force = false) => {
    const now = Date.now();
    if (!force && n < total && now - last < 100) return;
    last = now;
    const frac = Math.min(1, n / total);
    const width = 24;
    const filled = Math.round(frac * width);
    const eta = frac > 0 ? (((now - started) / 1000) * (1 - frac)) / frac : 0;
    const line = `${label} [${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${n}/${total}  ${note}  eta ${eta.toFixed(0)}s`;
    if (tty) process.stderr.write(`\r${line}\x1b[K`);
    else if (force || frac === 1) process.stderr.write(`${line}\n`);
  };
  return {
    update: (n: number, note = '') => draw(n, note),
    done: () => {
      if (tty) process.stderr.write('\n');
    },
  };
}
