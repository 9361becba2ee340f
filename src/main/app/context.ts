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
  /** Folders the user picked in a native dialog this session: the only places outside dataDir the core writes to. */
  chosenFolders: Set<string>;
}

/** The host's native open dialog (Electron); resolves null when the user cancels. */
/** Shows a file in the desktop's file manager (Electron's shell.showItemInFolder). */
export type ShowInFolder = (path: string) => void;
export type PickPath = (kind: 'file' | 'folder', purpose: 'import' | 'report') => Promise<string | null>;
