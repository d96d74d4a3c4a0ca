// Which limit refused the sends answered `overloaded`: the loadgen sees only the code, the gateways count the cause.
const SHED = /^chorus_messages_refused_total\{code="overloaded",shed_by="([a-z_]+)"\} (\d+)$/gm;

/** Sums each gateway's `chorus_messages_refused_total{code="overloaded"}` by `shed_by` (read before the gateways stop). */
export async function shedCounts(urls: readonly string[]): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const url of urls) {
    const res = await fetch(`${url}/metrics`, { signal: AbortSignal.timeout(5_000) });
    if (!res.ok) throw new Error(`${url}/metrics answered ${res.status}`);
    for (const [, shedBy, n] of (await res.text()).matchAll(SHED)) counts[shedBy!] = (counts[shedBy!] ?? 0) + Number(n);
  }
  return counts;
}
