/** A viewer's report of one message, waiting for a moderator. */
export interface Report {
  id: string;
  stream: string;
  messageId: string;
  reason: string;
  reporter: { id: string; name: string };
  /** When it was received, ms since epoch. */
  ts: number;
}

export type NewReport = Omit<Report, 'id'>;

/** The queue is at its bound: refuse the report, keep chat running. */
export class ReportQueueFull extends Error {}

/**
 * Where viewer reports wait for moderators, apart from the chat path: a
 * flood of reports fills this queue (bounded), never the log or the bus.
 * Embedded: an SQLite file of its own; cluster mode: a reports topic.
 */
export interface ReportQueue {
  /** Stores a report; the same reporter reporting the same message again gets the pending report back. Throws ReportQueueFull at the bound. */
  add(report: NewReport): Promise<Report>;
  /** Pending reports of a stream, newest first. */
  list(stream: string, limit: number): Promise<Report[]>;
  /** Removes a report; false if it was not pending. */
  dismiss(stream: string, id: string): Promise<boolean>;
  close(): Promise<void>;
}
