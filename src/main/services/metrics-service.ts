import type { ServiceApi } from '../../shared/api/contract';
import { METRIC_KEYS } from '../../shared/domain/metric-keys';
import type { AppContext } from '../app/context';

export function metricsService(ctx: AppContext): ServiceApi['metrics'] {
  return {
    keys: () => [...METRIC_KEYS],
    series: ({ runIds, keys, split }) => ctx.repos.metrics.series(runIds, keys, split),
  };
}
