// A 30 s partition between two regions, and its heal: real Redis and real
// KRaft brokers per region, the real MirrorMaker 2 between them through
// 80 ms delaying links (startRegions, in a state directory of this test's
// own: cutting links disturbs no other test), one gateway per region. The
// links carrying the mirror between us and eu are cut both ways (ap still
// reaches both). Throughout, a sender in every region chats in two streams,
// one in regional order and one in global order, and every acknowledged
// line is recorded. After the heal every acknowledged line reaches every
// region exactly once (live viewers and history), each origin's lines in its
// order, and in global order the regions, degraded during the cut, rejoin
// and show the lines sent afterwards in one order. The convergence time
// (heal to the last line shown everywhere) is printed.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { arrivedEverywhere, inversions, regionSender, RegionViewer, switchToGlobal, warmUp } from '../support/region-viewers.ts';
import { ownRegionsForFile } from '../support/own-regions.ts';
import { TestClient, type Frame } from '../support/ws-client.ts';

const REGIONS = ['us', 'eu', 'ap'] as const;
type Region = (typeof REGIONS)[number];
const CUT = ['us', 'eu'] as const;
const PARTITION_MS = 30_000;
const HOLD_MAX_MS = 1_000;
// One line a second per region and stream: modest on two cores that run three brokers and the mirror.
const SEND_EVERY_MS = 1_000;
const BEFORE_CUT_MS = 3_000;
const AFTER_HEAL_MS = 10_000;
const REGIONAL = 'partition-regional';
const GLOBAL = 'partition-global';
const STREAMS = [REGIONAL, GLOBAL] as const;
// Every other setting at its default: what a partition does to sampling and the fan-out budget is part of the test.
const { gateways, control } = await ownRegionsForFile(REGIONS, { name: 'partition', flags: () => ['--region-hold-max-ms', String(HOLD_MAX_MS)] });

interface Acked {
  id: string;
  from: Region;
  stream: string;
  sentAt: number;
  ackedAt: number;
}

/** One line every SEND_EVERY_MS from `sender` in `stream` until `done()`, each acknowledged and recorded (bounded). */
async function chat(sender: TestClient, from: Region, stream: string, done: () => boolean, acked: Acked[]): Promise<void> {
  for (let i = 0; !done(); i++) {
    assert.ok(i < 200, `${from} ${stream}: the chat never ended`);
    const sentAt = Date.now();
    const ack = await sender.request({ type: 'send', stream, text: `${from} ${i}` });
    assert.equal(ack.type, 'ack', `${from} ${stream}: ${JSON.stringify(ack)}`);
    assert.equal(ack.sampled, false, `${from} ${stream}: no line is sampled out at this rate (${JSON.stringify(ack)})`);
    acked.push({ id: ack.id as string, from, stream, sentAt, ackedAt: Date.now() });
    await sleep(Math.max(0, sentAt + SEND_EVERY_MS - Date.now()));
  }
}

async function history(region: Region, stream: string): Promise<Frame[]> {
  const client = await TestClient.connect(gateways.get(region)!.wsUrl);
  client.send({ type: 'join', stream, history: 500 });
  const joined = await client.next('joined', (f) => f.stream === stream);
  client.close();
  return joined.history as Frame[];
}

function cutLinks(cut: boolean): Promise<unknown> {
  const [a, b] = CUT;
  const call = (selector: { from: string; to: string }) => (cut ? control.cut(selector) : control.heal(selector));
  return Promise.all([call({ from: a, to: b }), call({ from: b, to: a })]);
}

test(`a ${PARTITION_MS / 1000} s partition between ${CUT.join(' and ')}: both sides keep acknowledging, and after the heal every acknowledged line is in every region once`, { timeout: 900_000 }, async (t) => {
  const viewers = new Map(await Promise.all(REGIONS.map(async (r) => [r, await RegionViewer.join(gateways.get(r)!, STREAMS)] as const)));
  const senders = new Map(await Promise.all(REGIONS.map(async (r) => [r, await regionSender(gateways.get(r)!, `sender_${r}`, STREAMS)] as const)));
  await warmUp(senders, viewers, REGIONAL);
  await switchToGlobal(gateways, senders, viewers, GLOBAL, HOLD_MAX_MS);

  const acked: Acked[] = [];
  let stop = false;
  const chats = Promise.all(REGIONS.flatMap((from) => STREAMS.map((stream) => chat(senders.get(from)!, from, stream, () => stop, acked))));
  // One chat failing ends the others (its error fails the test below).
  chats.catch(() => (stop = true));
  let cutAt = 0;
  let healedAt = 0;
  try {
    await sleep(BEFORE_CUT_MS);
    await cutLinks(true);
    cutAt = Date.now();
    await sleep(PARTITION_MS);
    healedAt = Date.now();
    await cutLinks(false);
    await sleep(AFTER_HEAL_MS);
  } finally {
    // The chats end on any failure too (a failed chat fails the test below).
    stop = true;
    await chats;
  }

  await arrivedEverywhere(viewers, acked.map((a) => a.id), 'every acknowledged line, after the heal', 180_000);
  const byId = new Map(acked.map((a) => [a.id, a]));
  // Convergence: the heal to the last line acknowledged before it shown in every region.
  const convergence = (stream: string): number => {
    let last = healedAt;
    for (const line of acked) {
      if (line.stream !== stream || line.ackedAt >= healedAt) continue;
      for (const viewer of viewers.values()) last = Math.max(last, viewer.arrivals.get(line.id)!);
    }
    return last - healedAt;
  };
  const [a, b] = CUT;
  const partitionLines = acked.filter((l) => l.stream === GLOBAL && l.ackedAt > cutAt && l.ackedAt < healedAt).map((l) => l.id);
  const orderOf = (region: Region): string[] => viewers.get(region)!.ids(GLOBAL).filter((id) => partitionLines.includes(id));
  const during = acked.filter((l) => l.ackedAt > cutAt && l.ackedAt < healedAt);
  const figures = [
    `partition ${PARTITION_MS} ms between ${CUT.join(' and ')} (links 80 ms one way), ${acked.length} lines acknowledged (${during.length} during the cut), one line a second per region and stream`,
    `convergence (heal to the last line acknowledged before it shown in every region): regional ${convergence(REGIONAL)} ms, global ${convergence(GLOBAL)} ms`,
    `global order: lines of the cut in differing orders: inversions against ap's order us ${inversions(orderOf('ap'), orderOf('us'))}, eu ${inversions(orderOf('ap'), orderOf('eu'))} over ${partitionLines.length} lines`,
  ];
  const report = (line: string): void => {
    console.log(`regions-partition: ${line}`);
    t.diagnostic(line);
  };
  figures.forEach(report);

  // The partition was real: what one side sent during it reached the other only after the heal.
  const crossedEarly = acked.filter((l) => l.sentAt > cutAt && (l.from === a || l.from === b) && viewers.get(l.from === a ? b : a)!.arrivals.get(l.id)! < healedAt);
  assert.deepEqual(crossedEarly.map((l) => l.id), [], 'no line crossed the cut before the heal');
  for (const region of REGIONS) assert.ok(during.some((l) => l.from === region), `${region} acknowledged lines during the partition`);

  for (const [region, viewer] of viewers) {
    for (const stream of STREAMS) {
      const want = acked.filter((l) => l.stream === stream).map((l) => l.id);
      const live = viewer.ids(stream);
      assert.equal(new Set(live).size, live.length, `${region} ${stream}: no line shown twice`);
      const shown = live.filter((id) => byId.has(id));
      assert.equal(shown.length, want.length, `${region} ${stream}: every acknowledged line shown`);
      const seqs = viewer.client.liveMessages(stream).map((m) => m.seq as number);
      assert.deepEqual(seqs, [...seqs].sort((x, y) => x - y), `${region} ${stream}: seqs increase`);
      for (const from of REGIONS) {
        const order = acked.filter((l) => l.stream === stream && l.from === from).map((l) => l.id);
        assert.deepEqual(shown.filter((id) => byId.get(id)!.from === from), order, `${region} ${stream}: ${from}'s lines in ${from}'s order`);
      }
      // History (a join after the fact) holds the same lines, once, in the same order.
      const stored = (await history(region, stream)).map((m) => m.id as string);
      assert.equal(new Set(stored).size, stored.length, `${region} ${stream}: no line twice in history`);
      assert.deepEqual(stored.filter((id) => byId.has(id)), shown, `${region} ${stream}: history holds what was shown, in that order`);
    }
  }

  // Sampling starts above the threshold (120 lines a second by default): nowhere near it here, the heal's catch-up included.
  for (const [region, viewer] of viewers) {
    for (const stream of STREAMS) {
      const sampling = viewer.rates(stream).filter((r) => r.sampling);
      assert.deepEqual(sampling, [], `${region} ${stream}: never sampling at a few lines a second (healed at ${healedAt})`);
    }
  }

  // Global order: during the cut us and eu each left the other out, and ap, which reached both, stayed whole.
  for (const [region, other] of [[a, b], [b, a]] as const) {
    const orders = viewers.get(region)!.orders(GLOBAL).filter((o) => o.at > cutAt && o.at < healedAt);
    assert.ok(orders.some((o) => o.degraded && o.leftOut.includes(other)), `${region} left ${other} out during the cut: ${JSON.stringify(orders)}`);
  }
  // Each side of the cut shows its own lines and ap's in ap's order (the order of their stamps): only lines across the cut came
  // late. Unless the side left ap out too: a starved machine can hold ap's flow past the hold bound (the one MirrorMaker
  // carries every flow, and the cut one stalls it), and lines released then are in arrival order, by design. Seen once in
  // CI (one adjacent pair swapped in eu); each left-out moment is reported, and the order must still be nearly ap's.
  const apOrder = viewers.get('ap')!.ids(GLOBAL).filter((id) => byId.has(id));
  for (const region of CUT) {
    const seen = viewers.get(region)!.ids(GLOBAL).filter((id) => byId.has(id) && byId.get(id)!.from !== (region === a ? b : a));
    const expected = apOrder.filter((id) => seen.includes(id));
    const apLeftOut = viewers.get(region)!.orders(GLOBAL).filter((o) => o.degraded && o.leftOut.includes('ap')).map((o) => o.at - cutAt);
    if (apLeftOut.length === 0) {
      assert.deepEqual(seen, expected, `${region} shows its and ap's lines in ap's order`);
    } else {
      const swapped = inversions(expected, seen);
      report(`${region} left ap out too, at ${apLeftOut.join(', ')} ms after the cut: ${swapped} inversions against ap's order over ${seen.length} lines`);
      assert.ok(swapped * 20 < seen.length * (seen.length - 1) / 2, `${region}: its and ap's lines far from ap's order (${swapped} inversions)`);
    }
  }
  // After the heal the regions rejoin (bounded), and lines sent from then on are in one order everywhere.
  for (let i = 0; [...viewers.values()].some((v) => v.degraded(GLOBAL)); i++) {
    assert.ok(i < 600, 'the global order never became whole again after the heal');
    await sleep(100);
  }
  // When every region's global order was last whole again (the state after its last degraded one).
  const wholeAgainAt = Math.max(...[...viewers.values()].map((v) => {
    const orders = v.orders(GLOBAL);
    return orders[orders.findLastIndex((o) => o.degraded) + 1]?.at ?? 0; // never degraded: whole all along
  }));
  report(`global order whole again in every region ${wholeAgainAt - healedAt} ms after the heal`);
  const rejoinedAt = Date.now();
  const final = (await Promise.all(REGIONS.map(async (from) => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const ack = await senders.get(from)!.request({ type: 'send', stream: GLOBAL, text: `after the rejoin ${from} ${i}` });
      assert.equal(ack.type, 'ack', JSON.stringify(ack));
      assert.equal(ack.sampled, false, JSON.stringify(ack));
      ids.push(ack.id as string);
    }
    return ids;
  }))).flat();
  await arrivedEverywhere(viewers, final, 'lines sent after the rejoin');
  const finalOrders = REGIONS.map((r) => viewers.get(r)!.ids(GLOBAL).filter((id) => final.includes(id)));
  for (const [i, region] of REGIONS.entries()) {
    assert.deepEqual(finalOrders[i], finalOrders[0], `${region} shows the lines sent after the rejoin in us's order`);
    assert.ok(!viewers.get(region)!.orders(GLOBAL).some((o) => o.at > rejoinedAt && o.degraded), `${region} stayed whole after the rejoin`);
  }

  for (const client of [...senders.values(), ...[...viewers.values()].map((v) => v.client)]) client.close();
});
