import { describe, expect, it } from 'vitest';
import { describeTerminalPhase, terminalPhase, type EpochPoint } from './terminal-phase';

const log = (accs: number[]): EpochPoint[] => accs.map((trainAcc, i) => ({ epoch: i + 1, trainAcc, seconds: 10 * (i + 1) }));

describe('terminalPhase', () => {
  it('zero error at epoch 3, NC1 from the first checkpoint at or after it, the criterion at the first 10x drop', () => {
    const t = terminalPhase(log([0.9, 0.999, 1, 0.99998, 1, 1, 1, 1]), [
      { epoch: 0, nc1: 5 },
      { epoch: 0.25, nc1: 4 }, // a checkpoint inside an epoch: not an epoch end, ignored
      { epoch: 2, nc1: 1 },
      { epoch: 4, nc1: 0.5 },
      { epoch: 6, nc1: 0.06 },
      { epoch: 8, nc1: 0.04 },
    ]);
    expect(t.zeroErrorEpoch).toBe(3);
    expect(t.start).toEqual({ epoch: 4, nc1: 0.5 });
    expect(t.end).toEqual({ epoch: 8, nc1: 0.04 });
    expect(t.decades).toBeCloseTo(Math.log10(12.5), 12); // 1.0969
    // 0.06 > 0.05: not yet; 0.04 <= 0.05 at epoch 8, logged at 80 s
    expect(t.criterion).toEqual({ epoch: 8, nc1: 0.04, seconds: 80 });
    expect(describeTerminalPhase(t, 8)).toBe(
      'train error 0 first at epoch 3; NC1 0.500 at epoch 4 -> 0.0400 at 8 (1.10 decades); terminal-phase criterion (NC1 down 10x) at epoch 8, 80 s',
    );
  });

  it('says what was not reached', () => {
    const never = terminalPhase(log([0.9, 0.99]), [{ epoch: 2, nc1: 0.3 }]);
    expect(never).toEqual({ zeroErrorEpoch: null, start: null, end: { epoch: 2, nc1: 0.3 }, decades: null, criterion: null });
    expect(describeTerminalPhase(never, 2)).toBe('train error never reached 0 in 2 epochs (NC1 at the end 0.300)');
    const flat = terminalPhase(log([1, 1]), [
      { epoch: 1, nc1: 0.3 },
      { epoch: 2, nc1: 0.2 },
    ]);
    expect(flat.criterion).toBeNull();
    expect(describeTerminalPhase(flat, 2)).toMatch(/\(0.18 decades\); NC1 did not fall a decade$/);
    expect(describeTerminalPhase(terminalPhase(log([0.5, 1]), [{ epoch: 1, nc1: 1 }]), 2)).toBe(
      'train error 0 first at epoch 2, but no checkpoint after it',
    );
  });
});
