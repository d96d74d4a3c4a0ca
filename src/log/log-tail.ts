import type { LoggedMessage } from './log.ts';

/**
 * A batch handler of a consumer group. It resolves once every record is
 * handled; only then is the group's position committed. If it throws, the
 * same records come again (at-least-once), so handlers must be idempotent.
 */
export type TailHandler<R = LoggedMessage> = (records: readonly R[]) => Promise<void>;

export interface TailConsumerOptions<R = LoggedMessage> {
  /** The consumer group: its committed position is shared by every consumer of the same name, and survives restarts. */
  group: string;
  handler: TailHandler<R>;
  /** Most records handed to one call of the handler. */
  maxBatch: number;
  /** Where a group with no committed position begins: the oldest retained message, or the next one appended. */
  startAt: 'earliest' | 'latest';
  /** A handler failure or an unreachable log; the consumer retries, it never stops by itself. */
  onError: (error: unknown) => void;
}

export interface TailConsumer {
  /** Resolves once the consumer has its starting position: whatever is appended afterwards reaches it. */
  ready(): Promise<void>;
  /** Messages appended but not yet committed by this consumer's group (for the lag metric). */
  lag(): Promise<number>;
  /** Lets the running handler finish, commits its position, and stops. */
  stop(): Promise<void>;
}

/**
 * Lifecycle step 9: asynchronous readers of the durable log, each in its own
 * consumer group, off the hot path. Every accepted message (sampled or not)
 * reaches each group at least once, in append order within a stream. A group
 * that falls behind only lags: the send path never waits for it. Messages
 * the log's retention drops before a lagging group reads them are skipped.
 */
export interface LogTail<R = LoggedMessage> {
  consume(options: TailConsumerOptions<R>): TailConsumer;
  /** Stops every consumer it started (each finishes and commits its batch). */
  close(): Promise<void>;
}
