// The regions scenario's own figures, from what its observers were shown
// (bench/harness/regions-observers.ts) and the lines the senders had
// acknowledged, and the goals of ../shared/BENCHMARK.md beside them.
import type { Observer, Shown } from './regions-observers.ts';
import type { RegionName } from './regions-scenario.ts';

export interface RegionsFigures {
  regions: Array<{ name: string; viewers: number; localP99Ms: number; crossP99Ms: number }>;
  order: {
    regional: { inversions: number; linesCompared: number; skewP99Ms: number };
    global: { inversions: number; linesCompared: number; addedP99Ms: number };
  };
  partition: { lost: number; duplicated: number; convergeMs: number };
}

/** What the figures are made of: the observers' lines, wall-clock phase windows, and the senders' acknowledged ids. */
export interface RegionsFacts {
  /** By region; `gateway` says which of the region's gateways one watches (0 when absent). */
  observers: Map<RegionName, Array<Pick<Observer, 'shown'> & { gateway?: number }>>;
  /** Viewers of the load generator connected in each region at the peak. */
  viewers: Map<RegionName, number>;
  /** Send-time windows [from, to) of the two measured phases, and the heal. */
  regional: { from: number; to: number };
  global: { from: number; to: number };
  healAt: number;
  ackedIds: string[];
}

/** Per-class p99 of both phases (all regions' observers together), behind `addedP99Ms`. */
export interface LatencyDetail {
  regional: { localP99Ms: number; crossP99Ms: number };
  global: { localP99Ms: number; crossP99Ms: number };
  perRegionGlobal: Array<{ name: string; localP99Ms: number; crossP99Ms: number }>;
}

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = Float64Array.from(values).sort();
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

/** Pairs of lines `b` shows the other way round from `a` (both hold the same ids once each): by merge sort, n log n. */
export function inversions(a: readonly string[], b: readonly string[]): number {
  const rank = new Map(a.map((id, i) => [id, i]));
  let ranks = b.map((id) => rank.get(id)!);
  let count = 0;
  for (let width = 1; width < ranks.length; width *= 2) {
    const next: number[] = [];
    for (let lo = 0; lo < ranks.length; lo += 2 * width) {
      const mid = Math.min(lo + width, ranks.length);
      const hi = Math.min(lo + 2 * width, ranks.length);
      let i = lo;
      let j = mid;
      while (i < mid && j < hi) {
        if (ranks[i]! <= ranks[j]!) next.push(ranks[i++]!);
        else {
          count += mid - i;
          next.push(ranks[j++]!);
        }
      }
      while (i < mid) next.push(ranks[i++]!);
      while (j < hi) next.push(ranks[j++]!);
    }
    ranks = next;
  }
  return count;
}

const within = (s: Shown, w: { from: number; to: number }): boolean => s.sentAt >= w.from && s.sentAt < w.to;

/** Send-to-display times of a window's lines in one region, apart by origin (every observer of the region). */
function latencies(observers: Array<Pick<Observer, 'shown'>>, region: RegionName, w: { from: number; to: number }): { local: number[]; cross: number[] } {
  const local: number[] = [];
  const cross: number[] = [];
  for (const o of observers) for (const s of o.shown) if (within(s, w)) (s.origin === region ? local : cross).push(s.arrivedAt - s.sentAt);
  return { local, cross };
}

/**
 * Each gateway's order of a window's lines (the first observer of each
 * gateway of each region, each line once), over the lines every one showed:
 * with several gateways in a region, they must agree too.
 */
function orders(facts: RegionsFacts, w: { from: number; to: number }): { lists: string[][]; arrivals: Array<Map<string, number>> } {
  const witnesses = [...facts.observers.values()].flatMap((observers) => observers.filter((o, i) => observers.findIndex((p) => (p.gateway ?? 0) === (o.gateway ?? 0)) === i));
  const arrivals = witnesses.map((observer) => {
    const first = new Map<string, number>();
    for (const s of observer.shown) if (within(s, w) && !first.has(s.id)) first.set(s.id, s.arrivedAt);
    return first;
  });
  const common = (id: string): boolean => arrivals.every((a) => a.has(id));
  return { lists: arrivals.map((a) => [...a.keys()].filter(common)), arrivals };
}

function pairInversions(lists: string[][]): number {
  let total = 0;
  for (let i = 0; i < lists.length; i++) for (let j = i + 1; j < lists.length; j++) total += inversions(lists[i]!, lists[j]!);
  return total;
}

export function regionsFigures(facts: RegionsFacts): { figures: RegionsFigures; detail: LatencyDetail } {
  const p99 = (values: number[]): number => percentile(values, 99);
  const all = { regional: { local: [] as number[], cross: [] as number[] }, global: { local: [] as number[], cross: [] as number[] } };
  const regions: RegionsFigures['regions'] = [];
  const perRegionGlobal: LatencyDetail['perRegionGlobal'] = [];
  for (const [region, observers] of facts.observers) {
    const regional = latencies(observers, region, facts.regional);
    const global = latencies(observers, region, facts.global);
    for (const phase of ['regional', 'global'] as const) {
      const from = phase === 'regional' ? regional : global;
      all[phase].local.push(...from.local);
      all[phase].cross.push(...from.cross);
    }
    regions.push({ name: region, viewers: facts.viewers.get(region) ?? 0, localP99Ms: p99(regional.local), crossP99Ms: p99(regional.cross) });
    perRegionGlobal.push({ name: region, localP99Ms: p99(global.local), crossP99Ms: p99(global.cross) });
  }
  const detail: LatencyDetail = {
    regional: { localP99Ms: p99(all.regional.local), crossP99Ms: p99(all.regional.cross) },
    global: { localP99Ms: p99(all.global.local), crossP99Ms: p99(all.global.cross) },
    perRegionGlobal,
  };

  const regionalOrders = orders(facts, facts.regional);
  const skews = regionalOrders.lists[0]!.map((id) => {
    const times = regionalOrders.arrivals.map((a) => a.get(id)!);
    return Math.max(...times) - Math.min(...times);
  });
  const globalOrders = orders(facts, facts.global);
  return {
    figures: {
      regions,
      order: {
        regional: { inversions: pairInversions(regionalOrders.lists), linesCompared: regionalOrders.lists[0]!.length, skewP99Ms: p99(skews) },
        global: {
          inversions: pairInversions(globalOrders.lists), linesCompared: globalOrders.lists[0]!.length,
          // What global order adds to a viewer's wait, for the lines that wait longest: local ones wait for the peers' watermarks.
          addedP99Ms: Math.max(detail.global.localP99Ms - detail.regional.localP99Ms, detail.global.crossP99Ms - detail.regional.crossP99Ms),
        },
      },
      partition: partitionFigures(facts),
    },
    detail,
  };
}

/**
 * Over every line the senders had acknowledged in the run (the partition's
 * and the heal's included): lost, missing from some observer of some region
 * at the end; duplicated, shown twice to some observer. Convergence: from
 * the heal until every line sent before it had reached every region.
 */
function partitionFigures(facts: RegionsFacts): RegionsFigures['partition'] {
  const lost = new Set<string>();
  const duplicated = new Set<string>();
  let lastArrival = facts.healAt;
  for (const observers of facts.observers.values()) {
    for (const o of observers) {
      const counts = new Map<string, number>();
      for (const s of o.shown) {
        counts.set(s.id, (counts.get(s.id) ?? 0) + 1);
        if (s.sentAt < facts.healAt) lastArrival = Math.max(lastArrival, s.arrivedAt);
      }
      for (const id of facts.ackedIds) {
        const n = counts.get(id) ?? 0;
        if (n === 0) lost.add(id);
        if (n > 1) duplicated.add(id);
      }
    }
  }
  return { lost: lost.size, duplicated: duplicated.size, convergeMs: lastArrival - facts.healAt };
}

/** The goals of BENCHMARK.md against the figures, one line each. */
export function printRegions(f: RegionsFigures, detail: LatencyDetail, delayMs: number): boolean {
  const rows: Array<[string, string, boolean]> = [];
  for (const r of f.regions) {
    rows.push([`${r.name} local p99`, `${r.localP99Ms} ms (goal <= 50)`, r.localP99Ms <= 50]);
    rows.push([`${r.name} cross p99`, `${r.crossP99Ms} ms (goal <= ${delayMs + 100})`, r.crossP99Ms <= delayMs + 100]);
  }
  const { regional, global } = f.order;
  const g = detail.global;
  rows.push(['global inversions', `${global.inversions} over ${global.linesCompared} lines (goal 0)`, global.inversions === 0 && global.linesCompared > 0]);
  rows.push(['global added p99', `${global.addedP99Ms} ms (goal <= ${delayMs + 150}): local ${detail.regional.localP99Ms} -> ${g.localP99Ms} ms, cross ${detail.regional.crossP99Ms} -> ${g.crossP99Ms} ms`, global.addedP99Ms <= delayMs + 150]);
  rows.push(['partition lost', `${f.partition.lost} acknowledged lines (goal 0)`, f.partition.lost === 0]);
  rows.push(['partition duplicated', `${f.partition.duplicated} (goal 0)`, f.partition.duplicated === 0]);
  for (const [key, value, met] of rows) console.log(`${key.padEnd(22)} ${value}  ${met ? 'met' : 'MISSED'}`);
  console.log(`${'regional order'.padEnd(22)} ${regional.inversions} inversions between regions over ${regional.linesCompared} lines, skew p99 ${regional.skewP99Ms} ms`);
  console.log(`${'global p99 by region'.padEnd(22)} ${detail.perRegionGlobal.map((r) => `${r.name} local ${r.localP99Ms} ms, cross ${r.crossP99Ms} ms`).join('; ')}`);
  console.log(`${'partition converged'.padEnd(22)} ${f.partition.convergeMs} ms after the heal`);
  return rows.every(([, , met]) => met);
}

/** Per region, the acknowledged lines its first observer never showed (where a loss happened). */
export function missingByRegion(facts: Pick<RegionsFacts, 'observers' | 'ackedIds'>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [region, observers] of facts.observers) {
    const shown = new Set(observers[0]!.shown.map((s) => s.id));
    out[region] = facts.ackedIds.filter((id) => !shown.has(id)).length;
  }
  return out;
}
