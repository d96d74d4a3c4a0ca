import type { DurableLog, HistoryPage, LoggedMessage, UserRetraction } from '../log/log.ts';
import type { Message } from '../protocol/types.ts';
import type { RecentWindow, WindowSnapshot } from './recent-window.ts';

/**
 * The log as cluster-mode readers see it: the Kafka log, with the recent
 * window in Redis in front of it. A message is published (and put in the
 * window) before Kafka acknowledges it, so the newest messages may not be in
 * Kafka yet; below the window's start they are, because the window holds
 * far more than arrives during one Kafka append. Reads take every message
 * below the window's start from Kafka and the rest from the window, so a
 * join never misses a message that was published before it subscribed.
 */
export class ClusterLog implements DurableLog {
  readonly #kafka: DurableLog;
  readonly #window: RecentWindow;
  readonly #close: () => Promise<void>;

  /** `close`: what closing this log closes (nothing by default: the seams own the Kafka log and the window). */
  constructor(kafka: DurableLog, window: RecentWindow, close: () => Promise<void> = async () => {}) {
    this.#kafka = kafka;
    this.#window = window;
    this.#close = close;
  }

  /** Straight to Kafka: cluster sends go through the ClusterBroker, whose script fills the window itself. */
  append(entries: LoggedMessage[]): Promise<void> {
    return this.#kafka.append(entries);
  }

  async retract(stream: string, ids: string[]): Promise<string[]> {
    const [stored, recent] = await Promise.all([this.#kafka.retract(stream, ids), this.#window.remove(stream, ids)]);
    return union(stored, recent);
  }

  /**
   * Kafka and the window each pick the user's newest lines within `bounds`;
   * the window's newest may not be in Kafka yet, so the two sets together may
   * hold up to twice `bounds.max` while lines are being stored.
   */
  async retractUser(stream: string, userId: string, bounds: UserRetraction): Promise<string[]> {
    const [stored, window] = await Promise.all([this.#kafka.retractUser(stream, userId, bounds), this.#window.read(stream)]);
    const recent = window.messages.filter((m) => m.user.id === userId && m.ts >= bounds.sinceMs).slice(-bounds.max).map((m) => m.id);
    return union(stored, await this.#window.remove(stream, union(stored, recent)));
  }

  async message(stream: string, id: string): Promise<Message | undefined> {
    const window = await this.#window.read(stream);
    return window.messages.find((m) => m.id === id) ?? this.#kafka.message(stream, id);
  }

  async newestOf(stream: string, userId: string): Promise<Message | undefined> {
    const window = await this.#window.read(stream);
    return window.messages.findLast((m) => m.user.id === userId) ?? this.#kafka.newestOf(stream, userId);
  }

  async latest(stream: string, limit: number): Promise<HistoryPage> {
    const window = await this.#window.read(stream);
    const recent = window.messages.slice(Math.max(0, window.messages.length - limit));
    if (recent.length === limit) return { messages: recent, lastSeq: await this.#lastSeqOf(stream, window) };
    // Kafka's newest may overlap the window (acknowledged meanwhile): ask for enough to have `limit` below its start.
    const older = await this.#kafka.latest(stream, limit + window.messages.length);
    const below = older.messages.filter((m) => m.seq < window.from);
    const messages = below.slice(Math.max(0, below.length - (limit - recent.length))).concat(recent);
    return { messages, lastSeq: Math.max(window.seq, older.lastSeq) };
  }

  async since(stream: string, afterSeq: number, limit: number): Promise<HistoryPage> {
    const window = await this.#window.read(stream);
    const recent = window.messages.filter((m) => m.seq > afterSeq);
    if (afterSeq + 1 >= window.from) return { messages: recent.slice(0, limit), lastSeq: await this.#lastSeqOf(stream, window) };
    const older = await this.#kafka.since(stream, afterSeq, limit);
    const below = older.messages.filter((m) => m.seq < window.from);
    // Kafka filled the page before reaching the window: the window's part comes on the next read.
    const messages = below.length === limit ? below : below.concat(recent.slice(0, limit - below.length));
    return { messages, lastSeq: Math.max(window.seq, older.lastSeq) };
  }

  /** Replay beside a recording reads Kafka alone: the last moments (not acknowledged yet) appear a few milliseconds later. */
  range(stream: string, fromMs: number, toMs: number, limit: number, includeSampled: boolean): Promise<Message[]> {
    return this.#kafka.range(stream, fromMs, toMs, limit, includeSampled);
  }

  async lastSeq(stream: string): Promise<number> {
    return this.#lastSeqOf(stream, await this.#window.read(stream));
  }

  checkWritable(): Promise<void> {
    return this.#kafka.checkWritable();
  }

  close(): Promise<void> {
    return this.#close();
  }

  async #lastSeqOf(stream: string, window: WindowSnapshot): Promise<number> {
    // The counter is the newest seq handed out; without one (Redis lost it) the log's newest is.
    return window.seq > 0 ? window.seq : this.#kafka.lastSeq(stream);
  }
}

function union(a: string[], b: string[]): string[] {
  return [...new Set([...a, ...b])];
}
