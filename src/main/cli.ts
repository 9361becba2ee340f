import { buildProgram } from './cli/program';
import { reportError } from './cli/output';

/** `plateau` entry: parse, run, and turn any error into one plain line and an exit code. */
const json = process.argv.includes('--json');
buildProgram()
  .parseAsync(process.argv)
  .catch((err) => {
    process.exitCode = reportError(err, json);
  });
