import type { DurableLog } from '../log/log.ts';
import type { Message } from '../protocol/types.ts';

/** The lines a gateway's fan-out holds for a stream (src/fanout/stream-hub.ts), looked up without I/O. */
export interface RecentLines {
  recentLine(stream: string, id: string): Message | undefined;
}

/**
 * Finds a displayable line of a stream (not sampled out, not retracted): a
 * reply's parent, a line to pin. The gateway's own recent lines first (the
 * newest thousand it delivered; a sender watches the stream, so the line
 * they answer is nearly always there), in memory and the same in cluster
 * mode, where every gateway receives every line. Only an older line, or a
 * stream this gateway does not carry, costs two indexed log reads: the line
 * by id, then whether it is still displayable.
 */
export class MessageLookup {
  readonly #recent: RecentLines;
  readonly #log: Pick<DurableLog, 'message' | 'since'>;

  constructor(recent: RecentLines, log: Pick<DurableLog, 'message' | 'since'>) {
    this.#recent = recent;
    this.#log = log;
  }

  async displayable(stream: string, id: string): Promise<Message | undefined> {
    const held = this.#recent.recentLine(stream, id);
    if (held !== undefined) return held;
    const stored = await this.#log.message(stream, id);
    if (stored === undefined) return undefined;
    // `message` answers retracted and sampled-out lines too; `since` answers only displayable ones.
    const { messages } = await this.#log.since(stream, stored.seq - 1, 1);
    return messages[0]?.id === id ? messages[0] : undefined;
  }
}
