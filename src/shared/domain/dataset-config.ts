/**
 * Dataset configuration: the built-in datasets and the files a user points at. Isomorphic (zod only);
 * part of the training config (train-config.ts).
 */
import { z } from 'zod';
import { int, oneOf, positive, unitOpen } from './config-fields';
import { kindRegistry, registrySchema, type KindInfo } from './kinds';
import { SPLIT_NAME, SPLITS } from './types';

export const MODULAR_OPS = ['a+b', 'a-b', 'a*b', 'a/b', 'a^2+b^2', 'a^2+ab+b^2', 'a^3+ab'] as const;
export type ModularOp = (typeof MODULAR_OPS)[number];
export const NORMALIZATIONS = ['none', 'standardize'] as const;

export function isPrime(n: number): boolean {
  if (!Number.isInteger(n) || n < 2) return false;
  for (let d = 2; d * d <= n; d++) if (n % d === 0) return false;
  return true;
}

/** Options every dataset accepts. */
const dataCommon = {
  /** Fraction of training labels replaced by a different random class (test split untouched). */
  labelNoise: z.number('must be a number in [0, 1)').min(0, 'must be in [0, 1)').lt(1, 'must be in [0, 1)').default(0),
  /** Per-feature standardisation with the training split's mean and std (dense inputs only). */
  normalize: z.enum(NORMALIZATIONS, oneOf(NORMALIZATIONS)).default('none'),
};

export const modularDatasetSchema = z
  .object({
    kind: z.literal('modular'),
    p: int(2, 1000).default(97),
    op: z.enum(MODULAR_OPS, oneOf(MODULAR_OPS)).default('a+b'),
    trainFraction: unitOpen().default(0.3),
    ...dataCommon,
  })
  .superRefine((d, ctx) => {
    if (d.op === 'a/b' && !isPrime(d.p)) ctx.addIssue({ code: 'custom', path: ['p'], message: 'must be prime for op a/b' });
  });

export const gaussianMixtureSchema = z.strictObject({
  kind: z.literal('gaussian-mixture'),
  classes: int(2, 1000).default(4),
  dim: int(1, 100_000).default(16),
  /** Norm of each class mean (samples have unit-variance noise around it). */
  separation: positive().default(3),
  trainSize: int(1, 10_000_000).default(1000),
  testSize: int(1, 10_000_000).default(1000),
  ...dataCommon,
});

/** Gaussian inputs labelled by a fixed random one-hidden-layer ReLU network (the teacher). */
export const teacherStudentSchema = z.strictObject({
  kind: z.literal('teacher-student'),
  dim: int(1, 100_000).default(32),
  classes: int(2, 1000).default(4),
  teacherWidth: int(1, 100_000).default(16),
  trainSize: int(1, 10_000_000).default(1000),
  testSize: int(1, 10_000_000).default(1000),
  ...dataCommon,
});

export const sparseParitySchema = z
  .object({
    kind: z.literal('sparse-parity'),
    bits: int(1, 10_000).default(40),
    relevant: int(1, 10_000).default(3),
    trainSize: int(1, 10_000_000).default(1000),
    testSize: int(1, 10_000_000).default(1000),
    ...dataCommon,
  })
  .superRefine((d, ctx) => {
    if (d.relevant > d.bits) ctx.addIssue({ code: 'custom', path: ['relevant'], message: `must be in [1, bits=${d.bits}]` });
  });

const path = () => z.string('must be a file path').min(1, 'must be a non-empty file path');

/** Options of datasets read from files: subsets (first rows in file order) and the shared options. */
const fileData = {
  /** Use only this many training rows (default all). */
  trainSize: int(1, 1e8).optional(),
  testSize: int(1, 1e8).optional(),
  /** Subsets take the same count from every class (the first ones in file order), remainder to the lowest labels. */
  classBalanced: z.boolean().default(false),
  ...dataCommon,
};

/**
 * IDX files in the MNIST / Fashion-MNIST layout (train-images-idx3-ubyte, train-labels-idx1-ubyte,
 * t10k-*; each raw or .gz) in `dir`. Unsigned-byte pixels are scaled to [0, 1].
 */
export const idxDatasetSchema = z.strictObject({ kind: z.literal('idx'), dir: path(), ...fileData });

/** A .npz holding x_train, y_train, x_test, y_test (Keras' layout); inputs flattened per row. */
export const npzDatasetSchema = z.strictObject({ kind: z.literal('npz'), path: path(), ...fileData });

/** Four .npy files; inputs [n, ...] flattened per row, labels [n] integers. */
export const npyDatasetSchema = z.strictObject({
  kind: z.literal('npy'),
  trainInputs: path(),
  trainLabels: path(),
  testInputs: path(),
  testLabels: path(),
  ...fileData,
});

/** Two CSV files of numbers; the label is the last column, or the one named `labelColumn` in the header row. */
export const csvDatasetSchema = z.strictObject({
  kind: z.literal('csv'),
  train: path(),
  test: path(),
  /** First row holds column names (needed for labelColumn). */
  header: z.boolean().default(false),
  labelColumn: z.string().min(1, 'must be a non-empty column name').optional(),
  ...fileData,
});

/** A named evaluation set of a text dataset: a fortunes language or a text file/folder, with the set's name. */
const evalSetSchema = z
  .strictObject({
    /** The set's name in stored metrics (default: the language code). */
    name: z.string().regex(SPLIT_NAME, 'must be letters, digits and _ . + - (at most 64)').optional(),
    fortunes: z.string('must be a language code').min(1, 'must be a language code such as en, de, es').optional(),
    path: path().optional(),
    documents: z.enum(['file', 'paragraph', 'fortune'], "must be one of 'file', 'paragraph', 'fortune'").default('file'),
    /** Use only the first this many windows (default all). */
    size: int(1, 1e8).optional(),
  })
  .superRefine((e, ctx) => {
    if ((e.path === undefined) === (e.fortunes === undefined)) {
      ctx.addIssue({ code: 'custom', path: ['path'], message: 'give exactly one of path and fortunes' });
    }
    if (e.path !== undefined && e.name === undefined)
      ctx.addIssue({ code: 'custom', path: ['name'], message: 'must name a set read from a path' });
  });

/** How a text file is cut into documents: whole file, blank-line separated records, or fortune (`%` line) records. */
export const TEXT_DOCUMENT_MODES = ['file', 'paragraph', 'fortune'] as const;
/** bytes: 256 ids (round-trips any UTF-8); chars: the training split's code points + <unk>; bpe: a tokenizer.json. */
export const TEXT_TOKENIZERS = ['bytes', 'chars', 'bpe'] as const;

/**
 * A language-modelling corpus: UTF-8 text from `path` (a file or folder) or Debian's fortunes in `fortunes`
 * (a language code: en, de, es, ...), split into train/test by document with the run seed, tokenized and
 * packed into windows of `contextLength` tokens with next-token targets. `evalSets` adds named evaluation
 * sets (other languages, corpora), tokenized with the same tokenizer.
 */
export const textDatasetSchema = z
  .strictObject({
    kind: z.literal('text'),
    path: path().optional(),
    documents: z.enum(TEXT_DOCUMENT_MODES, oneOf(TEXT_DOCUMENT_MODES)).default('file'),
    fortunes: z.string('must be a language code').min(1, 'must be a language code such as en, de, es').optional(),
    tokenizer: z.enum(TEXT_TOKENIZERS, oneOf(TEXT_TOKENIZERS)).default('bytes'),
    /** The Hugging Face tokenizer.json of tokenizer 'bpe'. */
    tokenizerPath: path().optional(),
    contextLength: int(1, 65_536).default(128),
    testFraction: unitOpen().default(0.1),
    /** Use only the first this many windows of a split (default all). */
    trainSize: int(1, 1e8).optional(),
    testSize: int(1, 1e8).optional(),
    /** Named evaluation sets: each a language of the fortunes or a text path; held-out documents of the training language are `test`. */
    evalSets: z.array(evalSetSchema).max(32, 'must have at most 32 entries').default([]),
  })
  .superRefine((d, ctx) => {
    const names = d.evalSets.map((e) => e.name ?? e.fortunes ?? '');
    names.forEach((n, i) => {
      if ((SPLITS as readonly string[]).includes(n) || names.indexOf(n) !== i) {
        ctx.addIssue({ code: 'custom', path: ['evalSets', i, 'name'], message: `'${n}' is taken: give each set its own name` });
      }
    });
    if ((d.path === undefined) === (d.fortunes === undefined)) {
      const message = 'give exactly one of path (a text file or folder) and fortunes (a language code)';
      ctx.addIssue({ code: 'custom', path: ['path'], message });
    }
    if (d.tokenizer === 'bpe' && d.tokenizerPath === undefined) {
      ctx.addIssue({ code: 'custom', path: ['tokenizerPath'], message: "must be the tokenizer.json path for tokenizer 'bpe'" });
    }
    if (d.tokenizer !== 'bpe' && d.tokenizerPath !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['tokenizerPath'], message: "is only read with tokenizer 'bpe'" });
    }
  });

/** The datasets, one registered line each; a plugin registers its own (src/main/app/plugins.ts). */
export const datasetKinds = kindRegistry<KindInfo>('dataset.kind');
datasetKinds.register({
  kind: 'modular',
  label: 'Modular arithmetic',
  description: 'All pairs (a, b) mod p with the answer of an operation (grokking).',
  schema: modularDatasetSchema,
});
datasetKinds.register({
  kind: 'gaussian-mixture',
  label: 'Gaussian mixture',
  description: 'Classes drawn from Gaussians around random means.',
  schema: gaussianMixtureSchema,
});
datasetKinds.register({
  kind: 'teacher-student',
  label: 'Teacher-student',
  description: 'Labels from a random teacher network.',
  schema: teacherStudentSchema,
});
datasetKinds.register({
  kind: 'sparse-parity',
  label: 'Sparse parity',
  description: 'Parity of k hidden bits of n.',
  schema: sparseParitySchema,
});
datasetKinds.register({
  kind: 'idx',
  label: 'IDX folder (MNIST, Fashion-MNIST)',
  description: 'A folder of IDX files, as MNIST ships.',
  schema: idxDatasetSchema,
});
datasetKinds.register({
  kind: 'npz',
  label: 'NumPy .npz',
  description: 'x_train, y_train, x_test, y_test arrays.',
  schema: npzDatasetSchema,
});
datasetKinds.register({ kind: 'npy', label: 'NumPy .npy files', description: 'One .npy file per array.', schema: npyDatasetSchema });
datasetKinds.register({ kind: 'csv', label: 'CSV', description: 'Rows of features with a label column.', schema: csvDatasetSchema });
datasetKinds.register({
  kind: 'text',
  label: 'Text corpus',
  description: 'UTF-8 text or fortunes in a language, packed into next-token windows.',
  schema: textDatasetSchema,
});

type BuiltinDatasetSchema =
  | typeof modularDatasetSchema
  | typeof gaussianMixtureSchema
  | typeof teacherStudentSchema
  | typeof sparseParitySchema
  | typeof idxDatasetSchema
  | typeof npzDatasetSchema
  | typeof npyDatasetSchema
  | typeof csvDatasetSchema
  | typeof textDatasetSchema;
export const datasetSchema = registrySchema<z.output<BuiltinDatasetSchema>, z.input<BuiltinDatasetSchema>>(datasetKinds);

export type DatasetConfig = z.infer<typeof datasetSchema>;
export type ModularDatasetConfig = z.infer<typeof modularDatasetSchema>;
export type GaussianMixtureConfig = z.infer<typeof gaussianMixtureSchema>;
export type SparseParityConfig = z.infer<typeof sparseParitySchema>;
export type TeacherStudentConfig = z.infer<typeof teacherStudentSchema>;
export type IdxDatasetConfig = z.infer<typeof idxDatasetSchema>;
export type NpzDatasetConfig = z.infer<typeof npzDatasetSchema>;
export type NpyDatasetConfig = z.infer<typeof npyDatasetSchema>;
export type CsvDatasetConfig = z.infer<typeof csvDatasetSchema>;
export type TextDatasetConfig = z.infer<typeof textDatasetSchema>;
export type FileDatasetConfig = IdxDatasetConfig | NpzDatasetConfig | NpyDatasetConfig | CsvDatasetConfig;
