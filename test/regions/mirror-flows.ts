// Three regions as `npm run services -- --regions us,eu,ap` starts them (the
// same function, in a state directory of the test's own so cutting a link
// disturbs no one else): real brokers, the real MirrorMaker 2, the delaying
// links. A line written in us reaches eu and ap as `us.<topic>` no sooner than
// the link delay; a cut link stops its flow only; after the heal every line
// arrives, none lost. One test per placement of the mirrors
// (mirror.test.ts, mirror-at-source.test.ts), run from here.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { Producer } from '@platformatic/kafka';
import { LinksControl } from '../../scripts/services/links-control.ts';
import { startRegions, stopRegions, type RegionsInfo } from '../../scripts/services/regions.ts';
import { ensureTopic } from '../../src/log/kafka/topics.ts';
import { TopicReader } from '../../src/log/kafka/topic-reader.ts';
import { removeDir, tempDir } from '../support/temp-dir.ts';
import { until } from '../support/until.ts';

const DELAY_MS = 80;
// Longer than a Connect worker's session (10 s): with the mirror at the source its group lives across the cut
// link, so the worker is dropped from its group and must get its flow back when it rejoins after the heal.
const CUT_MS = 12_000;

interface Line {
  n: number;
  sentAt: number;
}

/** Follows one mirrored topic (one partition) and notes each line with when it arrived. */
class MirrorFollower {
  readonly arrivals: Array<{ line: Line; at: number }> = [];
  readonly #reader: TopicReader;
  #stopped = false;
  readonly #done: Promise<void>;

  constructor(brokers: string, topic: string) {
    this.#reader = new TopicReader({ brokers: [brokers], topic, clientId: `regions-test-${randomUUID().slice(0, 8)}`, timeoutMs: 5000 });
    this.#done = this.#follow();
  }

  lines(): number[] {
    return this.arrivals.map((a) => a.line.n);
  }

  /** Each line in the order it first arrived, and how many arrivals repeated a line already here. */
  firstArrivals(): { lines: number[]; repeats: number } {
    const lines = [...new Set(this.lines())];
    return { lines, repeats: this.arrivals.length - lines.length };
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    await this.#done;
    await this.#reader.close();
  }

  async #follow(): Promise<void> {
    let offset = 0;
    while (!this.#stopped) {
      // The mirrored topic exists once MirrorMaker has seen the source topic (within seconds).
      const fetched = await this.#reader.fetch(0, offset, 100, 1 << 20).catch(() => undefined);
      if (fetched === undefined) {
        await sleep(100);
        continue;
      }
      const at = Date.now();
      for (const record of fetched.records) this.arrivals.push({ line: JSON.parse(record.value!.toString()) as Line, at });
      offset = fetched.next;
    }
  }
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

/** The whole test for one placement of the mirrors (scripts/services/regions.ts). */
export function mirrorFlowsTest(mirrorAt: 'target' | 'source'): void {
  const stateDir = tempDir('chorus-regions-');
  let regions: RegionsInfo;

  before(async () => {
    regions = await startRegions({ regions: ['us', 'eu', 'ap'], stateDir, delayMs: DELAY_MS, mirrorAt });
  }, { timeout: 600_000 });
  after(async () => {
    await stopRegions(stateDir);
    removeDir(stateDir);
  }, { timeout: 120_000 });

  test(`lines written in us reach eu and ap as us.<topic>; a cut link stops its flow; after the heal nothing is lost (mirror at the ${mirrorAt})`, { timeout: 600_000 }, async () => {
    const us = regions.regions.us!;
    assert.deepEqual(Object.keys(regions.regions), ['us', 'eu', 'ap']);
    assert.deepEqual(us.peers, ['eu', 'ap']);
    const topic = `chorus.regions-test-${randomUUID()}`;
    await ensureTopic({ brokers: [us.kafkaBrokers], topic, partitions: 1, replicas: 1, configs: {} });
    const producer = new Producer({ clientId: 'regions-test', bootstrapBrokers: [us.kafkaBrokers], acks: -1, timeout: 5000 });
    const followers = { eu: new MirrorFollower(regions.regions.eu!.kafkaBrokers, `us.${topic}`), ap: new MirrorFollower(regions.regions.ap!.kafkaBrokers, `us.${topic}`) };
    const control = new LinksControl(regions.links.controlUrl);
    let n = 0;
    const send = async (): Promise<void> => {
      const line: Line = { n: n++, sentAt: Date.now() };
      await producer.send({ messages: [{ topic, partition: 0, value: Buffer.from(JSON.stringify(line)) }] });
    };
    try {
      // The new topic is picked up by MirrorMaker's topic refresh: wait for a first line to cross before measuring.
      await send();
      await until(() => followers.eu.arrivals.length > 0 && followers.ap.arrivals.length > 0, 'the first line in eu and ap', 60_000, 50);

      // Steady traffic, 20 lines a second for 10 seconds: the replication delay, send to arrival.
      for (let i = 0; i < 200; i++) {
        await send();
        await sleep(50);
      }
      await until(() => followers.eu.arrivals.length >= n && followers.ap.arrivals.length >= n, `${n} lines in eu and ap`, 30_000, 50);
      for (const [name, follower] of Object.entries(followers)) {
        const delays = follower.arrivals.slice(1).map((a) => a.at - a.line.sentAt).sort((a, b) => a - b);
        console.log(`regions: us -> ${name} replication (mirror at ${mirrorAt}) over a ${DELAY_MS} ms link, ${delays.length} lines: p50 ${percentile(delays, 50)} ms, p99 ${percentile(delays, 99)} ms, max ${delays.at(-1)} ms, min ${delays[0]} ms`);
        // Each line crosses the link once (a fetch answer or a produce request): a shorter delay would mean the mirror bypassed it.
        assert.ok(delays[0]! >= DELAY_MS, `a line reached ${name} after ${delays[0]} ms, under the link delay`);
        assert.deepEqual(follower.lines(), Array.from({ length: n }, (_, i) => i), `${name} has every line once, in order`);
      }

      // Cut us -> eu: ap still receives, eu does not.
      await control.cut({ from: 'us', to: 'eu' });
      const beforeCut = n;
      for (let i = 0; i < 20; i++) await send();
      await until(() => followers.ap.arrivals.length >= n, 'the lines sent during the cut in ap', 30_000, 50);
      await sleep(CUT_MS);
      assert.equal(followers.eu.arrivals.length, beforeCut, 'nothing crossed the cut link to eu');

      // Heal: eu catches up with every line, none lost.
      const healedAt = Date.now();
      await control.heal({ from: 'us', to: 'eu' });
      await until(() => followers.eu.firstArrivals().lines.length >= n, 'eu catching up after the heal', 60_000, 50);
      console.log(`regions: us -> eu caught up ${Date.now() - healedAt} ms after the heal (mirror at the ${mirrorAt})`);
      await sleep(1000);
      for (const [name, follower] of Object.entries(followers)) {
        const { lines, repeats } = follower.firstArrivals();
        assert.deepEqual(lines, Array.from({ length: n }, (_, i) => i), `${name} has every line, in order`);
        // At the target the flow's worker never leaves its group (its coordinator is local) and carries on. At the source
        // it restarts the flow after the heal from its last committed position, resending what it had not committed:
        // at least once, as MirrorMaker 2 promises, and the gateways take a line once by its id (docs/regions.md, "Dedupe").
        if (mirrorAt === 'target') assert.equal(repeats, 0, `${name} has every line once`);
        else console.log(`regions: ${name} had ${repeats} lines twice (mirror at the source, the flow restarted after the heal)`);
      }
    } finally {
      await Promise.all(Object.values(followers).map((f) => f.stop()));
      await producer.close();
    }
  });
}
