import type { LineCheck, LineVerdict, Sighting } from './state.ts';
import { sweepStep } from './sweep.ts';

interface Chatter {
  seenAt: number;
  /** 0 when the user never had a line accepted here. */
  lastLineAt: number;
  lastText: string;
  /** Forgotten from then on (chatterKeepMs after the last line or sighting). */
  until: number;
}

interface StreamMemory {
  /** user id -> record, in the order of their last activity (the front lapses and is displaced first). */
  chatters: Map<string, Chatter>;
  /** text key -> when last sent, oldest first; only while unique chat is on. */
  texts: Map<string, number>;
  /** Nothing here is worth keeping after this. */
  until: number;
}

/**
 * The embedded store's memory of each stream's chatters and recent texts
 * (StateStore.checkLine and noteSighting): bounded per stream by the caller's
 * caps, and in time by chatterKeepMs and the unique-chat window; a stream
 * with nothing live left is reclaimed by a sweep step on each call. In memory
 * only: after a restart everyone is a first-time chatter again.
 */
export class LineRecords {
  readonly #streams = new Map<string, StreamMemory>();

  check(check: LineCheck): LineVerdict {
    const { now } = check;
    const memory = this.#memory(check.stream, now);
    const chatter = this.#sighted(memory, check.userId, now, check);
    const knownSince = Math.min(chatter.seenAt, check.knownSince ?? Infinity);
    if (check.knownForMs >= 0 && now - knownSince < check.knownForMs) {
      return { ok: false, code: 'followers_only', retryAfterMs: knownSince + check.knownForMs - now };
    }
    if (check.duplicateWindowMs > 0 && chatter.lastLineAt > 0 && chatter.lastText === check.textKey && now - chatter.lastLineAt < check.duplicateWindowMs) {
      return { ok: false, code: 'duplicate', retryAfterMs: chatter.lastLineAt + check.duplicateWindowMs - now };
    }
    if (check.uniqueWindowMs > 0) {
      dropOlder(memory.texts, now - check.uniqueWindowMs);
      if (memory.texts.has(check.textKey)) return { ok: false, code: 'r9k' };
      memory.texts.set(check.textKey, now);
      while (memory.texts.size > check.uniqueMaxLines) memory.texts.delete(memory.texts.keys().next().value!);
      memory.until = Math.max(memory.until, now + check.uniqueWindowMs);
    } else {
      memory.texts.clear();
    }
    const first = chatter.lastLineAt === 0;
    const returning = !first && now - chatter.lastLineAt >= check.returningAfterMs;
    chatter.lastLineAt = now;
    chatter.lastText = check.textKey;
    return { ok: true, first, returning };
  }

  /** When the stream first saw the user, unless it forgot them (lapsed or displaced). */
  firstSeen(stream: string, userId: string, now: number): number | null {
    const chatter = this.#streams.get(stream)?.chatters.get(userId);
    return chatter === undefined || chatter.until <= now ? null : chatter.seenAt;
  }

  note(sighting: Sighting): void {
    this.#sighted(this.#memory(sighting.stream, sighting.now), sighting.userId, sighting.now, sighting);
  }

  #memory(stream: string, now: number): StreamMemory {
    sweepStep(this.#streams, (m) => m.until <= now && dropLapsed(m.chatters, now) === 0, 2);
    let memory = this.#streams.get(stream);
    if (memory === undefined) this.#streams.set(stream, (memory = { chatters: new Map(), texts: new Map(), until: now }));
    return memory;
  }

  /** The user's record, created or renewed and moved to the back (the most recently active). */
  #sighted(memory: StreamMemory, userId: string, now: number, bounds: Pick<Sighting, 'chatterKeepMs' | 'maxChattersPerStream'>): Chatter {
    const { chatters } = memory;
    let chatter = chatters.get(userId);
    if (chatter !== undefined && chatter.until <= now) chatter = undefined;
    chatters.delete(userId);
    dropLapsed(chatters, now);
    while (chatters.size >= bounds.maxChattersPerStream) chatters.delete(chatters.keys().next().value!);
    chatter ??= { seenAt: now, lastLineAt: 0, lastText: '', until: 0 };
    chatter.until = now + bounds.chatterKeepMs;
    chatters.set(userId, chatter);
    memory.until = Math.max(memory.until, chatter.until);
    return chatter;
  }
}

/** Drops the lapsed users at the front; returns how many are left. */
function dropLapsed(chatters: Map<string, Chatter>, now: number): number {
  for (const [user, chatter] of chatters) {
    if (chatter.until > now) break;
    chatters.delete(user);
  }
  return chatters.size;
}

function dropOlder(texts: Map<string, number>, since: number): void {
  for (const [key, at] of texts) {
    if (at > since) break;
    texts.delete(key);
  }
}
