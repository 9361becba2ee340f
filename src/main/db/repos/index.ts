import type { Db } from '../connection';
import { checkpointsRepo, type CheckpointsRepo } from './checkpoints-repo';
import { jobsRepo, type JobsRepo } from './jobs-repo';
import { metricsRepo, type MetricsRepo } from './metrics-repo';
import { projectsRepo, type ProjectsRepo } from './projects-repo';
import { runsRepo, type RunsRepo } from './runs-repo';
import { settingsRepo, type SettingsRepo } from './settings-repo';

export interface Repos {
  db: Db;
  projects: ProjectsRepo;
  runs: RunsRepo;
  jobs: JobsRepo;
  checkpoints: CheckpointsRepo;
  metrics: MetricsRepo;
  settings: SettingsRepo;
}

/** All repositories over one connection: the only place in the app that holds SQL. */
export function createRepos(db: Db): Repos {
  return {
    db,
    projects: projectsRepo(db),
    runs: runsRepo(db),
    jobs: jobsRepo(db),
    checkpoints: checkpointsRepo(db),
    metrics: metricsRepo(db),
    settings: settingsRepo(db),
  };
}
