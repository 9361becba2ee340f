import { app, BrowserWindow, dialog, shell } from 'electron';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createApp } from './app/create-app';
import { keepAliveOnErrors } from './app/last-resort';
import { resolveDataDir } from './app/paths';
import { loadPluginsFromEnv } from './app/plugins';
import { startClientEndpoint } from './http/client-endpoint';
import { wireIpc } from './electron/ipc';
import { pickPath } from './electron/pick-path';
import { electronPdf } from './electron/print-pdf';
import { hardenSession } from './electron/security';
import { appUrlCheck } from './electron/trusted-url';
import { createMainWindow } from './electron/window';

/** Electron entry: app lifecycle -> core -> IPC -> window. Data folder: PLATEAU_HOME, else Electron's userData. */
const outDir = join(dirname(fileURLToPath(import.meta.url)), '..');

keepAliveOnErrors('Plateau');

app.whenReady().then(async () => {
  let core: ReturnType<typeof createApp>;
  try {
    await loadPluginsFromEnv(); // PLATEAU_PLUGINS: model families, datasets, metrics, import formats
    core = createApp({
      dataDir: process.env.PLATEAU_HOME ? resolveDataDir() : app.getPath('userData'),
      host: 'electron',
      pdf: electronPdf,
      pickPath,
      showInFolder: (path) => shell.showItemInFolder(path),
    });
  } catch (err) {
    dialog.showErrorBox('Plateau cannot open its data', (err as Error).message);
    app.exit(1);
    return;
  }
  const trusted = appUrlCheck(join(outDir, 'renderer', 'index.html'), process.env.ELECTRON_RENDERER_URL);
  hardenSession(trusted);
  wireIpc(core.dispatch, core.ctx.bus, trusted);
  createMainWindow(outDir);
  // Python clients (plateau_client) log into this window's runs through a loopback endpoint named in the data folder.
  const endpoint = startClientEndpoint({ dispatch: core.dispatch, bus: core.ctx.bus, dataDir: core.ctx.dataDir }).catch((err: Error) => {
    console.error(`Plateau: no endpoint for Python clients: ${err.message}`);
    return null;
  });
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) createMainWindow(outDir);
  });
  let closing = false;
  app.on('before-quit', (e) => {
    if (closing) return;
    closing = true;
    e.preventDefault();
    void endpoint
      .then((e) => e?.close())
      .then(() => core.close())
      .finally(() => app.exit(0));
  });
});

app.on('window-all-closed', () => {
  if (process.platform !== 'darwin') app.quit();
});
