/**
 * The terminal phase of training (Papyan, Han & Donoho 2020) read off a run's series: the first epoch
 * with zero training error, NC1 at the first checkpoint from there on, and the first later checkpoint
 * where NC1 has fallen by a decade. Shared by the Plateau side and the PyTorch side of the nc bench, so
 * both are judged by the same rule.
 */

/** One evaluated epoch: its training accuracy and when it was logged (seconds from the start). */
export interface EpochPoint {
  epoch: number;
  trainAcc: number;
  seconds: number;
}

/** NC1 (train split) at a checkpoint saved at the end of `epoch`. */
export interface Nc1Point {
  epoch: number;
  nc1: number;
}

export interface TerminalPhase {
  /** First epoch whose training accuracy is exactly 1 (every sample right); null when none. */
  zeroErrorEpoch: number | null;
  /** The first checkpoint at or after zeroErrorEpoch: its epoch and NC1. */
  start: Nc1Point | null;
  /** The last checkpoint. */
  end: Nc1Point | null;
  /** log10(start.nc1 / end.nc1): decades NC1 fell in the terminal phase (null without a start). */
  decades: number | null;
  /** First checkpoint after start with NC1 <= start.nc1 / 10, and the seconds at which its epoch was logged. */
  criterion: (Nc1Point & { seconds: number }) | null;
}

/** Reads the terminal phase off the epoch log and the NC1 checkpoints (any order; fractional-epoch checkpoints are ignored). */
export function terminalPhase(epochs: readonly EpochPoint[], nc1: readonly Nc1Point[]): TerminalPhase {
  const log = [...epochs].sort((a, b) => a.epoch - b.epoch);
  const ckpts = nc1.filter((c) => Number.isInteger(c.epoch) && Number.isFinite(c.nc1)).sort((a, b) => a.epoch - b.epoch);
  const zeroErrorEpoch = log.find((e) => e.trainAcc === 1)?.epoch ?? null;
  const end = ckpts.at(-1) ?? null;
  const start = zeroErrorEpoch === null ? null : (ckpts.find((c) => c.epoch >= zeroErrorEpoch) ?? null);
  if (!start) return { zeroErrorEpoch, start: null, end, decades: null, criterion: null };
  const hit = ckpts.find((c) => c.epoch > start.epoch && c.nc1 <= start.nc1 / 10);
  const secondsAt = (epoch: number) => log.find((e) => e.epoch === epoch)?.seconds ?? NaN;
  return {
    zeroErrorEpoch,
    start,
    end,
    decades: Math.log10(start.nc1 / end!.nc1),
    criterion: hit ? { ...hit, seconds: secondsAt(hit.epoch) } : null,
  };
}

/** One line for the bench log: the milestones, or what was not reached. */
export function describeTerminalPhase(t: TerminalPhase, lastEpoch: number): string {
  if (t.zeroErrorEpoch === null)
    return `train error never reached 0 in ${lastEpoch} epochs (NC1 at the end ${t.end?.nc1.toPrecision(3) ?? 'n/a'})`;
  if (!t.start) return `train error 0 first at epoch ${t.zeroErrorEpoch}, but no checkpoint after it`;
  const fell = `NC1 ${t.start.nc1.toPrecision(3)} at epoch ${t.start.epoch} -> ${t.end!.nc1.toPrecision(3)} at ${t.end!.epoch} (${t.decades!.toFixed(2)} decades)`;
  const crit = t.criterion
    ? `terminal-phase criterion (NC1 down 10x) at epoch ${t.criterion.epoch}, ${t.criterion.seconds.toFixed(0)} s`
    : 'NC1 did not fall a decade';
  return `train error 0 first at epoch ${t.zeroErrorEpoch}; ${fell}; ${crit}`;
}
