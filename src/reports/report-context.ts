import type { DurableLog } from '../log/log.ts';
import type { Message } from '../protocol/types.ts';

/** Lines shown on each side of a reported line. */
export const CONTEXT_LINES = 3;
// Seqs read on each side to find them: sampled-out and deleted lines leave gaps.
const CONTEXT_SPAN = 50;

export interface ReportContext {
  /** The reported line, or null when it is gone (deleted, cleared, past retention). */
  message: Message | null;
  before: Message[];
  after: Message[];
}

/** The reported line with a few displayable lines before and after it, from the log (one read each way at most). */
export async function reportContext(log: DurableLog, stream: string, messageId: string): Promise<ReportContext> {
  const message = await log.message(stream, messageId);
  if (message === undefined) return { message: null, before: [], after: [] };
  const around = await log.since(stream, Math.max(0, message.seq - CONTEXT_SPAN - 1), CONTEXT_SPAN * 2 + 1);
  const before = around.messages.filter((m) => m.seq < message.seq).slice(-CONTEXT_LINES);
  const after = around.messages.filter((m) => m.seq > message.seq).slice(0, CONTEXT_LINES);
  return { message, before, after };
}
