// The body of GET /api/ops/series: what the operator page (/ops) draws.

/** One second of the server's activity, computed from its Prometheus metrics. */
export interface OpsPoint {
  /** Server time at the end of the interval, ms since epoch. */
  t: number;
  acceptedPerSecond: number;
  broadcastPerSecond: number;
  /** Broadcast / accepted over the interval; 1 when nothing was accepted. */
  keepRatio: number;
  connections: number;
  deliveriesPerSecond: number;
  /** p99 of the sends acknowledged in the interval, from the histogram buckets; null without sends. */
  ingestP99Ms: number | null;
  /** p99 of the live flushes written in the interval (each its oldest line, stamp to written to every viewer); null without flushes. */
  fanoutP99Ms: number | null;
  slowConsumerDropsPerSecond: number;
}

export interface OpsSeriesBody {
  intervalMs: number;
  points: OpsPoint[];
}
