import { availableParallelism, cpus, platform } from 'node:os';
import { datasetKinds } from '../../shared/domain/dataset-config';
import { kindsOnWire } from '../../shared/domain/kinds';
import { modelFamilies } from '../../shared/domain/train-config';
import type { ServiceApi } from '../../shared/api/contract';
import { unavailable } from '../../shared/api/errors';
import type { JobSettings, SystemInfo } from '../../shared/domain/types';
import { SCHEMA_VERSION } from '../db/migrations';
import { installedBackends, jobBackend } from '../app/backends';
import type { AppContext, PickPath, ShowInFolder } from '../app/context';
import { reportFile } from './report-folder';
import { importFormatInfo } from '../io/formats';

export function systemService(ctx: AppContext, pickPath?: PickPath, showInFolder?: ShowInFolder): ServiceApi['system'] {
  return {
    showInFolder: async ({ path }) => {
      if (!showInFolder)
        throw unavailable('This host has no file manager to show files in: download the report from the Reports view instead.');
      // only what the core wrote as a report: a page must not be able to point the file manager anywhere
      const real = reportFile(ctx.dataDir, path, ctx.chosenFolders);
      showInFolder(real);
      return { shown: real };
    },
    pickPath: async ({ kind, purpose }) => {
      if (!pickPath)
        throw unavailable('This host has no file dialog: type a path on the host, or drop files on the Import view to upload them.');
      const path = await pickPath(kind, purpose);
      if (path && kind === 'folder' && purpose === 'report') ctx.chosenFolders.add(path);
      return { path };
    },
    jobSettings: async ({ jobs, threads }): Promise<JobSettings> => {
      if (jobs !== undefined) ctx.repos.settings.set('jobs', jobs);
      if (threads !== undefined) ctx.repos.settings.set('threads', threads ?? undefined);
      ctx.jobs.configure({ concurrency: jobs, threads });
      return {
        jobs: ctx.jobs.concurrency,
        threads: ctx.jobs.threads ?? null,
        threadsPerJob: ctx.jobs.threadsPerJob(),
        cores: availableParallelism(),
      };
    },
    info: async (): Promise<SystemInfo> => {
      const available = installedBackends();
      return {
        appVersion: ctx.appVersion,
        host: ctx.host,
        node: process.versions.node,
        platform: `${platform()} ${process.arch}`,
        cpus: cpus().length,
        dataDir: ctx.dataDir,
        schemaVersion: SCHEMA_VERSION,
        backends: { available, chosen: await jobBackend(ctx.backend) },
        importFormats: importFormatInfo(),
        modelFamilies: kindsOnWire(modelFamilies),
        datasets: kindsOnWire(datasetKinds),
      };
    },
  };
}
