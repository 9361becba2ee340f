import { loadBlas } from '../ml/blas';
import { metricsRoute } from '../ml/lapack';
import { BENCH_THREADS } from './bench-case';

/** Puts the BLAS on the bench's thread count (as its NumPy peers get) and logs the metrics' route; returns it. */
export function benchMetricsRoute(log: (line: string) => void): 'lapack' | 'js' {
  const route = metricsRoute();
  if (route.route === 'lapack') {
    loadBlas()?.setThreads(BENCH_THREADS);
    log(`metrics on the system BLAS/LAPACK (${route.library}), ${BENCH_THREADS} thread(s); NumPy peers on ${BENCH_THREADS}`);
  } else log(`metrics on the JS route: ${route.why}`);
  return route.route;
}
