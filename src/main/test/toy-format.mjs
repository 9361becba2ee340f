// A toy import format as a plugin (PLATEAU_PLUGINS): a 'TOY1' line, then one tensor a line as
// `name shape values...` (shape like 2x3). The whole extension in one file.
import { readFile } from 'node:fs/promises';

export const importFormat = {
  id: 'toy',
  label: 'Toy text tensors',
  extensions: ['toy'],
  sniff: (p) => new TextDecoder().decode(p.head.subarray(0, 5)) === 'TOY1\n',
  inspect: async (path) => {
    const lines = (await readFile(path, 'utf8')).trim().split('\n').slice(1);
    const tensors = lines.map((line, i) => {
      const [name, shape, ...values] = line.trim().split(/\s+/);
      const dims = shape?.split('x').map(Number) ?? [];
      const data = Float32Array.from(values.map(Number));
      if (!name || dims.some((d) => !Number.isInteger(d)) || dims.reduce((a, b) => a * b, 1) !== data.length) {
        throw new Error(`${path}: line ${i + 2} is not 'name shape values...'`);
      }
      return { name, shape: dims, dtype: 'f4', data };
    });
    return {
      format: 'toy',
      source: path,
      tensors: tensors.map(({ name, shape, dtype }) => ({ name, shape, dtype })),
      load: async (names) => tensors.filter((t) => !names || names.includes(t.name)),
    };
  },
};
