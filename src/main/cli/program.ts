import { Command, InvalidArgumentError } from 'commander';
import { APP_VERSION } from '../app/version';
import { benchCommand } from './bench-command';
import { importCommand } from './import-command';
import { infoCommand } from './info-command';
import { metricsCommand } from './metrics-command';
import type { GlobalOptions } from './output';
import { projectsCommand } from './projects-command';
import { reportCommand } from './report-command';
import { resumeCommand } from './resume-command';
import { serveCommand } from './serve-command';
import { sweepCommand } from './sweep-command';
import { syncCommand } from './sync-command';
import { trainCommand } from './train-command';

function parseCount(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('a whole number >= 1');
  return n;
}

/** The `plateau` command tree. Each command lives in its own file and registers itself here. */
export function buildProgram(): Command {
  const program = new Command('plateau')
    .description('Plateau: a workbench for generalization research (flatness, neural collapse, Hessian spectra)')
    .version(APP_VERSION)
    .option('--json', 'print machine-readable JSON only')
    .option('--data-dir <dir>', 'data folder (default: $PLATEAU_HOME, else the user-data folder)')
    .option('--jobs <n>', 'jobs run at once (default: $PLATEAU_JOBS, else cores - 1)', parseCount)
    .option('--threads <n>', 'compute threads per job (default: $PLATEAU_THREADS, else cores / jobs)', parseCount)
    .showHelpAfterError('(run with --help for usage)')
    .enablePositionalOptions(false);
  const globals = () => program.opts<GlobalOptions>();
  serveCommand(program, globals);
  infoCommand(program, globals);
  projectsCommand(program, globals);
  trainCommand(program, globals);
  resumeCommand(program, globals);
  sweepCommand(program, globals);
  metricsCommand(program, globals);
  importCommand(program, globals);
  syncCommand(program, globals);
  reportCommand(program, globals);
  benchCommand(program, globals);
  return program;
}
