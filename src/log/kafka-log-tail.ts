import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { Consumer, type Message as KafkaMessage, type MessagesStream } from '@platformatic/kafka';
import { closeGroupConsumer } from './kafka/close-group-consumer.ts';
import { decodeRecord, type LogRecord } from './kafka/records.ts';
import type { LoggedMessage, RegionRecord } from './log.ts';
import type { LogTail, TailConsumer, TailConsumerOptions } from './log-tail.ts';

export interface KafkaLogTailOptions<T = LoggedMessage> {
  brokers: readonly string[];
  /** The log topic KafkaLog writes (or another topic, with `decode`). */
  topic: string;
  /** Wait after a failed batch or a lost connection before trying again (default 1 s). */
  retryMs?: number;
  /** What the handler gets of a record's value, undefined to skip it; default the log's messages (retractions skipped). */
  decode?: (value: Buffer | null) => T | undefined;
  /**
   * A fetch waits this long for `minFetchBytes` (default 500 ms and 256 KiB:
   * off the hot path). A region's follower of its peers asks for records as
   * they come: the global order waits for them (docs/regions.md).
   */
  fetchWaitMs?: number;
  minFetchBytes?: number;
}

type TailSettings<T> = Required<KafkaLogTailOptions<T>>;

const RETRY_MS = 1_000;
// A group member that misses heartbeats this long loses its partitions to the others.
const SESSION_TIMEOUT_MS = 10_000;
const HEARTBEAT_MS = 1_000;
// A fetch waits this long for new records, so a stopping consumer notices within it;
// it is answered early once MIN_FETCH_BYTES are there. Consumers are off the hot
// path: on a busy topic each fetches a few times a second in batches, instead of
// once per produced batch (every gateway runs its own analytics group).
const FETCH_WAIT_MS = 500;
const MIN_FETCH_BYTES = 256 * 1024;
const REQUEST_TIMEOUT_MS = 5_000;
// A close that fails is tried again (src/log/kafka/close-group-consumer.ts), a retryMs apart: past a restarting coordinator's load.
const CLOSE_ATTEMPTS = 30;

type Buffers = KafkaMessage<Buffer, Buffer, Buffer, Buffer>;

/**
 * The cluster log tail: each consumer is a member of a real Kafka consumer
 * group, so the group's partitions are shared among its members on every
 * gateway (each message is handled once per group, not once per gateway)
 * and its committed offsets live on the broker. A batch's offsets are
 * committed only after its handler resolved. Consumers see what `pick`
 * takes of each record: by default messages, not retractions.
 */
export class KafkaLogTail<T = LoggedMessage> implements LogTail<T> {
  readonly #options: TailSettings<T>;
  readonly #consumers = new Set<KafkaTailConsumer<T>>();

  constructor(options: KafkaLogTailOptions<T>) {
    // Without `decode`, T is the default LoggedMessage (the log topic's messages).
    this.#options = { retryMs: RETRY_MS, decode: loggedMessage as unknown as (value: Buffer | null) => T | undefined, fetchWaitMs: FETCH_WAIT_MS, minFetchBytes: MIN_FETCH_BYTES, ...options };
  }

  consume(options: TailConsumerOptions<T>): TailConsumer {
    const consumer: KafkaTailConsumer<T> = new KafkaTailConsumer(this.#options, options, () => this.#consumers.delete(consumer));
    this.#consumers.add(consumer);
    return consumer;
  }

  async close(): Promise<void> {
    await Promise.all([...this.#consumers].map((c) => c.stop()));
  }
}

class KafkaTailConsumer<T> implements TailConsumer {
  readonly #tail: TailSettings<T>;
  readonly #o: TailConsumerOptions<T>;
  readonly #onStopped: () => void;
  readonly #stopping = new AbortController();
  readonly #ready: Promise<void>;
  #markReady: () => void = () => {};
  #consumer: Consumer<Buffer, Buffer, Buffer, Buffer> | undefined;
  readonly #loop: Promise<void>;

  constructor(tail: TailSettings<T>, options: TailConsumerOptions<T>, onStopped: () => void) {
    this.#tail = tail;
    this.#o = options;
    this.#onStopped = onStopped;
    this.#ready = new Promise((resolve) => (this.#markReady = resolve));
    this.#loop = this.#run();
  }

  ready(): Promise<void> {
    return this.#ready;
  }

  async lag(): Promise<number> {
    const consumer = this.#consumer;
    if (consumer === undefined) return 0;
    const topic = this.#tail.topic;
    const ends = (await consumer.listOffsets({ topics: [topic] })).get(topic) ?? [];
    const committed = (await consumer.listCommittedOffsets({ topics: [{ topic, partitions: ends.map((_, partition) => partition) }] })).get(topic) ?? [];
    let lag = 0;
    ends.forEach((end, partition) => {
      const at = committed[partition] ?? -1n;
      lag += Number(end - (at < 0n ? 0n : at));
    });
    return lag;
  }

  async stop(): Promise<void> {
    this.#stopping.abort();
    await this.#loop;
  }

  /** Joins the group and consumes until stopped; after a lost connection it starts over (from the committed offsets). */
  async #run(): Promise<void> {
    const signal = this.#stopping.signal;
    while (!signal.aborted) {
      const consumer = new Consumer({
        clientId: `chorus-tail-${randomUUID().slice(0, 8)}`,
        // Named after the topic too: deployments (and test runs) sharing a broker never share a group.
        groupId: `${this.#tail.topic}.${this.#o.group}`,
        bootstrapBrokers: [...this.#tail.brokers],
        sessionTimeout: SESSION_TIMEOUT_MS,
        heartbeatInterval: HEARTBEAT_MS,
        timeout: REQUEST_TIMEOUT_MS,
        autocommit: false,
        maxWaitTime: this.#tail.fetchWaitMs,
        minBytes: this.#tail.minFetchBytes,
      });
      this.#consumer = consumer;
      // The client reports what goes wrong in the background (a group join that
      // keeps failing under load) as an 'error' event: unheard, it would kill
      // the process. Heard, it ends this round and the loop joins again.
      let current: MessagesStream<Buffer, Buffer, Buffer, Buffer> | undefined;
      consumer.on('error', (error: Error) => {
        if (signal.aborted) return;
        this.#o.onError(error);
        current?.destroy(error);
      });
      try {
        const stream = await consumer.consume({ topics: [this.#tail.topic], mode: 'committed', fallbackMode: this.#o.startAt, autocommit: false, maxWaitTime: this.#tail.fetchWaitMs, minBytes: this.#tail.minFetchBytes, highWaterMark: this.#o.maxBatch });
        current = stream;
        await this.#consumeFrom(stream, consumer);
        await stream.close();
      } catch (error) {
        if (!signal.aborted) this.#o.onError(error);
      } finally {
        // Leaving the group hands its partitions to the other members at once.
        await closeGroupConsumer(() => consumer.close(true), { attempts: CLOSE_ATTEMPTS, waitMs: this.#tail.retryMs, onError: this.#o.onError });
      }
      if (!signal.aborted) await sleep(this.#tail.retryMs, undefined, { signal }).catch(() => {});
    }
    this.#markReady(); // a consumer stopped before it was ready must not leave ready() hanging
    this.#onStopped();
  }

  async #consumeFrom(stream: MessagesStream<Buffer, Buffer, Buffer, Buffer>, consumer: Consumer<Buffer, Buffer, Buffer, Buffer>): Promise<void> {
    const signal = this.#stopping.signal;
    const failure = once(stream, 'error', { signal }).then(([error]) => Promise.reject(error as Error));
    failure.catch(() => {}); // observed below; never unhandled
    const stopped = once(signal, 'abort');
    // Starting positions are fixed once the group has assigned this member its partitions.
    if ((consumer.assignments?.length ?? 0) === 0) await Promise.race([once(stream, 'offsets', { signal }), failure]);
    if (this.#o.startAt === 'latest') await this.#pinStart(consumer);
    this.#markReady();
    // Flowing mode, paused while a batch's worth waits: the buffer never holds more than one batch.
    const buffer: Buffers[] = [];
    let wake: () => void = () => {};
    stream.on('data', (message: Buffers) => {
      buffer.push(message);
      if (buffer.length >= this.#o.maxBatch) stream.pause();
      wake();
    });
    while (!signal.aborted) {
      if (buffer.length === 0) {
        const arrived = new Promise<void>((resolve) => (wake = resolve));
        await Promise.race([arrived, stopped, failure]).catch((error: unknown) => {
          if (!signal.aborted) throw error;
        });
        continue;
      }
      const batch = buffer.splice(0, this.#o.maxBatch);
      if (stream.isPaused()) stream.resume();
      await this.#handle(batch);
      await commit(batch);
    }
  }

  /**
   * A group with no committed offset on a partition starts at the newest
   * message; that start is committed at once. Otherwise a partition that
   * moves to another member (gateways joining the group one after another)
   * before this one committed anything would start there at a later
   * "newest", skipping what arrived in between.
   */
  async #pinStart(consumer: Consumer<Buffer, Buffer, Buffer, Buffer>): Promise<void> {
    const topic = this.#tail.topic;
    const assigned = consumer.assignments?.find((a) => a.topic === topic)?.partitions ?? [];
    if (assigned.length === 0) return;
    const committed = (await consumer.listCommittedOffsets({ topics: [{ topic, partitions: assigned }] })).get(topic) ?? [];
    const ends = (await consumer.listOffsets({ topics: [topic] })).get(topic) ?? [];
    const offsets = assigned
      .filter((partition) => (committed[partition] ?? -1n) < 0n && ends[partition] !== undefined)
      .map((partition) => ({ topic, partition, offset: ends[partition]!, leaderEpoch: -1 }));
    if (offsets.length > 0) await consumer.commit({ offsets });
  }

  /** Hands the batch's messages to the handler until it succeeds; a stop leaves it uncommitted, so it comes again. */
  async #handle(batch: Buffers[]): Promise<void> {
    const records: T[] = [];
    for (const message of batch) {
      const record = this.#tail.decode(message.value);
      if (record !== undefined) records.push(record);
    }
    if (records.length === 0) return;
    for (;;) {
      try {
        await this.#o.handler(records);
        return;
      } catch (error) {
        this.#o.onError(error);
        if (this.#stopping.signal.aborted) throw error;
        await sleep(this.#tail.retryMs);
      }
    }
  }
}

/** The log topic's messages as consumers see them; retractions, held lines and watermarks are skipped. */
function loggedMessage(value: Buffer | null): LoggedMessage | undefined {
  const record = decodeRecord(value);
  return record === undefined ? undefined : loggedMessageOf(record);
}

function loggedMessageOf(record: LogRecord): LoggedMessage | undefined {
  if (record.t !== 'm') return undefined;
  return typeof record.h === 'string' ? { message: record.m, sampled: record.s, hlc: record.h } : { message: record.m, sampled: record.s };
}

/** A region's follower of a peer's mirrored log: lines (held ones too) and watermarks. */
export function regionRecordOf(value: Buffer | null): RegionRecord | undefined {
  const record = decodeRecord(value);
  if (record?.t === 'm') return { kind: 'line', entry: loggedMessageOf(record)! };
  if (record?.t === 'g') return { kind: 'line', entry: { message: record.m, sampled: false, hlc: record.h } };
  if (record?.t === 'w') return { kind: 'watermark', hlc: record.h, partition: record.p, partitions: record.n };
  return undefined;
}

/** Commits the offset after the last message of each partition in the batch. */
async function commit(batch: Buffers[]): Promise<void> {
  const last = new Map<number, Buffers>();
  for (const message of batch) last.set(message.partition, message);
  await Promise.all([...last.values()].map((message) => message.commit()));
}
