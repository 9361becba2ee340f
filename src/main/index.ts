import { app, BrowserWindow, dialog, shell } from 'electron';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createApp } from './app/create-app';
import { keepAliveOnErrors } from './app/last-resort';
import { resolveDataDir } from './app/paths';
import { loadPluginsFromEnv } from './app/plugins';
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
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) createMainWindow(outDir);
  });
  let closing = false;
  app.on('before-quit', (e) => {
    if (closing) return;
    closing = true;
    e.preventDefault();
    void core.close().finally(() => app.exit(0));
  });
});

app.on('window-all-closed', () => {
  if (process.platform !== 'darwin') app.quit();
});
