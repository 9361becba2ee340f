import { pathToFileURL } from 'node:url';

/**
 * The one page allowed to talk to the core: the built renderer's index.html (file://), or the dev server's
 * origin under `electron-vite dev`. Pure (no 'electron' import) so it is tested under plain Node.
 */
export function appUrlCheck(rendererIndex: string, devUrl?: string): (url: string | undefined) => boolean {
  const file = pathToFileURL(rendererIndex).href;
  const devOrigin = devUrl ? new URL(devUrl).origin : undefined;
  return (url) => {
    if (!url) return false;
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      return false;
    }
    if (parsed.protocol === 'file:') return `${parsed.origin === 'null' ? 'file://' : parsed.origin}${parsed.pathname}` === file;
    return devOrigin !== undefined && parsed.origin === devOrigin;
  };
}
