// Lint: correctness rules, React hooks, and the folder boundaries of ARCHITECTURE.md as import restrictions.
import tseslint from 'typescript-eslint';
import reactHooks from 'eslint-plugin-react-hooks';

const node = ['node:*', 'fs', 'path', 'os', 'child_process', 'worker_threads', 'crypto', 'http', 'net', 'url', 'stream', 'zlib', 'module'];
const restrict = (patterns) => ['error', { patterns }];
const group = (names, message) => ({ group: names, message });

export default tseslint.config(
  { ignores: ['out/**', 'dist/**', 'node_modules/**', 'native/**', 'test-results/**', 'playwright-report/**', 'resources/**'] },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.{ts,tsx}'],
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      // a handle assigned after a callback that reads it is declared first
      'prefer-const': ['error', { ignoreReadBeforeAssign: true }],
    },
  },
  {
    // tests poke at loosely typed library objects (ECharts options)
    files: ['**/*.test.{ts,tsx}'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    files: ['src/renderer/**/*.{ts,tsx}'],
    plugins: { 'react-hooks': reactHooks },
    rules: { 'react-hooks/rules-of-hooks': 'error', 'react-hooks/exhaustive-deps': 'warn' },
  },
  // Boundaries. Later blocks for the same files replace earlier ones, so each folder lists all it may not import.
  {
    files: ['src/main/**/*.ts'],
    // the database's own reader thread, the bench harness and tests (which check files and databases directly) are exempt
    ignores: [
      'src/main/electron/**',
      'src/main/index.ts',
      'src/main/ml/**',
      'src/main/workers/**',
      'src/main/bench/**',
      'src/main/db/**',
      'src/main/sweeps/task-db.ts',
      'src/main/**/*.test.ts',
    ],
    rules: {
      'no-restricted-imports': restrict([
        group(['electron'], "Only src/main/electron and src/main/index.ts import 'electron' (the core runs on plain Node)."),
        group(['@tensorflow/*'], 'TensorFlow.js runs in workers only: reach it through a job (src/main/ml, src/main/workers).'),
        group(['better-sqlite3'], 'SQL lives in src/main/db: call a repo.'),
      ]),
    },
  },
  {
    files: ['src/main/ml/**/*.ts', 'src/main/workers/**/*.ts'],
    ignores: ['src/main/workers/reader.worker.ts'],
    rules: {
      'no-restricted-imports': restrict([
        group(['electron'], "Only src/main/electron and src/main/index.ts import 'electron'."),
        group(['better-sqlite3', '**/db/*', '**/db/repos/*'], 'Workers talk to the core through job messages, not the database.'),
      ]),
    },
  },
  {
    files: ['src/shared/**/*.ts'],
    ignores: ['src/shared/**/*.test.ts'],
    rules: {
      'no-restricted-imports': restrict([
        group(
          [...node, 'electron', 'better-sqlite3', '@tensorflow/*', '**/main/**', '**/renderer/**', '**/preload/**'],
          'src/shared is isomorphic: no Node, Electron, database, tfjs, main or renderer imports.',
        ),
      ]),
    },
  },
  {
    files: ['src/renderer/**/*.{ts,tsx}'],
    rules: {
      'no-restricted-imports': restrict([
        group(
          [...node, 'electron', 'better-sqlite3', '@tensorflow/*', '**/main/**', '**/preload/**'],
          'The renderer reaches the core only through renderer/src/api (the contract).',
        ),
      ]),
    },
  },
);
