// When in a run the slow lines were sent: a percentile says how slow the
// slowest were, not whether they came from a burst's first seconds (the
// sampler and admission not yet bent) or from all of it. Each recording
// viewer's lines are counted per wall-clock second of their sending (one
// machine, one clock, so workers' seconds add up).

/** A line is late past this (the scenarios' p99 goal). */
export const LATE_MS = 1_000;

/** Per second of sending (Unix seconds): lines, lines late, the slowest (ms). */
export type SecondRow = [second: number, lines: number, late: number, maxMs: number];

export class LateSeconds {
  readonly #rows = new Map<number, SecondRow>();

  record(sentAt: number, latencyMs: number): void {
    const second = Math.floor(sentAt / 1000);
    let row = this.#rows.get(second);
    if (row === undefined) this.#rows.set(second, (row = [second, 0, 0, 0]));
    row[1]++;
    if (latencyMs > LATE_MS) row[2]++;
    if (latencyMs > row[3]) row[3] = latencyMs;
  }

  add(rows: readonly SecondRow[]): void {
    for (const [second, lines, late, maxMs] of rows) {
      const row = this.#rows.get(second);
      if (row === undefined) {
        this.#rows.set(second, [second, lines, late, maxMs]);
      } else {
        row[1] += lines;
        row[2] += late;
        row[3] = Math.max(row[3], maxMs);
      }
    }
  }

  rows(): SecondRow[] {
    return [...this.#rows.values()].sort((a, b) => a[0] - b[0]);
  }
}

/** A second of the run, counted from its first: lines sent in it, how many were late, the slowest (ms). */
export interface RunSecond {
  second: number;
  lines: number;
  late: number;
  maxMs: number;
}

/** The run's seconds from its first, for the record. */
export function secondsOfRun(rows: readonly SecondRow[]): RunSecond[] {
  const first = rows[0]?.[0] ?? 0;
  return rows.map(([second, lines, late, maxMs]) => ({ second: second - first, lines, late, maxMs }));
}
