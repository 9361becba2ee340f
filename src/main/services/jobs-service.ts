import type { ServiceApi } from '../../shared/api/contract';
import type { AppContext } from '../app/context';

export function jobsService(ctx: AppContext): ServiceApi['jobs'] {
  return {
    list: (filter) => ctx.repos.jobs.list(filter),
    cancel: ({ id }) => ctx.jobs.cancel(id),
  };
}
