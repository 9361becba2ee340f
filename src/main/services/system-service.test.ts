import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createApp } from '../app/create-app';
import { testApp } from '../test/test-app';

let cleanup: () => Promise<void> = async () => {};
afterEach(() => cleanup());

describe('system service', () => {
  it('has no file dialog on hosts without one, and says what to do instead', async () => {
    const t = testApp();
    cleanup = t.dispose;
    await expect(t.client.system.pickPath({ kind: 'file' })).rejects.toMatchObject({
      code: 'Unavailable',
      message: expect.stringMatching(/drop files on the Import view/),
    });
  });

  it("passes the desktop host's dialog through, cancel included", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'plateau-sys-'));
    const asked: string[] = [];
    const app = createApp({
      dataDir: dir,
      host: 'memory',
      pickPath: async (kind) => {
        asked.push(kind);
        return kind === 'folder' ? '/data/run-3' : null;
      },
    });
    cleanup = async () => {
      await app.close();
      rmSync(dir, { recursive: true, force: true });
    };
    expect(await app.dispatch('system.pickPath', { kind: 'folder' })).toEqual({ ok: true, result: { path: '/data/run-3' } });
    expect(await app.dispatch('system.pickPath', { kind: 'file' })).toEqual({ ok: true, result: { path: null } });
    expect(asked).toEqual(['folder', 'file']);
    expect((await app.dispatch('system.pickPath', { kind: 'disk' })).ok).toBe(false);
  });
});
