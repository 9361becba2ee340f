/**
 * Seed groups: runs of one recipe that differ only in their seed. The rule is the Compare view's
 * (config without `seed`, plus the preset), written again here because main cannot import renderer code;
 * a report and the UI must agree on what a group is, so keep the two in step.
 */
import type { Run } from '../../shared/domain/types';
import { summarize, type Summary } from './summary-stats';

/** Same preset and same config apart from `seed` <=> same key. */
export function seedGroupKey(run: Pick<Run, 'preset' | 'config'>): string {
  const { seed: _seed, ...rest } = run.config;
  return `${run.preset ?? 'custom'} ${JSON.stringify(rest)}`;
}

export interface GroupMember {
  id: number;
  name: string;
  preset: string | null;
  seed: number | null;
  config: Record<string, unknown>;
  hyperparameters: Record<string, string | number>;
  final: Record<string, number>;
}

export interface ReportGroup {
  /** g1, g2, ... in the order the groups' first runs appear. */
  id: string;
  /** A single run's "id name"; for several, their shared name without a trailing " s<seed>", and the seed count. */
  label: string;
  preset: string | null;
  runIds: number[];
  seeds: number[];
  /** The members' key settings: identical across a group, since only the seed differs. */
  hyperparameters: Record<string, string | number>;
  /** Per quantity id, over the members' final values; absent when no member has one. */
  stats: Record<string, Summary>;
}

function labelOf(members: GroupMember[]): string {
  if (members.length === 1) return `${members[0].id} ${members[0].name}`;
  const stems = [...new Set(members.map((m) => m.name.replace(/[ _-]s(eed)?[ _=-]?\d+$/i, '')))];
  return `${stems.length === 1 ? stems[0] : `runs ${members.map((m) => m.id).join(', ')}`} (${members.length} seeds)`;
}

/** Groups the runs (kept in their order) and summarises each quantity's final values per group. */
export function seedGroups(runs: GroupMember[], quantityIds: readonly string[]): { groups: ReportGroup[]; groupOf: Map<number, string> } {
  const byKey = new Map<string, GroupMember[]>();
  for (const r of runs) {
    const k = seedGroupKey(r);
    byKey.set(k, [...(byKey.get(k) ?? []), r]);
  }
  const groupOf = new Map<number, string>();
  const groups = [...byKey.values()].map((members, i): ReportGroup => {
    const id = `g${i + 1}`;
    for (const m of members) groupOf.set(m.id, id);
    const stats: Record<string, Summary> = {};
    for (const q of quantityIds) {
      const s = summarize(members.flatMap((m) => (q in m.final ? [m.final[q]] : [])));
      if (s) stats[q] = s;
    }
    return {
      id,
      label: labelOf(members),
      preset: members[0].preset,
      runIds: members.map((m) => m.id),
      seeds: members.map((m) => m.seed).filter((s): s is number => s !== null),
      hyperparameters: members[0].hyperparameters,
      stats,
    };
  });
  return { groups, groupOf };
}
