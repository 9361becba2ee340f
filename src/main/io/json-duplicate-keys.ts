// JSON.parse keeps the last of two equal keys without a word; an index naming a tensor twice is then
// read as naming it once, in whichever shard came last. This scan finds such keys in the raw text.

/** The first key that appears twice in one JSON object of `text`, with the path of that object; null if none. Assumes valid JSON. */
export function duplicateKey(text: string): { key: string; path: string[] } | null {
  const stack: { keys: Set<string> | null; key: string }[] = [];
  let lastKey = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"') {
      let j = i + 1;
      while (text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      const top = stack.at(-1);
      let k = j + 1;
      while (k < text.length && ' \t\r\n'.includes(text[k])) k++;
      if (top?.keys && text[k] === ':') {
        const key = JSON.parse(text.slice(i, j + 1)) as string;
        if (top.keys.has(key)) return { key, path: stack.slice(1).map((s) => s.key) };
        top.keys.add(key);
        lastKey = key;
      }
      i = j;
    } else if (c === '{' || c === '[') {
      stack.push({ keys: c === '{' ? new Set() : null, key: lastKey });
    } else if (c === '}' || c === ']') stack.pop();
  }
  return null;
}
