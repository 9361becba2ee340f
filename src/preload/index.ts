import { contextBridge, ipcRenderer } from 'electron';

/** The whole bridge: invoke a contract method, and listen to core events. Nothing else reaches the page. */
contextBridge.exposeInMainWorld('plateau', {
  invoke: (method: string, params: unknown) => ipcRenderer.invoke('plateau:invoke', method, params),
  onEvent: (listener: (name: string, payload: unknown) => void) => {
    const handler = (_e: unknown, name: string, payload: unknown) => listener(name, payload);
    ipcRenderer.on('plateau:event', handler);
    return () => ipcRenderer.removeListener('plateau:event', handler);
  },
});
