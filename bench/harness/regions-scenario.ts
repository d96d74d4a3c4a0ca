// The `regions` scenario of ../shared/BENCHMARK.md as data: three regions
// 80 ms apart, one stream watched and written in each, 120 s in regional
// order, then 120 s in global order, then (after a 5 s drain) one region
// cut off for 30 s and healed. Every region's senders keep the same rate
// through all of it.
import type { MirrorPlacement } from '../../scripts/services/regions-layout.ts';
import type { Phase } from '../loadgen/protocol.ts';
import type { Scenario } from './scenarios.ts';

export const REGION_NAMES = ['us', 'eu', 'ap'] as const;
export type RegionName = (typeof REGION_NAMES)[number];

export interface RegionsShape {
  regions: readonly RegionName[];
  /** One-way delay of every link between two regions. */
  delayMs: number;
  /** Which side of each replication flow crosses the link (docs/decisions.md): the services' default, `target`, unless asked. */
  mirrorAt: MirrorPlacement;
  /** Gateways in each region: viewers, senders and observers are spread over them; the documented shape has one. */
  gatewaysPerRegion: number;
  viewersPerRegion: number;
  /** Clients per region that keep every line with its origin (5 % of the viewers), beside the load generator's viewers. */
  observersPerRegion: number;
  sendersPerRegion: number;
  /** Messages per second over all regions together. */
  ratePerSecond: number;
  /** Each of the two measured order phases. */
  orderSeconds: number;
  /**
   * After the switch to global order, not measured: a gateway reads a
   * stream's ordering at most a second old, and a region starts its
   * heartbeats when it first sees a line of a stream in global order
   * (docs/regions.md), so the first moments are a transition.
   */
  settleSeconds: number;
  /**
   * After the measured global phase, before the cut, not measured: a line
   * sent just before the cut may still be on a link or held when the cut
   * comes; the cut then leaves its region out, and the regions place it
   * where it arrives, in different places. That is the failure mode the
   * partition figures measure (the regions converge on every line, not on
   * one order), not the order of healthy links. It outlasts the hold bound
   * (regionHoldMaxMs, 1 s) and a cross-region line's p99 here (under 1 s).
   */
  drainSeconds: number;
  partitionSeconds: number;
  /** Chat goes on after the heal while the cut region catches up. */
  healSeconds: number;
  /** The region cut off from the others. */
  cut: RegionName;
}

/** The documented shape; `orderSeconds` shortens the two order phases, and the partition and the heal in proportion (5 s at least). */
export function regionsShape(viewersPerRegion = 200, orderSeconds = 120, mirrorAt: MirrorPlacement = 'target', gatewaysPerRegion = 1): RegionsShape {
  const scaled = (seconds: number): number => Math.max(5, Math.round((seconds * orderSeconds) / 120));
  return {
    regions: REGION_NAMES, delayMs: 80, mirrorAt, gatewaysPerRegion, viewersPerRegion,
    // At least one on each gateway: the orders compared are every gateway's.
    observersPerRegion: Math.max(gatewaysPerRegion, Math.ceil(viewersPerRegion * 0.05)),
    sendersPerRegion: 10, ratePerSecond: 100, orderSeconds, settleSeconds: 10, drainSeconds: 5,
    partitionSeconds: scaled(30), healSeconds: scaled(30), cut: 'ap',
  };
}

/** Each phase's start, in ms after the senders' start. */
export interface Timeline {
  regionalAt: number;
  globalSwitchAt: number;
  globalAt: number;
  /** The end of the measured global phase; the drain runs from here to the cut. */
  globalEndAt: number;
  cutAt: number;
  healAt: number;
  endAt: number;
}

export function timeline(s: RegionsShape): Timeline {
  const globalSwitchAt = s.orderSeconds * 1000;
  const globalAt = globalSwitchAt + s.settleSeconds * 1000;
  const globalEndAt = globalAt + s.orderSeconds * 1000;
  const cutAt = globalEndAt + s.drainSeconds * 1000;
  const healAt = cutAt + s.partitionSeconds * 1000;
  return { regionalAt: 0, globalSwitchAt, globalAt, globalEndAt, cutAt, healAt, endAt: healAt + s.healSeconds * 1000 };
}

/** One region's senders' schedule: its share of the rate, the same in every phase. */
export function regionPhases(s: RegionsShape): Phase[] {
  const rate = s.ratePerSecond / s.regions.length;
  const seconds = [s.orderSeconds, s.settleSeconds, s.orderSeconds, s.drainSeconds, s.partitionSeconds, s.healSeconds];
  return seconds.map((phase) => ({ seconds: phase, ratePerSecond: rate, chatters: s.sendersPerRegion }));
}

export const REGIONS_GOAL = 'local p99 <= 50 ms; cross-region p99 <= delay + 100 ms; global: 0 inversions between regions, added p99 <= delay + 150 ms; partition: 0 acknowledged lines lost or duplicated';

/** The usual record's view of the run: every region's viewers and senders together, on one stream. */
export function recordScenario(s: RegionsShape): Scenario {
  const n = s.regions.length;
  return {
    name: 'regions', goal: REGIONS_GOAL, viewers: s.viewersPerRegion * n, streams: 1, chatters: s.sendersPerRegion * n,
    phases: regionPhases(s).map((p) => ({ ...p, ratePerSecond: p.ratePerSecond * n, chatters: p.chatters * n })),
    hot: undefined, history: 0, initialViewers: s.viewersPerRegion * n, rampSeconds: 0, churnPerMinute: 0, control: false,
  };
}
