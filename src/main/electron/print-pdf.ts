import { BrowserWindow } from 'electron';
import { writeFile } from 'node:fs/promises';

/** Reports' HTML -> PDF inside Electron: an offscreen, sandboxed window and printToPDF (no external browser needed). */
export async function electronPdf(htmlPath: string, pdfPath: string): Promise<void> {
  const win = new BrowserWindow({
    show: false,
    webPreferences: { sandbox: true, contextIsolation: true, nodeIntegration: false, javascript: true },
  });
  try {
    await win.loadFile(htmlPath);
    const pdf = await win.webContents.printToPDF({ printBackground: true, pageSize: 'A4' });
    await writeFile(pdfPath, pdf);
  } finally {
    win.destroy();
  }
}
