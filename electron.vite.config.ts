import { resolve } from 'node:path';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'electron-vite';

export default defineConfig({
  main: {
    build: {
      // index: the Electron entry; cli: the `plateau` command (plain Node). Workers are added as entries too.
      rollupOptions: {
        input: {
          index: resolve(__dirname, 'src/main/index.ts'),
          cli: resolve(__dirname, 'src/main/cli.ts'),
          'train.worker': resolve(__dirname, 'src/main/workers/train.worker.ts'),
          'metrics.worker': resolve(__dirname, 'src/main/workers/metrics.worker.ts'),
          'import.worker': resolve(__dirname, 'src/main/workers/import.worker.ts'),
          'weights-metrics.worker': resolve(__dirname, 'src/main/workers/weights-metrics.worker.ts'),
          'checkpoint-metrics.worker': resolve(__dirname, 'src/main/workers/checkpoint-metrics.worker.ts'),
          'reader.worker': resolve(__dirname, 'src/main/workers/reader.worker.ts'),
        },
      },
    },
  },
  preload: {
    build: {
      // A sandboxed preload must be CommonJS.
      rollupOptions: {
        input: { index: resolve(__dirname, 'src/preload/index.ts') },
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: resolve(__dirname, 'src/renderer'),
    build: { rollupOptions: { input: resolve(__dirname, 'src/renderer/index.html') } },
    plugins: [react()],
  },
});
