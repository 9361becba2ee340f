import { BrowserWindow, ipcMain } from 'electron';
import { encodeReply } from '../../shared/rpc/envelope';
import type { Dispatch } from '../rpc/dispatch';
import type { EventBus } from '../rpc/event-bus';

/** Electron IPC transport: one invoke channel, one event channel; payloads go through JSON like HTTP's. */
export function wireIpc(dispatch: Dispatch, bus: EventBus): () => void {
  ipcMain.handle('plateau:invoke', async (_e, method: unknown, params: unknown) => {
    if (typeof method !== 'string') return { ok: false, error: { code: 'InvalidParams', message: 'method must be a string' } };
    return JSON.parse(encodeReply(await dispatch(method, params)));
  });
  const unsubscribe = bus.subscribe((name, payload) => {
    const wire = JSON.parse(JSON.stringify(payload));
    for (const w of BrowserWindow.getAllWindows()) w.webContents.send('plateau:event', name, wire);
  });
  return () => {
    ipcMain.removeHandler('plateau:invoke');
    unsubscribe();
  };
}
