import type { BrokerHistory } from '../broker/broker.ts';
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
 * stream this gateway does not carry, costs two indexed reads: the line by
 * id from the log (as a moderator's delete finds it), then whether it is
 * still displayable from the broker's history, the one history reader.
 */
export class MessageLookup {
  readonly #recent: RecentLines;
  readonly #log: Pick<DurableLog, 'message'>;
  readonly #history: Pick<BrokerHistory, 'since'>;

  constructor(recent: RecentLines, log: Pick<DurableLog, 'message'>, history: Pick<BrokerHistory, 'since'>) {
    this.#recent = recent;
    this.#log = log;
    this.#history = history;
  }

  async displayable(stream: string, id: string): Promise<Message | undefined> {
    const held = this.#recent.recentLine(stream, id);
    if (held !== undefined) return held;
    const stored = await this.#log.message(stream, id);
    if (stored === undefined) return undefined;
    // `message` answers retracted and sampled-out lines too; `since` answers only displayable ones.
    const { messages } = await this.#history.since(stream, stored.seq - 1, 1);
    return messages[0]?.id === id ? messages[0] : undefined;
  }
}
