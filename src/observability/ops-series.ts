import type { OpsPoint } from '../protocol/ops.ts';
import type { Metrics } from './metrics.ts';

/** How often the server samples; each point covers about this long. */
export const OPS_SAMPLE_INTERVAL_MS = 1_000;
// Five minutes of one-second points for the /ops page.
const OPS_POINTS = 300;

interface Totals {
  t: number;
  accepted: number;
  broadcast: number;
  deliveries: number;
  slowDrops: number;
  ingest: Buckets;
  fanout: Buckets;
}

/** A histogram's cumulative counts per upper bound (seconds), +Inf last. */
type Buckets = Array<{ le: number; count: number }>;

/**
 * A bounded ring of recent per-second points. Rates are differences of the
 * counters between two samples, so the page draws what the server counted,
 * not what it guessed; the ring holds `capacity` points and never grows.
 */
export class OpsSeries {
  readonly #metrics: Metrics;
  readonly #capacity: number;
  readonly #points: OpsPoint[] = [];
  #previous: Totals | undefined;

  constructor(metrics: Metrics, capacity = OPS_POINTS) {
    this.#metrics = metrics;
    this.#capacity = capacity;
  }

  /** Takes one sample; from the second one on, appends a point. */
  async sample(now: number): Promise<void> {
    const totals = await this.#totals(now);
    const before = this.#previous;
    this.#previous = totals;
    if (before === undefined || totals.t <= before.t) return;
    const seconds = (totals.t - before.t) / 1000;
    const accepted = totals.accepted - before.accepted;
    const broadcast = totals.broadcast - before.broadcast;
    this.#points.push({
      t: totals.t,
      acceptedPerSecond: accepted / seconds,
      broadcastPerSecond: broadcast / seconds,
      keepRatio: accepted > 0 ? Math.min(1, broadcast / accepted) : 1,
      connections: await this.#connections(),
      deliveriesPerSecond: (totals.deliveries - before.deliveries) / seconds,
      ingestP99Ms: quantileOfDelta(before.ingest, totals.ingest, 0.99),
      fanoutP99Ms: quantileOfDelta(before.fanout, totals.fanout, 0.99),
      slowConsumerDropsPerSecond: (totals.slowDrops - before.slowDrops) / seconds,
    });
    if (this.#points.length > this.#capacity) this.#points.shift();
  }

  points(): readonly OpsPoint[] {
    return this.#points;
  }

  async #totals(t: number): Promise<Totals> {
    const m = this.#metrics;
    const [accepted, broadcast, deliveries, slowDrops, ingest, fanout] = await Promise.all([
      m.accepted.get(), m.broadcast.get(), m.deliveries.get(), m.slowConsumerDrops.get(), m.ingestLatency.get(), m.fanoutDelay.get(),
    ]);
    return {
      t, accepted: sum(accepted.values), broadcast: sum(broadcast.values), deliveries: sum(deliveries.values), slowDrops: sum(slowDrops.values),
      ingest: bucketsOf(ingest), fanout: bucketsOf(fanout),
    };
  }

  async #connections(): Promise<number> {
    return sum((await this.#metrics.connections.get()).values);
  }
}

function bucketsOf(histogram: Awaited<ReturnType<Metrics['ingestLatency']['get']>>): Buckets {
  return histogram.values
    .filter((v) => v.metricName === `${histogram.name}_bucket`)
    .map((v) => ({ le: v.labels.le === '+Inf' ? Infinity : Number(v.labels.le), count: v.value }));
}

function sum(values: ReadonlyArray<{ value: number }>): number {
  let total = 0;
  for (const v of values) total += v.value;
  return total;
}

/**
 * The q-quantile, in ms, of the observations between two snapshots of a
 * cumulative histogram, interpolated linearly inside the bucket it falls in
 * (as Prometheus' histogram_quantile). Null when nothing was observed.
 */
export function quantileOfDelta(before: ReadonlyArray<{ le: number; count: number }>, after: ReadonlyArray<{ le: number; count: number }>, q: number): number | null {
  const counts = after.map((b, i) => ({ le: b.le, count: b.count - (before[i]?.count ?? 0) }));
  const total = counts.at(-1)?.count ?? 0;
  if (total <= 0) return null;
  const rank = q * total;
  let lower = 0;
  let below = 0;
  for (const { le, count } of counts) {
    if (count >= rank) {
      // Past the last finite bound all we know is "more than the largest bound".
      if (le === Infinity) return lower * 1000;
      const inBucket = count - below;
      const fraction = inBucket > 0 ? (rank - below) / inBucket : 1;
      return (lower + (le - lower) * fraction) * 1000;
    }
    lower = le;
    below = count;
  }
  return lower * 1000;
}
