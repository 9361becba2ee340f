import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { FromWorker } from '../../shared/jobs/messages';
import { readCheckpoint } from '../io/checkpoint-file';
import { encodeSafetensors } from '../io/safetensors';
import { runWorker, workerEntry } from '../jobs/worker-runner';

const dir = mkdtempSync(join(tmpdir(), 'plateau-import-worker-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('import worker', () => {
  it('imports a tensor holding NaN but lists it under nonFinite in its result, with no metrics for it', async () => {
    const path = join(dir, 'nan.safetensors');
    writeFileSync(
      path,
      encodeSafetensors(
        {
          'ok.weight': { shape: [2, 2], data: Float32Array.from([3, 0, 0, 4]) },
          'nan.weight': { shape: [2, 2], data: Float32Array.from([NaN, 0, 0, 1]) },
        },
        { step: '12' },
      ),
    );
    const messages: FromWorker[] = [];
    const result = await runWorker(
      workerEntry('import'),
      { path, runDir: join(dir, 'run') },
      (m) => messages.push(m),
      new AbortController().signal,
      'thread',
    ).done;
    expect(result.nonFinite).toEqual([{ step: 12, name: 'nan.weight', count: 1 }]);
    const rows = messages.flatMap((m) => (m.type === 'metrics' ? m.rows : []));
    expect(new Set(rows.map((r) => r.layer))).toEqual(new Set(['ok.weight']));
    const ckpt = messages.find((m) => m.type === 'checkpoint');
    if (ckpt?.type !== 'checkpoint') throw new Error('no checkpoint message');
    expect(ckpt.step).toBe(12);
    expect(Number.isNaN((await readCheckpoint(ckpt.file)).weights['nan.weight'].data[0])).toBe(true);
  });
});
