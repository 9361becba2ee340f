import { BrowserWindow, ipcMain } from 'electron';
import { encodeReply } from '../../shared/rpc/envelope';
import type { Dispatch } from '../rpc/dispatch';
import type { EventBus } from '../rpc/event-bus';

/**
 * Electron IPC transport: one invoke channel, one event channel; payloads go through JSON like HTTP's.
 * Only our own page may call: a frame that navigated elsewhere (or an injected iframe) is refused.
 */
export function wireIpc(dispatch: Dispatch, bus: EventBus, trusted: (url: string | undefined) => boolean): () => void {
  ipcMain.handle('plateau:invoke', async (e, method: unknown, params: unknown) => {
    if (!trusted(e.senderFrame?.url))
      return { ok: false, error: { code: 'Unavailable', message: 'Calls are accepted only from the Plateau window.' } };
    if (typeof method !== 'string') return { ok: false, error: { code: 'InvalidParams', message: 'method must be a string' } };
    return JSON.parse(encodeReply(await dispatch(method, params)));
  });
  const unsubscribe = bus.subscribe((name, payload) => {
    const wire = JSON.parse(JSON.stringify(payload));
    for (const w of BrowserWindow.getAllWindows()) {
      if (trusted(w.webContents.getURL())) w.webContents.send('plateau:event', name, wire);
    }
  });
  return () => {
    ipcMain.removeHandler('plateau:invoke');
    unsubscribe();
  };
}
