import { BrowserWindow, dialog } from 'electron';
import { importExtensions } from '../io/formats';

/** The native open dialog: a file or folder to import, or a folder to write a report into. */
export async function pickPath(kind: 'file' | 'folder', purpose: 'import' | 'report'): Promise<string | null> {
  const win = BrowserWindow.getFocusedWindow();
  const options: Electron.OpenDialogOptions =
    purpose === 'report'
      ? { title: 'Choose a folder for the report', properties: ['openDirectory', 'createDirectory'] }
      : {
          title: kind === 'file' ? 'Import a checkpoint or feature dump' : 'Import a folder of checkpoints',
          properties: [kind === 'file' ? 'openFile' : 'openDirectory'],
          // From the format registry: a format added there is offered here too.
          ...(kind === 'file'
            ? {
                filters: [
                  { name: 'Checkpoints', extensions: importExtensions() },
                  { name: 'All files', extensions: ['*'] },
                ],
              }
            : {}),
        };
  const r = win ? await dialog.showOpenDialog(win, options) : await dialog.showOpenDialog(options);
  return r.canceled ? null : (r.filePaths[0] ?? null);
}
