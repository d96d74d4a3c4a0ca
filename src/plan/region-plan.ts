// A capacity plan for regions (docs/regions.md): each region is a cluster
// sized for its own viewers but for every region's lines (a region shows and
// stores them all), and each region's log is mirrored whole into every other.
// Pure arithmetic on top of capacity-plan.ts.
import { planCapacity, type CapacityPlan, type MeasuredFigures, type PlanInput } from './capacity-plan.ts';

export interface RegionShare {
  region: string;
  viewers: number;
}

export interface RegionPlanInput {
  /** Everything but the viewers, which each region has its own of; `rate` is every region's senders together. */
  base: Omit<PlanInput, 'viewers'>;
  regions: readonly RegionShare[];
  /** Watermark heartbeats a region sends per partition of its log (global order), per second. */
  heartbeatsPerSecond: number;
}

export interface RegionPlan {
  region: string;
  viewers: number;
  /** Lines this region's own senders offer: the rate split in proportion to viewers. */
  ownRate: number;
  /** Sized for its viewers and for every region's lines. */
  plan: CapacityPlan;
  /** Records its Kafka takes a second: its own log (every line it shows) and the copies of its peers' logs. */
  kafkaRecordsPerSec: number;
}

export interface MirrorLinks {
  /** One per ordered pair of regions: each region's log to each other region. */
  links: number;
  /** Records one link carries a second: the source's whole log (every line it shows, not only its own) and its heartbeats. */
  recordsPerLinkPerSec: number;
  mbitPerLink: number;
  /** What every link together sends between regions. */
  mbitInAll: number;
}

export function planRegions(input: RegionPlanInput, figures: MeasuredFigures): { regions: RegionPlan[]; mirror: MirrorLinks } {
  const total = input.regions.reduce((sum, r) => sum + r.viewers, 0);
  const peers = input.regions.length - 1;
  const plans = input.regions.map(({ viewers }) => planCapacity({ ...input.base, viewers }, figures));
  // Every region's log has as many partitions (they follow the rate, the same everywhere), each with its heartbeats.
  const heartbeats = plans[0]!.kafkaPartitions * input.heartbeatsPerSecond;
  // A region's log holds every line it shows, its own and every peer's as they enter its order, and it is mirrored whole.
  const recordsPerLink = input.base.rate + heartbeats;
  const regions = input.regions.map(({ region, viewers }, i): RegionPlan => ({
    region,
    viewers,
    ownRate: (input.base.rate * viewers) / total,
    plan: plans[i]!,
    kafkaRecordsPerSec: recordsPerLink * (1 + peers),
  }));
  // A Kafka record is about a v1 line's size (the JSON message); the measured bytes per line stand for it.
  const mbitPerLink = (recordsPerLink * figures.bytesSentPerLine * 8) / 1e6;
  const links = input.regions.length * peers;
  return { regions, mirror: { links, recordsPerLinkPerSec: recordsPerLink, mbitPerLink, mbitInAll: links * mbitPerLink } };
}

/** `us=40000,eu=30000` (viewers per region), or `us,eu,ap` with `viewers` split evenly. */
export function parseRegionShares(raw: string, viewers: number | undefined): RegionShare[] {
  const parts = raw.split(',').map((p) => p.trim());
  const named = parts.map((part) => {
    const [region, count] = part.split('=');
    if (region === undefined || !/^[a-z][a-z0-9-]{0,31}$/.test(region)) throw new Error(`--regions: "${part}" is not a region name (lower-case letters, digits, hyphens)`);
    return { region, count };
  });
  if (new Set(named.map((n) => n.region)).size !== named.length) throw new Error('--regions names a region twice');
  if (named.length < 2) throw new Error('--regions needs at least two regions');
  if (named.every((n) => n.count !== undefined)) {
    return named.map(({ region, count }) => {
      const n = Number(count);
      if (!Number.isFinite(n) || n <= 0) throw new Error(`--regions: ${region}'s viewers must be a positive number`);
      return { region, viewers: n };
    });
  }
  if (named.some((n) => n.count !== undefined)) throw new Error('--regions: give every region its viewers (us=40000,eu=30000) or none');
  if (viewers === undefined) throw new Error('--regions without viewers per region needs --viewers to split');
  return named.map(({ region }) => ({ region, viewers: viewers / named.length }));
}
