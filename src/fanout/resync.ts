import type { BrokerHistory } from '../broker/broker.ts';
import type { Message } from '../protocol/types.ts';
import type { Channel, Pending } from './channel.ts';

// A re-read after a bus gap is the only way to the lines the gap lost, and the
// store it reads from has often just come back itself: it is tried this many
// times, RESYNC_RETRY_MS apart (times the attempt), while the stream's flushes wait.
const RESYNC_ATTEMPTS = 5;
const RESYNC_RETRY_MS = 200;

/**
 * Re-reads the broker's history after the newest seq the channel had and
 * slips what the bus lost in before what has arrived since; the channel's
 * flushes wait meanwhile, and `done` runs when the re-read is over (done or failed).
 */
export function resyncChannel(channel: Channel, broker: BrokerHistory, maxMessages: number, onError: (err: unknown) => void, done: () => void): void {
  const after = channel.newestSeq;
  const at = channel.pending.length;
  channel.resyncing++;
  readMissed(broker, channel.stream, after, maxMessages)
    .then((messages) => insertMissed(channel, messages, at), onError)
    .finally(() => {
      channel.resyncing--;
      done();
    });
}

async function readMissed(broker: BrokerHistory, stream: string, after: number, maxMessages: number): Promise<Message[]> {
  for (let attempt = 1; ; attempt++) {
    try {
      return (await broker.since(stream, after, maxMessages)).messages;
    } catch (err) {
      if (attempt >= RESYNC_ATTEMPTS) throw err;
      await new Promise((resolve) => setTimeout(resolve, RESYNC_RETRY_MS * attempt));
    }
  }
}

/** Missed messages go where the gap was: after what arrived before it, before what arrived after it (all newer). */
function insertMissed(channel: Channel, messages: Message[], at: number): void {
  const arrived = new Set<number>();
  for (const item of channel.pending) if (item.kind === 'msg') arrived.add(item.message.seq);
  const missed: Pending[] = [];
  for (const message of messages) {
    if (arrived.has(message.seq)) continue;
    missed.push({ kind: 'msg', message });
    if (message.seq > channel.newestSeq) channel.newestSeq = message.seq;
    if (message.seq > channel.resyncedUpTo) channel.resyncedUpTo = message.seq;
  }
  if (missed.length > 0) channel.pending.splice(at, 0, ...missed);
}
