import { PlateauError } from '../../shared/api/errors';

export interface GlobalOptions {
  json?: boolean;
  dataDir?: string;
  /** Force a tfjs backend for jobs this command starts. */
  backend?: string;
  /** Jobs at once and compute threads per job (else $PLATEAU_JOBS / $PLATEAU_THREADS, else from the cores). */
  jobs?: number;
  threads?: number;
}

/** Prints a result: JSON only under --json, else the human form. */
export function emit(opts: GlobalOptions, value: unknown, human: () => string): void {
  process.stdout.write(opts.json ? `${JSON.stringify(value)}\n` : `${human()}\n`);
}

/** One error line on stderr (JSON under --json) and a non-zero exit; never a stack trace for expected errors. */
export function reportError(err: unknown, json: boolean): number {
  const envelope =
    err instanceof PlateauError ? err.toEnvelope() : { code: 'Internal', message: err instanceof Error ? err.message : String(err) };
  process.stderr.write(json ? `${JSON.stringify({ error: envelope })}\n` : `plateau: ${envelope.message}\n`);
  if (!(err instanceof PlateauError) && process.env.PLATEAU_DEBUG) console.error(err);
  return envelope.code === 'InvalidParams' ? 2 : 1;
}

/** Left-aligned text table for terminal listings. */
export function table(headers: string[], rows: (string | number)[][]): string {
  const cells = [headers, ...rows.map((r) => r.map(String))];
  const widths = headers.map((_, i) => Math.max(...cells.map((r) => r[i].length)));
  return cells
    .map((r) =>
      r
        .map((c, i) => c.padEnd(widths[i]))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}
