/**
 * POSIX shell quoting for the two places a value meets a shell: the job-array script and the
 * command line `ssh` hands to the login node's shell. Single quotes keep everything literal, so the
 * only character to handle is the single quote itself: close, emit an escaped quote, reopen.
 * Written by hand because it is four lines and its exact output is what the tests pin down.
 */
export function shellQuote(value: string): string {
  if (value.includes('\0')) throw new Error('a NUL byte cannot be passed through a shell');
  return `'${value.replaceAll("'", `'\\''`)}'`;
}

/** One command line from argv, every word quoted: what `ssh host -- <line>` runs remotely. */
export const shellLine = (argv: readonly string[]): string => argv.map(shellQuote).join(' ');
