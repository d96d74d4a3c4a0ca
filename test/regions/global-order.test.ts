// Global order across three regions: real Redis and real KRaft brokers per
// region, the real MirrorMaker 2 between them through 80 ms delaying links
// (startRegions, in a state directory of this test's own so cutting a link
// disturbs no one else), one gateway per region and a second one in us
// (`us2`: the partition's owner orders for both, src/regions/order-owners.ts),
// one stream in `modes.ordering: global`. Concurrent senders on every
// gateway: every gateway's viewers see the lines in one order. A region cut off longer than
// regionHoldMaxMs is left out (`state.globalOrder`), and the stream is global
// again after the heal.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { arrivedEverywhere, inversions, regionSender, RegionViewer, switchToGlobal, warmUp } from '../support/region-viewers.ts';
import { ownRegionsForFile } from '../support/own-regions.ts';
import type { TestServer } from '../support/servers.ts';
import type { TestClient } from '../support/ws-client.ts';

const REGIONS = ['us', 'eu', 'ap'] as const;
type Region = (typeof REGIONS)[number];
/** Where viewers and senders connect: each region's gateway, and us's second. */
const SITES = [...REGIONS, 'us2'] as const;
type Site = (typeof SITES)[number];
const DELAY_MS = 80;
const HOLD_MAX_MS = 1_000;
const STREAM = 'global';
const { gateways, control, second } = await ownRegionsForFile(REGIONS, {
  name: 'global', delayMs: DELAY_MS, twoGatewaysIn: 'us',
  flags: () => [
    '--region-hold-max-ms', String(HOLD_MAX_MS), '--inbound-frames-per-second', '1000',
    // The stream's rate counts every region's lines (its seqs): the bursts below would pass the default 120 a second.
    '--sampling-threshold', '100000',
  ],
});

/** Sends `count` lines from each sender at once (in bursts of `burst`); returns each line's id with when it was sent. */
const gatewayOf = (site: Site): TestServer => (site === 'us2' ? second! : gateways.get(site)!);
const regionOf = (site: Site): Region => (site === 'us2' ? 'us' : site);

async function sendConcurrently(senders: Map<Site, TestClient>, label: string, count: number, burst: number): Promise<Map<string, { from: Site; sentAt: number }>> {
  const sent = new Map<string, { from: Site; sentAt: number }>();
  await Promise.all([...senders].map(async ([from, sender]) => {
    for (let i = 0; i < count; i += burst) {
      await Promise.all(Array.from({ length: Math.min(burst, count - i) }, async (_, j) => {
        const sentAt = Date.now();
        const ack = await sender.request({ type: 'send', stream: STREAM, text: `${label} ${from} ${i + j}` });
        assert.equal(ack.type, 'ack', JSON.stringify(ack));
        assert.equal(ack.sampled, false, 'no line is sampled out at this rate');
        sent.set(ack.id as string, { from, sentAt });
      }));
    }
  }));
  return sent;
}

/** Display latency (arrival minus send) over every region's viewer, in ms. */
function latencies(viewers: Map<Site, RegionViewer>, sent: Map<string, { from: Site; sentAt: number }>, local: boolean): { p50: number; p99: number } {
  const all: number[] = [];
  for (const [site, viewer] of viewers) {
    for (const [id, { from, sentAt }] of sent) if ((regionOf(from) === regionOf(site)) === local) all.push(viewer.arrivals.get(id)! - sentAt);
  }
  all.sort((a, b) => a - b);
  const at = (p: number): number => all[Math.min(all.length - 1, Math.ceil((p / 100) * all.length) - 1)]!;
  return { p50: at(50), p99: at(99) };
}

let viewers: Map<Site, RegionViewer>;
let senders: Map<Site, TestClient>;

test('concurrent senders on every gateway of every region: in global order every gateway shows the lines in one order', { timeout: 600_000 }, async (t) => {
  viewers = new Map(await Promise.all(SITES.map(async (s) => [s, await RegionViewer.join(gatewayOf(s), [STREAM])] as const)));
  senders = new Map(await Promise.all(SITES.map(async (s) => [s, await regionSender(gatewayOf(s), `sender_${s}`, [STREAM])] as const)));
  // In regional order first: each region sends until every region shows one of its lines.
  await warmUp(senders, viewers, STREAM);
  // The same load in regional order first: the reference for the added latency, and the orders differ.
  const regional = await sendConcurrently(senders, 'regional', 30, 10);
  await arrivedEverywhere(viewers, regional.keys(), 'regional lines');
  const regionalOrders = SITES.map((s) => viewers.get(s)!.ids(STREAM).filter((id) => regional.has(id)));

  await switchToGlobal(gateways, senders, viewers, STREAM, HOLD_MAX_MS);
  const since = Date.now();
  const global = await sendConcurrently(senders, 'global', 60, 10);
  await arrivedEverywhere(viewers, global.keys(), 'global lines');
  const degradedDuring = [...viewers].filter(([, v]) => v.orders(STREAM).some((o) => o.at >= since && o.degraded)).map(([r]) => r);

  const orders = SITES.map((s) => viewers.get(s)!.ids(STREAM).filter((id) => global.has(id)));
  const counts = orders.map((o) => inversions(orders[0]!, o));
  t.diagnostic(`regional order: inversions between regions us/eu ${inversions(regionalOrders[0]!, regionalOrders[1]!)}, us/ap ${inversions(regionalOrders[0]!, regionalOrders[2]!)} (over ${regional.size} lines)`);
  t.diagnostic(`global order: inversions against us's order ${counts.join(', ')} over ${global.size} lines; degraded during the run in: ${degradedDuring.join(', ') || 'none'}`);
  const [regionalLocal, regionalRemote, globalLocal, globalRemote] = [latencies(viewers, regional, true), latencies(viewers, regional, false), latencies(viewers, global, true), latencies(viewers, global, false)];
  t.diagnostic(`display latency ms (p50/p99): regional local ${regionalLocal.p50}/${regionalLocal.p99}, remote ${regionalRemote.p50}/${regionalRemote.p99}; global local ${globalLocal.p50}/${globalLocal.p99}, remote ${globalRemote.p50}/${globalRemote.p99}`);
  assert.deepEqual(degradedDuring, [], 'no region was left out while every link was up');
  for (const [i, site] of SITES.entries()) {
    assert.equal(new Set(orders[i]).size, global.size, `${site} shows every line once`);
    assert.deepEqual(orders[i], orders[0], `${site} shows the lines in us's order`);
    const seqs = viewers.get(site)!.client.liveMessages(STREAM).map((m) => m.seq as number);
    assert.deepEqual(seqs, [...seqs].sort((a, b) => a - b), `${site}: seqs increase`);
  }
  // us's two gateways show one sequence with the same seqs: one order per region, not one per gateway.
  const seqsOf = (site: Site): string[] => viewers.get(site)!.client.liveMessages(STREAM).filter((m) => global.has(m.id as string)).map((m) => `${m.id as string}:${m.seq as number}`);
  assert.deepEqual(seqsOf('us2'), seqsOf('us'), 'us2 shows us\'s seqs');
  // The order interleaves the origins: the senders really were concurrent.
  assert.ok(orders[0]!.some((id, i) => i > 0 && global.get(id)!.from !== global.get(orders[0]![i - 1]!)!.from));
});

test('a region cut off longer than regionHoldMaxMs is left out (state.globalOrder), and the stream is global again after the heal', { timeout: 600_000 }, async (t) => {
  const us = viewers.get('us')!;
  const ap = viewers.get('ap')!;
  const cutAt = Date.now();
  await control.cut({ region: 'ap' });
  const sent: string[] = [];
  // us keeps chatting during the cut: its lines are acknowledged, at most the bound later.
  for (let i = 0; !(us.degraded(STREAM) && ap.degraded(STREAM)) || Date.now() - cutAt < 3 * HOLD_MAX_MS; i++) {
    assert.ok(i < 100, 'us and ap never reported the cut');
    const ack = await senders.get('us')!.request({ type: 'send', stream: STREAM, text: `during the cut ${i}` });
    assert.equal(ack.type, 'ack', JSON.stringify(ack));
    sent.push(ack.id as string);
    await sleep(200);
  }
  const leftUs = us.orders(STREAM).find((o) => o.at >= cutAt && o.degraded)!;
  assert.deepEqual(leftUs.leftOut, ['ap'], 'us waits no more for ap');
  // ap's last heartbeat before the cut reached us at most a heartbeat and a fetch before it.
  assert.ok(leftUs.at - cutAt >= HOLD_MAX_MS - 250, `us waited the bound first (${leftUs.at - cutAt} ms)`);
  t.diagnostic(`us left ap out ${leftUs.at - cutAt} ms after the cut`);
  assert.deepEqual(ap.orders(STREAM).findLast((o) => o.degraded)!.leftOut, ['eu', 'us'], 'ap waits no more for the others');
  const healedAt = Date.now();
  await control.heal({ region: 'ap' });
  for (let i = 0; us.degraded(STREAM) || ap.degraded(STREAM) || viewers.get('eu')!.degraded(STREAM); i++) {
    assert.ok(i < 1_200, 'the stream never became global again after the heal');
    // Lines keep the watermarks moving; the heartbeats alone would do too.
    if (i % 10 === 0) {
      const ack = await senders.get('eu')!.request({ type: 'send', stream: STREAM, text: `after the heal ${i}` });
      assert.equal(ack.type, 'ack', JSON.stringify(ack));
      sent.push(ack.id as string);
    }
    await sleep(100);
  }
  t.diagnostic(`global order whole again ${Date.now() - healedAt} ms after the heal`);
  await arrivedEverywhere(viewers, sent, 'the lines sent during the cut, in every region');
  for (const [region, viewer] of viewers) {
    const ids = viewer.ids(STREAM).filter((id) => sent.includes(id));
    assert.equal(new Set(ids).size, sent.length, `${region} shows each line once`);
    assert.equal(ids.length, sent.length, `${region} shows no line twice`);
  }
  for (const client of [...senders.values(), ...[...viewers.values()].map((v) => v.client)]) client.close();
});
