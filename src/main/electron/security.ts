import { app, session, type WebContents } from 'electron';
import { CSP } from '../http/static-files';

/**
 * Default-deny: CSP on every response, no permissions (requested or checked), no navigation or redirect
 * away from our page, no new windows, no webviews.
 */
export function hardenSession(trusted: (url: string | undefined) => boolean): void {
  session.defaultSession.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [CSP] } });
  });
  session.defaultSession.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
  session.defaultSession.setPermissionCheckHandler(() => false);
  app.on('web-contents-created', (_e, contents) => lockDown(contents, trusted));
}

function lockDown(contents: WebContents, trusted: (url: string | undefined) => boolean): void {
  const stayHome = (e: { preventDefault: () => void }, url: string) => {
    if (!trusted(url)) e.preventDefault();
  };
  contents.on('will-navigate', stayHome);
  contents.on('will-redirect', stayHome);
  contents.on('will-frame-navigate', (e) => stayHome(e, e.url));
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
  contents.on('will-attach-webview', (e) => e.preventDefault());
}
