// `--find-capacity`: the largest audience a target holds at the steady shape
// within the goal (p99 <= 1 s unless --goal-p99-ms says otherwise, delivered >= 0.999), found by doubling from a
// start until a run misses, then halving the gap. Each probe is a whole run
// on a freshly started server.
import type { BenchRecord } from './record.ts';

export interface CapacityGoal {
  p99Ms: number;
  deliveredFraction: number;
}

export const CAPACITY_GOAL: Readonly<CapacityGoal> = { p99Ms: 1_000, deliveredFraction: 0.999 };

export interface Probe {
  viewers: number;
  holds: boolean;
  p99Ms: number;
  deliveredFraction: number;
  why?: string;
}

export interface SearchBounds {
  start: number;
  /** The most the target can be offered (sockets per process). */
  max: number;
  /** Below this the target is said to hold nothing. */
  min: number;
  /** Stop once the gap between held and missed is at most this fraction of what held. */
  resolution: number;
  /** A bound on the number of runs, whatever else. */
  maxProbes: number;
}

/** Whether a run meets the goal, and if not, why. */
export function judge(record: BenchRecord, goal: Readonly<CapacityGoal>): Probe {
  const why = !record.valid
    ? `invalid: ${record.invalidBecause.join('; ')}`
    : record.latencyMs.p99 > goal.p99Ms
      ? `p99 ${record.latencyMs.p99} ms`
      : record.deliveredFraction < goal.deliveredFraction
        ? `delivered ${record.deliveredFraction}`
        : undefined;
  return { viewers: record.viewers, holds: why === undefined, p99Ms: record.latencyMs.p99, deliveredFraction: record.deliveredFraction, ...(why === undefined ? {} : { why }) };
}

/** The largest audience in [min, max] that `probe` says holds (0 when none does), and every probe made. */
export async function searchCapacity(probe: (viewers: number) => Promise<Probe>, bounds: SearchBounds): Promise<{ viewers: number; probes: Probe[] }> {
  const probes: Probe[] = [];
  const run = async (viewers: number): Promise<boolean> => {
    const result = await probe(viewers);
    probes.push(result);
    return result.holds;
  };
  let held = 0;
  let missed = Infinity;
  let next = Math.min(Math.max(bounds.start, bounds.min), bounds.max);
  // Up while it holds, down while it misses, until the two meet.
  while (probes.length < bounds.maxProbes) {
    if (await run(next)) held = next;
    else missed = next;
    if (held === bounds.max || (missed !== Infinity && missed <= bounds.min)) break;
    if (missed === Infinity) next = Math.min(bounds.max, held * 2);
    else if (held === 0) next = Math.max(bounds.min, Math.floor(missed / 2));
    else if (missed - held <= held * bounds.resolution) break;
    else next = Math.round((held + missed) / 2);
    if (next === held || next === missed) break;
  }
  return { viewers: held, probes };
}
