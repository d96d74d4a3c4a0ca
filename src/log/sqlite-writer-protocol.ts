// The messages between SqliteLog (main thread) and its writer worker.
import type { LoggedMessage, UserRetraction } from './log.ts';

export interface WriterConfig {
  path: string;
  retentionMs: number;
  maxMessagesPerStream: number;
  pruneIntervalMs: number;
}

export type WriterOp =
  | { op: 'append'; entries: LoggedMessage[] }
  | { op: 'retract'; stream: string; ids: string[] }
  | { op: 'retractUser'; stream: string; userId: string; bounds: UserRetraction }
  | { op: 'commitPosition'; group: string; position: number }
  /** A one-row write that tells whether the log can write again after its writes failed (readiness). */
  | { op: 'probe' };

/** A write with the id its result comes back under. */
export type WriterCommand = WriterOp & { id: number };

export type WriterRequest = WriterCommand | { op: 'close' };

export type WriterResult = { id: number; ok: true; ids?: string[] } | { id: number; ok: false; error: string };

export type WriterReply =
  | { kind: 'ready' }
  /** `storageError`: the batch met a failure of the file itself (disk full, I/O error), not of one request. */
  | { kind: 'results'; results: WriterResult[]; storageError?: string }
  | { kind: 'pruneFailed'; error: string }
  | { kind: 'closed' };
