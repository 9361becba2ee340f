import { invalid } from '../../../shared/api/errors';
import { readDataFile } from './read-file';

export interface RawSplit {
  inputs: Float32Array;
  /** Labels as read (checked to be class indices later). */
  labels: ArrayLike<number>;
  n: number;
  dim: number;
  /** The file the labels came from, for error messages. */
  labelSource: string;
}

/**
 * Parses a CSV of numbers: one row per sample, the label in the last column or in `labelColumn`
 * (named in the header row). Rows and columns in errors are 1-based as a spreadsheet shows them.
 */
export function parseCsv(text: string, source: string, opts: { header?: boolean; labelColumn?: string } = {}): RawSplit {
  const lines = text.split(/\r?\n/);
  while (lines.length > 0 && lines[lines.length - 1].trim() === '') lines.pop();
  let first = 0;
  let cols = -1;
  let labelAt = -1;
  if (opts.header || opts.labelColumn !== undefined) {
    if (lines.length === 0) throw invalid(`${source}: empty file (expected a header row)`, { source });
    const names = lines[0].split(',').map((s) => s.trim().replace(/^"(.*)"$/, '$1'));
    cols = names.length;
    if (opts.labelColumn !== undefined) {
      labelAt = names.indexOf(opts.labelColumn);
      if (labelAt < 0) {
        throw invalid(`${source}: dataset.labelColumn '${opts.labelColumn}' is not in the header (${names.slice(0, 20).join(', ')})`, {
          source,
          field: 'dataset.labelColumn',
        });
      }
    }
    first = 1;
  }
  const rows = lines.length - first;
  if (rows <= 0) throw invalid(`${source}: no data rows`, { source });
  if (cols < 0) cols = lines[first].split(',').length;
  if (labelAt < 0) labelAt = cols - 1;
  if (cols < 2) throw invalid(`${source}: row ${first + 1} has ${cols} column(s); need at least one feature and a label`, { source });
  const dim = cols - 1;
  const inputs = new Float32Array(rows * dim);
  const labels = new Float64Array(rows);
  for (let r = 0; r < rows; r++) {
    const cells = lines[first + r].split(',');
    if (cells.length !== cols) throw invalid(`${source}: row ${first + r + 1} has ${cells.length} columns, expected ${cols}`, { source });
    let j = 0;
    for (let c = 0; c < cols; c++) {
      const cell = cells[c].trim();
      const v = cell === '' ? NaN : Number(cell);
      if (!Number.isFinite(v)) {
        throw invalid(`${source}: non-numeric cell '${cell.slice(0, 40)}' at row ${first + r + 1}, column ${c + 1}`, {
          source,
          row: first + r + 1,
          column: c + 1,
        });
      }
      if (c === labelAt) labels[r] = v;
      else inputs[r * dim + j++] = v;
    }
  }
  return { inputs, labels, n: rows, dim, labelSource: source };
}

export function readCsv(path: string, opts: { header?: boolean; labelColumn?: string } = {}): RawSplit {
  return parseCsv(new TextDecoder().decode(readDataFile(path)), path, opts);
}
