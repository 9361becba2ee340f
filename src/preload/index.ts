import { contextBridge, ipcRenderer, webUtils } from 'electron';

/**
 * The whole bridge: invoke a contract method, listen to core events, and name the path of a file dropped
 * on the page (Electron hides it from File objects). Nothing else reaches the page.
 */
contextBridge.exposeInMainWorld('plateau', {
  invoke: (method: string, params: unknown) => ipcRenderer.invoke('plateau:invoke', method, params),
  onEvent: (listener: (name: string, payload: unknown) => void) => {
    const handler = (_e: unknown, name: string, payload: unknown) => listener(name, payload);
    ipcRenderer.on('plateau:event', handler);
    return () => ipcRenderer.removeListener('plateau:event', handler);
  },
  pathForFile: (file: File) => webUtils.getPathForFile(file),
});
