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
  | { op: 'commitPosition'; group: string; position: number };

/** A write with the id its result comes back under. */
export type WriterCommand = WriterOp & { id: number };

export type WriterRequest = WriterCommand | { op: 'close' };

export type WriterResult = { id: number; ok: true; ids?: string[] } | { id: number; ok: false; error: string };

export type WriterReply =
  | { kind: 'ready' }
  | { kind: 'results'; results: WriterResult[] }
  | { kind: 'pruneFailed'; error: string }
  | { kind: 'closed' };
