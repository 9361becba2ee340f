import { cpus, platform } from 'node:os';
import type { ServiceApi } from '../../shared/api/contract';
import type { SystemInfo } from '../../shared/domain/types';
import { SCHEMA_VERSION } from '../db/migrations';
import { installedBackends, jobBackend } from '../app/backends';
import type { AppContext } from '../app/context';

export function systemService(ctx: AppContext): ServiceApi['system'] {
  return {
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
      };
    },
  };
}
