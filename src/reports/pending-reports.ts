import type { Report } from './report-queue.ts';

/**
 * Pending reports in process memory, per stream in arrival order: the view
 * the Kafka report queue builds from its topic. Applying the same add or
 * dismissal twice changes nothing (a gateway applies its own writes when
 * they are acknowledged and again when it reads them back). Bounded: a
 * stream keeps its newest `maxPerStream`, and beyond `maxTotal` adds are
 * ignored.
 */
export class PendingReports {
  readonly #byStream = new Map<string, Report[]>();
  readonly #maxPerStream: number;
  readonly #maxTotal: number;
  #total = 0;

  constructor(maxPerStream: number, maxTotal: number) {
    this.#maxPerStream = maxPerStream;
    this.#maxTotal = maxTotal;
  }

  get total(): number {
    return this.#total;
  }

  /** The pending report of this reporter about this message, if any. */
  duplicateOf(report: Omit<Report, 'id'>): Report | undefined {
    return this.#byStream.get(report.stream)?.find((r) => r.messageId === report.messageId && r.reporter.id === report.reporter.id);
  }

  has(stream: string, id: string): boolean {
    return this.#byStream.get(stream)?.some((r) => r.id === id) ?? false;
  }

  add(report: Report): void {
    if (this.#total >= this.#maxTotal || this.has(report.stream, report.id) || this.duplicateOf(report) !== undefined) return;
    let list = this.#byStream.get(report.stream);
    if (list === undefined) this.#byStream.set(report.stream, (list = []));
    list.push(report);
    this.#total++;
    if (list.length > this.#maxPerStream) {
      list.shift();
      this.#total--;
    }
  }

  dismiss(stream: string, id: string): void {
    const list = this.#byStream.get(stream);
    const at = list?.findIndex((r) => r.id === id) ?? -1;
    if (at < 0) return;
    list!.splice(at, 1);
    this.#total--;
    if (list!.length === 0) this.#byStream.delete(stream);
  }

  /** Newest first (by report time, then arrival). */
  list(stream: string, limit: number): Report[] {
    const list = this.#byStream.get(stream) ?? [];
    return list
      .map((report, arrival) => ({ report, arrival }))
      .sort((a, b) => b.report.ts - a.report.ts || b.arrival - a.arrival)
      .slice(0, Math.max(0, limit))
      .map(({ report }) => report);
  }
}
