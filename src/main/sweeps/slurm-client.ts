import { execFile } from 'node:child_process';
import { invalid, unavailable } from '../../shared/api/errors';
import { parseArraySpec } from './grid';
import { shellLine } from './shell-quote';

export type TaskState = 'pending' | 'running' | 'completed' | 'failed' | 'cancelled' | 'timeout';

/** One array task as Slurm reports it. `exitCode` is the task's status (the part before ':'). */
export interface SlurmTask {
  index: number;
  state: TaskState;
  slurmState: string;
  exitCode: number | null;
  signal: number | null;
  node: string | null;
}

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

/** `user@host` (or `host`), and never something ssh would read as an option such as `-oProxyCommand=...`. */
const SSH_TARGET = /^(?:[A-Za-z0-9._-]+@)?[A-Za-z0-9][A-Za-z0-9.-]*$/;

/**
 * Runs Slurm's commands, here or on a login node through ssh. Always argv arrays through execFile;
 * over ssh the remote shell joins words again, so each one is quoted (shellLine).
 */
export class SlurmClient {
  constructor(
    readonly ssh?: string,
    private readonly timeoutMs = 60_000,
  ) {
    if (ssh !== undefined && !SSH_TARGET.test(ssh)) throw invalid(`--ssh '${ssh}' is not user@host.`);
  }

  private where = () => (this.ssh ? `on ${this.ssh}` : 'on this machine');

  run(cmd: string, args: string[]): Promise<Result> {
    const [file, argv] = this.ssh
      ? ['ssh', ['-o', 'BatchMode=yes', '-o', 'ConnectTimeout=15', this.ssh, '--', shellLine([cmd, ...args])]]
      : [cmd, args];
    return new Promise((resolve, reject) => {
      execFile(file, argv, { timeout: this.timeoutMs, maxBuffer: 32 << 20, encoding: 'utf8' }, (err, stdout, stderr) => {
        const e = err as { code?: unknown; killed?: boolean } | null;
        if (e?.code === 'ENOENT') {
          return reject(
            unavailable(
              this.ssh
                ? 'ssh is not installed here, so the cluster cannot be reached.'
                : `'${cmd}' was not found: this machine has no Slurm client. Run on a login node or pass --ssh user@login-host.`,
            ),
          );
        }
        if (e?.killed) return reject(unavailable(`'${cmd}' ${this.where()} did not answer within ${this.timeoutMs / 1000} s.`));
        const code: number = typeof e?.code === 'number' ? e.code : e ? 1 : 0;
        if (this.ssh && code === 255)
          return reject(unavailable(`Cannot reach the cluster through ssh ${this.ssh}: ${stderr.trim() || 'connection failed'}`));
        if (this.ssh && code === 127) return reject(unavailable(`'${cmd}' was not found on ${this.ssh}: is it a Slurm login node?`));
        resolve({ code, stdout, stderr });
      });
    });
  }

  /** Submits and returns the job id (`sbatch --parsable` prints `id` or `id;cluster`). */
  async sbatch(args: string[], script: string): Promise<{ jobId: string; cluster?: string }> {
    const r = await this.run('sbatch', ['--parsable', ...args, script]);
    const line = r.stdout.trim().split('\n').at(-1) ?? '';
    const m = /^(\d+)(?:;(\S+))?$/.exec(line);
    if (r.code !== 0 || !m)
      throw unavailable(`sbatch ${this.where()} refused the sweep: ${(r.stderr || r.stdout).trim() || `exit ${r.code}`}`);
    return { jobId: m[1], cluster: m[2] };
  }

  async scancel(targets: string[]): Promise<void> {
    const r = await this.run('scancel', targets);
    if (r.code !== 0) throw unavailable(`scancel ${this.where()} failed: ${r.stderr.trim() || `exit ${r.code}`}`);
  }

  /**
   * The state of every task Slurm still knows for an array job: the controller's view first
   * (scontrol works without accounting), then sacct for tasks the controller has forgotten.
   */
  async tasks(jobId: string): Promise<Map<number, SlurmTask>> {
    const out = new Map<number, SlurmTask>();
    const sc = await this.run('scontrol', ['show', 'job', '-o', jobId]);
    if (sc.code === 0) for (const t of parseScontrol(sc.stdout, jobId)) out.set(t.index, t);
    else if (!/invalid job id/i.test(sc.stderr))
      throw unavailable(`scontrol ${this.where()} cannot reach the Slurm controller: ${sc.stderr.trim() || `exit ${sc.code}`}`);
    const sa = await this.run('sacct', ['-j', jobId, '-X', '-n', '-P', '-o', 'JobID,State,ExitCode,NodeList']);
    if (sa.code === 0) for (const t of parseSacct(sa.stdout, jobId)) if (!out.has(t.index)) out.set(t.index, t);
    return out;
  }

  /** The cluster's name, for provenance. */
  async clusterName(): Promise<string | undefined> {
    const r = await this.run('scontrol', ['show', 'config']);
    return /^ClusterName\s*=\s*(\S+)/m.exec(r.stdout)?.[1];
  }
}

/** Slurm's job states -> the six a sweep reports. */
export function taskState(slurm: string): TaskState {
  const s = slurm.split(/[\s+]/)[0].toUpperCase();
  if (['PENDING', 'CONFIGURING', 'REQUEUED', 'REQUEUE_HOLD', 'REQUEUE_FED', 'RESV_DEL_HOLD', 'SPECIAL_EXIT'].includes(s)) return 'pending';
  if (['RUNNING', 'COMPLETING', 'SUSPENDED', 'STOPPED', 'SIGNALING', 'STAGE_OUT', 'RESIZING'].includes(s)) return 'running';
  if (s === 'COMPLETED') return 'completed';
  if (s === 'CANCELLED') return 'cancelled';
  if (s === 'TIMEOUT') return 'timeout';
  return 'failed'; // FAILED, NODE_FAIL, OUT_OF_MEMORY, BOOT_FAIL, DEADLINE, PREEMPTED, REVOKED
}

const exitParts = (s: string | undefined): [number | null, number | null] => {
  const m = /^(\d+):(\d+)$/.exec(s ?? '');
  return m ? [Number(m[1]), Number(m[2])] : [null, null];
};

const field = (line: string, key: string) => new RegExp(`(?:^| )${key}=(\\S*)`).exec(line)?.[1];

/** `scontrol show job -o`: one line per task record; a pending remainder prints as one record with a range. */
export function parseScontrol(text: string, jobId: string): SlurmTask[] {
  const out: SlurmTask[] = [];
  for (const line of text.split('\n')) {
    if (field(line, 'ArrayJobId') !== jobId) continue;
    const slurmState = field(line, 'JobState') ?? 'UNKNOWN';
    const [exitCode, signal] = exitParts(field(line, 'ExitCode'));
    const nodeList = field(line, 'NodeList');
    const node = nodeList && nodeList !== '(null)' ? nodeList : null;
    for (const index of parseArraySpec(field(line, 'ArrayTaskId') ?? '')) {
      out.push({ index, state: taskState(slurmState), slurmState, exitCode, signal, node });
    }
  }
  return out;
}

/** `sacct -X -n -P -o JobID,State,ExitCode,NodeList`: `12_3|COMPLETED|0:0|node1`, pending as `12_[4-7]`. */
export function parseSacct(text: string, jobId: string): SlurmTask[] {
  const out: SlurmTask[] = [];
  for (const line of text.split('\n')) {
    const [id, slurmState, exit, nodeList] = line.split('|');
    const m = /^(\d+)_(.+)$/.exec(id ?? '');
    if (!m || m[1] !== jobId || !slurmState) continue;
    const [exitCode, signal] = exitParts(exit);
    const node = nodeList && nodeList !== 'None assigned' ? nodeList : null;
    for (const index of parseArraySpec(m[2])) out.push({ index, state: taskState(slurmState), slurmState, exitCode, signal, node });
  }
  return out;
}
