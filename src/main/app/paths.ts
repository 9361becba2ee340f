import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

/** Where Plateau keeps its data: --data-dir, else PLATEAU_HOME, else the platform's user-data folder. */
export function resolveDataDir(explicit?: string, env: NodeJS.ProcessEnv = process.env, platform = process.platform): string {
  if (explicit) return resolve(explicit);
  if (env.PLATEAU_HOME) return resolve(env.PLATEAU_HOME);
  const home = homedir();
  if (platform === 'win32') return join(env.APPDATA ?? join(home, 'AppData', 'Roaming'), 'Plateau');
  if (platform === 'darwin') return join(home, 'Library', 'Application Support', 'Plateau');
  return join(env.XDG_DATA_HOME ?? join(home, '.local', 'share'), 'plateau');
}

export const databaseFile = (dataDir: string) => join(dataDir, 'plateau.db');
/** Every file the app writes besides the database: checkpoints, imports, sweeps, one folder per project. */
export const projectsDir = (dataDir: string) => join(dataDir, 'projects');
/** Checkpoint files of one project live in a folder of their own, so removing a project is one rm. */
export const projectDir = (dataDir: string, projectId: number) => join(projectsDir(dataDir), String(projectId));
export const runDir = (dataDir: string, projectId: number, runId: number) => join(projectDir(dataDir, projectId), 'runs', String(runId));
/** Reports written from the app land here unless the user picks a folder in a native dialog (desktop). */
export const reportsDir = (dataDir: string) => join(dataDir, 'reports');
/** Files dropped on the browser host's Import view wait here until they are imported (then removed). */
export const uploadsDir = (dataDir: string) => join(dataDir, 'uploads');
/** Where a running app or `plateau serve` tells Python clients on this machine its address and token (mode 0600). */
export const clientEndpointFile = (dataDir: string) => join(dataDir, 'client-endpoint.json');
