import { cpus } from 'node:os';
import { mkdirSync } from 'node:fs';
import type { ServiceApi } from '../../shared/api/contract';
import { invalid } from '../../shared/api/errors';
import type { SystemInfo } from '../../shared/domain/types';
import type { PdfPrinter } from '../reports/pdf';
import { openDatabase } from '../db/connection';
import { DbReader } from '../db/db-reader';
import { createRepos, type Repos } from '../db/repos';
import { JobManager } from '../jobs/job-manager';
import { importRunner } from '../jobs/import-runner';
import { metricsRunner } from '../jobs/metrics-runner';
import { trainRunner } from '../jobs/train-runner';
import { removeStaleTemps } from '../io/temp-files';
import { createDispatcher } from '../rpc/dispatch';
import { EventBus } from '../rpc/event-bus';
import { checkpointsService } from '../services/checkpoints-service';
import { clientService } from '../services/client-service';
import { importsService } from '../services/imports-service';
import { jobsService } from '../services/jobs-service';
import { metricsService } from '../services/metrics-service';
import { projectsService } from '../services/projects-service';
import { reportsService } from '../services/reports-service';
import { runsService } from '../services/runs-service';
import { sweepsService } from '../services/sweeps-service';
import { systemService } from '../services/system-service';
import type { AppContext, PickPath, ShowInFolder } from './context';
import { acquireDataLock } from './data-lock';
import { databaseFile, projectsDir } from './paths';
import { APP_VERSION } from './version';

export interface AppOptions {
  dataDir: string;
  host: SystemInfo['host'];
  /** Jobs run at once; default $PLATEAU_JOBS, else cores - 1 (at least 1). */
  concurrency?: number;
  /** Compute threads per job; default $PLATEAU_THREADS, else the cores shared out among `concurrency` jobs. */
  threads?: number;
  backend?: string;
  /** The host's HTML -> PDF printer for reports (Electron passes printToPDF). */
  pdf?: PdfPrinter;
  pickPath?: PickPath;
  /** The desktop's "show in folder" (reports). */
  showInFolder?: ShowInFolder;
}

const isCount = (v: unknown): v is number => Number.isInteger(v) && (v as number) >= 1;

/** A whole number >= 1 from the environment, undefined when unset; anything else is refused by name. */
function countFromEnv(name: string): number | undefined {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return undefined;
  if (!isCount(Number(raw))) throw invalid(`${name} must be a whole number >= 1 (it is "${raw}").`);
  return Number(raw);
}

/** The job settings saved from the app; anything unreadable is ignored (the defaults serve). */
function savedJobSettings(repos: Repos): { jobs?: number; threads?: number } {
  const count = (v: unknown) => (isCount(v) ? v : undefined);
  return { jobs: count(repos.settings.get('jobs')), threads: count(repos.settings.get('threads')) };
}

/** The composition root: one database, one bus, one queue, every service, one dispatcher. */
export function createApp(opts: AppOptions) {
  // a bad setting from the environment is refused before anything is opened
  const forced = {
    concurrency: opts.concurrency ?? countFromEnv('PLATEAU_JOBS'),
    threads: opts.threads ?? countFromEnv('PLATEAU_THREADS'),
  };
  mkdirSync(opts.dataDir, { recursive: true });
  const db = openDatabase(databaseFile(opts.dataDir), `Plateau ${APP_VERSION}`);
  const repos = createRepos(db);
  const lock = acquireDataLock(opts.dataDir);
  if (lock.primary) {
    repos.jobs.markInterrupted();
    repos.runs.markInterrupted();
    // Checkpoints a killed process was writing: its temp files (ours by name, their writer dead) go.
    removeStaleTemps(projectsDir(opts.dataDir));
  }
  const bus = new EventBus();
  // a flag or the environment wins over what was saved in the app, which wins over the defaults
  const saved = savedJobSettings(repos);
  const jobs = new JobManager(
    repos,
    bus,
    forced.concurrency ?? saved.jobs ?? Math.max(1, cpus().length - 1),
    forced.threads ?? saved.threads,
  );
  const reader = new DbReader(db);
  jobs.writes.onCommit = () => reader.ensureStarted();
  const ctx: AppContext = {
    appVersion: APP_VERSION,
    host: opts.host,
    dataDir: opts.dataDir,
    backend: opts.backend,
    repos,
    reader,
    bus,
    jobs,
    chosenFolders: new Set(),
  };
  jobs.register('train', trainRunner(ctx));
  jobs.register('metrics', metricsRunner(ctx));
  jobs.register('import', importRunner(ctx));
  const services = {
    system: systemService(ctx, opts.pickPath, opts.showInFolder),
    projects: projectsService(ctx),
    runs: runsService(ctx),
    imports: importsService(ctx),
    checkpoints: checkpointsService(ctx),
    reports: reportsService(ctx, opts.pdf),
    sweeps: sweepsService(ctx),
    metrics: metricsService(ctx),
    jobs: jobsService(ctx),
    client: clientService(ctx),
  } satisfies ServiceApi;
  const dispatch = createDispatcher(services);
  return {
    ctx,
    services,
    dispatch,
    async close() {
      await jobs.shutdown();
      await reader.close();
      db.close();
      lock.release();
    },
  };
}
export type App = ReturnType<typeof createApp>;
