// What the gateways count of a run that the load generator cannot see: which limit refused the sends it saw
// answered `overloaded`, and how long their own fan-out took (the server's part of the display latency).

/** The gateways' `chorus_fanout_delay_seconds`, summed: per flush, its oldest line from stamp to written to every viewer. */
export interface ServerFanoutDelay {
  flushes: number;
  /** The upper bound (ms) of the histogram bucket holding the median flush; null past the widest bucket. */
  p50AtMostMs: number | null;
  p99AtMostMs: number | null;
}

export interface GatewayFigures {
  /** `chorus_messages_refused_total{code="overloaded"}` by `shed_by`. */
  shedBy: Record<string, number>;
  fanoutDelay: ServerFanoutDelay;
}

const SHED = /^chorus_messages_refused_total\{code="overloaded",shed_by="([a-z_]+)"\} (\d+)$/gm;
const FANOUT_BUCKET = /^chorus_fanout_delay_seconds_bucket\{le="([^"]+)"\} (\d+)$/gm;

/** Reads every gateway's /metrics once (before the gateways stop) and sums them. */
export async function gatewayFigures(urls: readonly string[]): Promise<GatewayFigures> {
  const shedBy: Record<string, number> = {};
  // Cumulative counts by bucket bound (seconds; Infinity for +Inf), summed over the gateways.
  const buckets = new Map<number, number>();
  for (const url of urls) {
    const res = await fetch(`${url}/metrics`, { signal: AbortSignal.timeout(5_000) });
    if (!res.ok) throw new Error(`${url}/metrics answered ${res.status}`);
    const text = await res.text();
    for (const [, cause, n] of text.matchAll(SHED)) shedBy[cause!] = (shedBy[cause!] ?? 0) + Number(n);
    for (const [, le, n] of text.matchAll(FANOUT_BUCKET)) {
      const bound = le === '+Inf' ? Infinity : Number(le);
      buckets.set(bound, (buckets.get(bound) ?? 0) + Number(n));
    }
  }
  return { shedBy, fanoutDelay: fanoutDelayOf(buckets) };
}

/** A percentile's bucket bound as printed: `<= 75 ms`, or past the histogram's widest finite bucket. */
export function atMostText(ms: number | null): string {
  return ms === null ? 'over the widest bucket (30 s)' : `<= ${ms} ms`;
}

function fanoutDelayOf(buckets: ReadonlyMap<number, number>): ServerFanoutDelay {
  const sorted = [...buckets].sort(([a], [b]) => a - b);
  const flushes = sorted.at(-1)?.[1] ?? 0;
  const atMost = (q: number): number | null => {
    const bound = sorted.find(([, cumulative]) => cumulative >= q * flushes)?.[0];
    return bound === undefined || bound === Infinity ? null : Math.round(bound * 1000 * 10) / 10;
  };
  return { flushes, p50AtMostMs: flushes === 0 ? null : atMost(0.5), p99AtMostMs: flushes === 0 ? null : atMost(0.99) };
}
