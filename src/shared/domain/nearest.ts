/** "Did you mean ...?" for a mistyped name: nearest candidates by edit distance. Pure and isomorphic. */

/** Levenshtein distance (insert, delete, substitute; each costs 1). */
export function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) row[j] = Math.min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = row;
  }
  return prev[b.length];
}

/** Case and separators do not count: weight_decay, weight-decay and WeightDecay all read as weightdecay. */
const fold = (s: string) => s.toLowerCase().replace(/[_\-\s]/g, '');
/** The initials of a multi-word name (learning_rate -> lr, batchSize -> bs), for the usual abbreviations. */
const initials = (s: string) => {
  const words = s
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .split(/[_\-\s]+/)
    .filter(Boolean);
  return words.length > 1
    ? words
        .map((w) => w[0])
        .join('')
        .toLowerCase()
    : null;
};

/**
 * The candidates nearest to `word` (at most `max`, closest first), or none when nothing is close: within
 * a third of the word's length (at least 2 edits), ignoring case and _ or -, or equal to its initials.
 */
export function nearest(word: string, candidates: readonly string[], max = 3): string[] {
  const w = fold(word);
  const abbrev = initials(word);
  const limit = Math.max(2, Math.floor(w.length / 3));
  return candidates
    .map((c, i) => ({ c, i, d: abbrev !== null && fold(c) === abbrev ? 0 : editDistance(w, fold(c)) }))
    .filter((x) => x.d <= limit)
    .sort((x, y) => x.d - y.d || x.i - y.i)
    .slice(0, max)
    .map((x) => x.c);
}

/** " Did you mean 'a' or 'b'?" (with a leading space), or '' when nothing is near. */
export function didYouMean(word: string, candidates: readonly string[], quote = (s: string) => `'${s}'`): string {
  const near = nearest(word, candidates);
  if (!near.length) return '';
  const list = near.length === 1 ? quote(near[0]) : `${near.slice(0, -1).map(quote).join(', ')} or ${quote(near.at(-1)!)}`;
  return ` Did you mean ${list}?`;
}
