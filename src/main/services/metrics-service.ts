import type { ServiceApi } from '../../shared/api/contract';
import { METRIC_KEYS } from '../../shared/domain/metric-keys';
import type { AppContext } from '../app/context';

export function metricsService(_ctx: AppContext): ServiceApi['metrics'] {
  return {
    keys: () => [...METRIC_KEYS],
  };
}
