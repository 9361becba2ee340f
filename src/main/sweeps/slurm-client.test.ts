import { describe, expect, it } from 'vitest';
import { parseSacct, parseScontrol, SlurmClient, taskState } from './slurm-client';
import { validateSlurmOptions } from './sweeps';

// Shapes as Slurm 22.05 prints them (trimmed to the fields read; the real ones carry many more).
const SCONTROL = [
  'JobId=12 ArrayJobId=12 ArrayTaskId=4-5 JobName=plateau-s JobState=PENDING Reason=Resources ExitCode=0:0 ReqNodeList=(null) NodeList=(null) StdOut=/a b/%A_%a.log',
  'JobId=13 ArrayJobId=12 ArrayTaskId=0 JobState=COMPLETED Reason=None ExitCode=0:0 ReqNodeList=(null) ExcNodeList=(null) NodeList=node1',
  'JobId=14 ArrayJobId=12 ArrayTaskId=1 JobState=FAILED Reason=NonZeroExitCode ExitCode=2:0 ReqNodeList=(null) NodeList=node2',
  'JobId=15 ArrayJobId=12 ArrayTaskId=2 JobState=CANCELLED Reason=None ExitCode=0:15 NodeList=node1',
  'JobId=16 ArrayJobId=12 ArrayTaskId=3 JobState=TIMEOUT Reason=TimeLimit ExitCode=0:0 NodeList=node1',
  'JobId=99 ArrayJobId=98 ArrayTaskId=0 JobState=RUNNING NodeList=node3',
].join('\n');

describe('Slurm output parsing', () => {
  it('reads scontrol show job -o, expanding pending ranges and ignoring other jobs', () => {
    const t = parseScontrol(SCONTROL, '12');
    expect(t.map((x) => [x.index, x.state, x.exitCode, x.node])).toEqual([
      [4, 'pending', 0, null],
      [5, 'pending', 0, null],
      [0, 'completed', 0, 'node1'],
      [1, 'failed', 2, 'node2'],
      [2, 'cancelled', 0, 'node1'],
      [3, 'timeout', 0, 'node1'],
    ]);
    expect(t[4].signal).toBe(15);
  });

  it('reads sacct -P', () => {
    const t = parseSacct(
      '12_0|COMPLETED|0:0|node1\n12_1|CANCELLED by 0|0:15|node1\n12_[2-3]|PENDING|0:0|None assigned\n13_0|FAILED|1:0|n\n',
      '12',
    );
    expect(t.map((x) => [x.index, x.state, x.node])).toEqual([
      [0, 'completed', 'node1'],
      [1, 'cancelled', 'node1'],
      [2, 'pending', null],
      [3, 'pending', null],
    ]);
  });

  it('maps every Slurm state to one of six', () => {
    expect(['COMPLETING', 'OUT_OF_MEMORY', 'NODE_FAIL', 'REQUEUED', 'DEADLINE'].map(taskState)).toEqual([
      'running',
      'failed',
      'failed',
      'pending',
      'failed',
    ]);
  });
});

describe('SlurmClient errors name the cause', () => {
  it('a missing Slurm command', async () => {
    await expect(new SlurmClient().run('sbatch-not-installed-here', [])).rejects.toThrow(
      /'sbatch-not-installed-here' was not found: this machine has no Slurm client/,
    );
  });

  it('an unreachable login node', async () => {
    await expect(new SlurmClient('nobody@127.0.0.1', 20_000).run('sbatch', ['--version'])).rejects.toThrow(
      /Cannot reach the cluster through ssh nobody@127\.0\.0\.1|ssh is not installed/,
    );
  });

  it('an ssh target that would be read as an option', () => {
    expect(() => new SlurmClient('-oProxyCommand=touch /tmp/x')).toThrow(/not user@host/);
  });

  it('sbatch options that are not what they claim', () => {
    expect(() => validateSlurmOptions({ time: '1; rm -rf ~' })).toThrow(/--time '1; rm -rf ~' is not a time limit/);
    expect(() => validateSlurmOptions({ partition: '-wrap' })).toThrow(/--partition '-wrap' is not a partition name/);
    expect(() => validateSlurmOptions({ gres: 'gpu:1 --x' })).toThrow(/--gres/);
    expect(() =>
      validateSlurmOptions({ partition: 'gpu', time: '1-00:00:00', mem: '4G', gres: 'gpu:a100:1', account: 'lab' }),
    ).not.toThrow();
  });
});
