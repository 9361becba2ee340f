/**
 * The last resort of a long-lived host (browser host, desktop app): an exception that escaped every
 * handler is logged and the process keeps serving, since one bad request must not end a user's session.
 * The CLI's one-shot commands do not install it: there, failing loudly is right.
 */
export function keepAliveOnErrors(name: string, log: (msg: string) => void = console.error): void {
  const report = (kind: string) => (err: unknown) =>
    log(`${name}: ${kind} (kept running): ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  process.on('uncaughtException', report('uncaught exception'));
  process.on('unhandledRejection', report('unhandled rejection'));
}
