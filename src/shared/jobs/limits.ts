/**
 * Compute threads a job gets: the user's number, else the cores shared out among the jobs that may run
 * at once (so a full queue does not oversubscribe the machine). The core and the settings form both use it.
 */
export function threadsPerJob(cores: number, jobs: number, threads?: number | null): number {
  return threads ?? Math.max(1, Math.floor(cores / Math.max(1, jobs)));
}
