import { shellQuote } from './shell-quote';
import type { SweepManifest } from './manifest';

/** Exit codes the script itself uses, distinct from plateau's own (0 ok, 1 failed, 2 bad parameters). */
export const EXIT_NO_POINT = 64;
export const EXIT_CANNOT_WRITE = 73;

/**
 * The one job-array script of a sweep. Every value from the user (grid values, preset, paths) is
 * single-quoted, so a value is data for `plateau train` and never shell syntax. Each task writes under
 * tasks/<index>/<array job id>/ so a resubmission never overwrites the attempt before it.
 */
export function batchScript(m: SweepManifest, sweepDir: string): string {
  const q = shellQuote;
  const cases = m.points.map((p) => {
    const args = [...Object.entries(p.set).flatMap(([k, v]) => ['--set', q(`${k}=${v}`)]), '--seed', q(String(p.seed))];
    return `  ${p.index}) set -- ${args.join(' ')} ;;`;
  });
  return `#!/bin/bash
# Plateau sweep ${m.id}: one Slurm array task per grid point (written by Plateau ${m.plateauVersion}).
# Submitted by 'plateau sweep'; the sbatch options are on its command line and in sweep.json.
set -u
SWEEP_DIR=${q(sweepDir)}
NODE=${q(m.node)}
PLATEAU=${q(m.plateau)}
PRESET=${q(m.preset)}
idx="\${SLURM_ARRAY_TASK_ID:?this script runs as a Slurm array task}"
case "$idx" in
${cases.join('\n')}
  *) echo "plateau: the sweep has no grid point $idx" >&2; exit ${EXIT_NO_POINT} ;;
esac
TASK_DIR="$SWEEP_DIR/tasks/$idx/\${SLURM_ARRAY_JOB_ID:-\${SLURM_JOB_ID:-local}}"
if ! mkdir -p "$TASK_DIR" || ! touch "$TASK_DIR/.probe"; then
  echo "plateau: node $(hostname) cannot write the shared directory $TASK_DIR" >&2
  exit ${EXIT_CANNOT_WRITE}
fi
rm -f "$TASK_DIR/.probe"
printf 'node=%s\\ncluster=%s\\njob=%s\\nindex=%s\\nstarted=%s\\n' "$(hostname)" "\${SLURM_CLUSTER_NAME:-}" "\${SLURM_JOB_ID:-}" "$idx" "$(date +%s)" > "$TASK_DIR/task.env"
"$NODE" "$PLATEAU" --json --data-dir "$TASK_DIR/data" train --preset "$PRESET" --project sweep "$@" > "$TASK_DIR/progress.jsonl"
rc=$?
# Written last and atomically: its presence means the task ran to the end (whatever the outcome).
printf '%s\\n' "$rc" > "$TASK_DIR/exit_code.tmp" && mv "$TASK_DIR/exit_code.tmp" "$TASK_DIR/exit_code"
exit "$rc"
`;
}
