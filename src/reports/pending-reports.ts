import { StreamLists } from '../log/kafka/stream-lists.ts';
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
  readonly #lists: StreamLists<Report>;
  readonly #maxTotal: number;

  constructor(maxPerStream: number, maxTotal: number) {
    this.#lists = new StreamLists(maxPerStream);
    this.#maxTotal = maxTotal;
  }

  get total(): number {
    return this.#lists.total;
  }

  /** The pending report of this reporter about this message, if any. */
  duplicateOf(report: Omit<Report, 'id'>): Report | undefined {
    return this.#lists.get(report.stream).find((r) => r.messageId === report.messageId && r.reporter.id === report.reporter.id);
  }

  has(stream: string, id: string): boolean {
    return this.#lists.get(stream).some((r) => r.id === id);
  }

  add(report: Report): void {
    if (this.total >= this.#maxTotal || this.has(report.stream, report.id) || this.duplicateOf(report) !== undefined) return;
    this.#lists.insert(report.stream, report);
  }

  dismiss(stream: string, id: string): void {
    this.#lists.remove(stream, this.#lists.get(stream).findIndex((r) => r.id === id));
  }

  /** Newest first (by report time, then arrival). */
  list(stream: string, limit: number): Report[] {
    return this.#lists
      .get(stream)
      .map((report, arrival) => ({ report, arrival }))
      .sort((a, b) => b.report.ts - a.report.ts || b.arrival - a.arrival)
      .slice(0, Math.max(0, limit))
      .map(({ report }) => report);
  }
}
