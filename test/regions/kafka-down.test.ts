// One region's Kafka killed, then started again: real Redis and real KRaft
// brokers per region, the real MirrorMaker 2 between them through 80 ms
// delaying links (startRegions, in a state directory of this test's own:
// killing a broker disturbs no other test), one gateway per region. ap's
// broker is SIGKILLed: ap's sends are refused with `unavailable` (and what
// ap's viewers saw of them is retracted), while us and eu keep acknowledging
// and showing each other's lines, in regional and in global order. Then
// `startRegions` (the services script's `start`) starts ap's broker again:
// ap acknowledges again, its lines reach us and eu, and what us and eu said
// meanwhile reaches ap, every line once.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { killRegionBroker, startRegions } from '../../scripts/services/regions.ts';
import { arrivedEverywhere, regionSender, RegionViewer, switchToGlobal, warmUp } from '../support/region-viewers.ts';
import { groupMembers } from '../support/kafka-groups.ts';
import { ownRegionsForFile } from '../support/own-regions.ts';
import type { Frame, TestClient } from '../support/ws-client.ts';

const REGIONS = ['us', 'eu', 'ap'] as const;
type Region = (typeof REGIONS)[number];
const DOWN: Region = 'ap';
const UP = REGIONS.filter((r) => r !== DOWN);
const HOLD_MAX_MS = 1_000;
const REGIONAL = 'kafka-down-regional';
const GLOBAL = 'kafka-down-global';
const STREAMS = [REGIONAL, GLOBAL] as const;
// An append Kafka has not acknowledged by then is refused (the default is 5 s).
const APPEND_TIMEOUT_MS = 3_000;
const { gateways, stateDir } = await ownRegionsForFile(REGIONS, {
  name: 'kafka-down',
  flags: () => ['--region-hold-max-ms', String(HOLD_MAX_MS), '--kafka-append-timeout-ms', String(APPEND_TIMEOUT_MS)],
});

/** The answer (ack or error) to one send, waited for past the append timeout. */
async function send(sender: TestClient, stream: string, text: string): Promise<Frame> {
  const nonce = `n${randomUUID()}`;
  sender.send({ type: 'send', stream, text, nonce });
  return sender.nextMatching((f) => (f.type === 'ack' || f.type === 'error') && f.nonce === nonce, 3 * APPEND_TIMEOUT_MS, 'answer to send');
}

async function acked(sender: TestClient, stream: string, text: string): Promise<string> {
  const answer = await send(sender, stream, text);
  assert.equal(answer.type, 'ack', `${text}: ${JSON.stringify(answer)}`);
  assert.equal(answer.sampled, false, `${text}: no line is sampled out at this rate (${JSON.stringify(answer)})`);
  return answer.id as string;
}

test(`${DOWN}'s Kafka killed: ${DOWN} answers unavailable, the other regions are untouched, and ${DOWN} recovers once its broker is started again`, { timeout: 900_000 }, async (t) => {
  const viewers = new Map(await Promise.all(REGIONS.map(async (r) => [r, await RegionViewer.join(gateways.get(r)!, STREAMS)] as const)));
  const senders = new Map(await Promise.all(REGIONS.map(async (r) => [r, await regionSender(gateways.get(r)!, `sender_${r}`, STREAMS)] as const)));
  await warmUp(senders, viewers, REGIONAL);
  await switchToGlobal(gateways, senders, viewers, GLOBAL, HOLD_MAX_MS);
  const upViewers = new Map(UP.map((r) => [r, viewers.get(r)!]));

  const killedAt = Date.now();
  assert.ok(await killRegionBroker(stateDir, DOWN), `${DOWN}'s broker was running`);

  // The down region refuses: `unavailable`, within the append timeout; what its viewers saw of a refused line is retracted.
  const refusals: number[] = [];
  const refusedTexts: string[] = [];
  for (let i = 0; i < 3; i++) {
    const text = `while ${DOWN}'s kafka is down ${i}`;
    const sentAt = Date.now();
    const answer = await send(senders.get(DOWN)!, REGIONAL, text);
    assert.equal(answer.type, 'error', `${DOWN} acknowledged a line with its Kafka down: ${JSON.stringify(answer)}`);
    assert.equal(answer.code, 'unavailable', JSON.stringify(answer));
    refusals.push(Date.now() - sentAt);
    refusedTexts.push(text);
  }

  // The others are untouched: their lines are acknowledged and shown in both of them, in global order too.
  const during = new Map<string, string[]>(STREAMS.map((s) => [s, []]));
  await Promise.all(UP.map(async (from) => {
    for (let i = 0; i < 10; i++) {
      for (const stream of STREAMS) during.get(stream)!.push(await acked(senders.get(from)!, stream, `${from} while ${DOWN} is down ${i}`));
      await sleep(300);
    }
  }));
  const allDuring = [...during.values()].flat();
  await arrivedEverywhere(upViewers, allDuring, `lines of ${UP.join(' and ')} while ${DOWN}'s Kafka was down`);
  const [first, second] = UP.map((r) => viewers.get(r)!.ids(GLOBAL).filter((id) => during.get(GLOBAL)!.includes(id)));
  assert.deepEqual(second, first, `${UP.join(' and ')} show their global lines in one order without ${DOWN}`);
  for (const region of UP) {
    assert.ok(viewers.get(region)!.orders(GLOBAL).some((o) => o.at > killedAt && o.degraded && o.leftOut.join() === DOWN), `${region} left ${DOWN} out`);
  }
  const downViewer = viewers.get(DOWN)!;
  const shownRefused = downViewer.client.liveMessages(REGIONAL).filter((m) => refusedTexts.includes(m.text as string)).map((m) => m.id as string);
  const retracted = new Set(downViewer.client.frames.filter((f) => f.type === 'retract' && f.reason === 'unstored').flatMap((f) => f.ids as string[]));
  assert.deepEqual(shownRefused.filter((id) => !retracted.has(id)), [], `every refused line ${DOWN}'s viewers saw was retracted`);

  // `start` starts what is down: ap's broker, on its data; it returns once the mirror carries every flow again.
  const restartAt = Date.now();
  const { regions: services } = await startRegions({ regions: [...REGIONS], stateDir });
  const restartMs = Date.now() - restartAt;
  // The gateway reconnects by itself: a send is acknowledged again (bounded).
  let firstAck: string | undefined;
  for (let i = 0; firstAck === undefined; i++) {
    assert.ok(i < 60, `${DOWN} never acknowledged a line again after its broker was back`);
    const answer = await send(senders.get(DOWN)!, REGIONAL, `${DOWN} is back ${i}`);
    if (answer.type === 'ack') firstAck = answer.id as string;
    else await sleep(1_000);
  }
  const recoveredMs = Date.now() - restartAt - restartMs;
  const back: string[] = [firstAck];
  for (let i = 0; i < 5; i++) for (const stream of STREAMS) back.push(await acked(senders.get(DOWN)!, stream, `${DOWN} after the restart ${i}`));
  // ${DOWN}'s one gateway reads each peer's mirrored topics (lines, decisions, viewers) in groups of its own: one member each. A client dropped
  // without leaving its group during the outage would be a second member, holding partitions it never reads.
  const members = async (): Promise<Record<string, number>> => Object.fromEntries(await groupMembers(services[DOWN]!.kafkaBrokers, `region-${DOWN}-`));
  await arrivedEverywhere(viewers, [...back, ...allDuring], `${DOWN}'s lines after the restart, and the others' while it was down, in every region`, 180_000)
    .catch(async (err: Error) => assert.fail(`${err.message}; ${DOWN}'s groups of its peers' topics (members): ${JSON.stringify(await members())}`));
  const groups = await members();
  assert.deepEqual([...new Set(Object.keys(groups).map((id) => id.split('.')[0]))].sort(), [...UP].sort(), `${DOWN}'s groups: ${JSON.stringify(groups)}`);
  assert.deepEqual(Object.values(groups).filter((n) => n !== 1), [], `one member in each of ${DOWN}'s groups: ${JSON.stringify(groups)}`);

  for (const [region, viewer] of viewers) {
    for (const stream of STREAMS) {
      const live = viewer.ids(stream);
      assert.equal(new Set(live).size, live.length, `${region} ${stream}: no line shown twice`);
    }
    // Sampling starts above the threshold (120 lines a second by default): nowhere near it here, the catch-up included.
    for (const stream of STREAMS) assert.deepEqual(viewer.rates(stream).filter((r) => r.sampling), [], `${region} ${stream}: never sampling at a few lines a second`);
    const refusedShown = viewer.client.liveMessages(REGIONAL).filter((m) => refusedTexts.includes(m.text as string) && !retracted.has(m.id as string));
    assert.deepEqual(refusedShown, [], `${region}: no refused line stays shown`);
  }
  const figures = [
    `${DOWN}'s broker SIGKILLed: its sends refused (unavailable) in ${refusals.join(', ')} ms (append timeout ${APPEND_TIMEOUT_MS} ms)`,
    `${UP.join(' and ')} acknowledged and exchanged ${allDuring.length} lines meanwhile`,
    `start brought ${DOWN}'s broker back (the mirror carrying every flow) in ${restartMs} ms; ${DOWN}'s first ack ${recoveredMs} ms after that`,
  ];
  for (const line of figures) {
    console.log(`regions-kafka-down: ${line}`);
    t.diagnostic(line);
  }
  for (const client of [...senders.values(), ...[...viewers.values()].map((v) => v.client)]) client.close();
});
