import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
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

  it('shows report files in the file manager, and nothing outside reports/ (links followed)', async () => {
    const dir = realpathSync(mkdtempSync(join(tmpdir(), 'plateau-sys-')));
    const shown: string[] = [];
    const app = createApp({ dataDir: dir, host: 'memory', showInFolder: (p) => shown.push(p) });
    cleanup = async () => {
      await app.close();
      rmSync(dir, { recursive: true, force: true });
    };
    mkdirSync(join(dir, 'reports', 'r1'), { recursive: true });
    writeFileSync(join(dir, 'reports', 'r1', 'report.html'), '<p>hi</p>');
    writeFileSync(join(dir, 'secret.txt'), 'no');
    symlinkSync(join(dir, 'secret.txt'), join(dir, 'reports', 'r1', 'link.txt'));
    const file = join(dir, 'reports', 'r1', 'report.html');
    expect(await app.dispatch('system.showInFolder', { path: file })).toEqual({ ok: true, result: { shown: file } });
    expect(await app.dispatch('system.showInFolder', { path: 'r1/report.html' })).toEqual({ ok: true, result: { shown: file } });
    for (const path of [join(dir, 'secret.txt'), join(dir, 'reports', 'r1', 'link.txt'), join(dir, 'reports', '..', 'secret.txt')]) {
      expect(await app.dispatch('system.showInFolder', { path })).toMatchObject({
        ok: false,
        error: { code: 'InvalidParams', message: expect.stringMatching(/not a report file/) },
      });
    }
    expect(await app.dispatch('system.showInFolder', { path: 'r1/none.html' })).toMatchObject({ ok: false, error: { code: 'NotFound' } });
    expect(await app.dispatch('system.showInFolder', { path: 'r1' })).toMatchObject({
      ok: false,
      error: { message: expect.stringMatching(/is a folder/) },
    });
    expect(shown).toEqual([file, file]);
  });

  it('has no file manager on the browser host', async () => {
    const t = testApp();
    cleanup = t.dispose;
    await expect(t.client.system.showInFolder({ path: '/tmp/x' })).rejects.toMatchObject({
      code: 'Unavailable',
      message: expect.stringMatching(/download the report/),
    });
  });
});
