import type { DbReader } from '../db/db-reader';
import type { Repos } from '../db/repos';
import type { JobManager } from '../jobs/job-manager';
import type { EventBus } from '../rpc/event-bus';
import type { SystemInfo } from '../../shared/domain/types';

/** What every service gets: storage, the event bus, the job queue and where files live. */
export interface AppContext {
  appVersion: string;
  host: SystemInfo['host'];
  dataDir: string;
  backend?: string;
  repos: Repos;
  /** Long reads (metric series) off the host's thread. */
  reader: DbReader;
  bus: EventBus;
  jobs: JobManager;
}
