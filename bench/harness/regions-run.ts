// `npm run bench -- --scenario regions`: starts three regions and a gateway
// in each (regions-servers.ts), a load fleet per region for its viewers and
// senders (load-fleet.ts, as every scenario), a few observing viewers per
// region (regions-observers.ts); switches the stream to global order, cuts
// one region off and heals it on the schedule (regions-scenario.ts), then
// prints the usual record with the regions' figures and goals beside it.
import { writeFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { TestClient } from '../../test/support/ws-client.ts';
import { atMostText, gatewayFigures } from './gateway-metrics.ts';
import { LoadFleet, mergeResults, type FleetResult } from './load-fleet.ts';
import { ProcessWatch } from './process-stats.ts';
import { buildRecord, printRecord } from './record.ts';
import { missingByRegion, printRegions, regionsFigures } from './regions-figures.ts';
import { openObservers, type Observer } from './regions-observers.ts';
import { recordScenario, regionPhases, timeline, type RegionName, type RegionsShape } from './regions-scenario.ts';
import { startRegionsTarget, STREAM, type RegionsTarget } from './regions-servers.ts';

const CONNECT_TIMEOUT_MS = 300_000;
const SLACK_MS = 60_000;
// Every line sent shows in every region within this long after the schedule, or is counted lost.
const CONVERGE_TIMEOUT_MS = 120_000;
const WARM_UP_TRIES = 240;

export interface RegionsRunOptions {
  shape: RegionsShape;
  json: string | undefined;
  machine: string;
}

/** Runs the scenario end to end; the exit code (1 when the run was invalid). */
export async function runRegions({ shape, json, machine }: RegionsRunOptions): Promise<number> {
  const target = await startRegionsTarget(shape);
  const fleets = new Map<RegionName, LoadFleet>();
  let observers = new Map<RegionName, Observer[]>();
  let cut = false;
  try {
    const urls = new Map([...target.gateways].map(([region, gs]) => [region, gs.map((g) => g.wsUrl)]));
    observers = await openObservers(urls, STREAM, shape.observersPerRegion);
    await warmUp(target, observers);
    const times = timeline(shape);
    const seconds = times.endAt / 1000;
    await Promise.all(shape.regions.map(async (region) => {
      const fleet = new LoadFleet();
      fleets.set(region, fleet);
      const list = urls.get(region)!;
      const chatters = await Promise.all(Array.from({ length: shape.sendersPerRegion }, async (_, c) => ({
        url: list[c % list.length]!, token: await target.token(`sender_${region}_${c}`), streams: [STREAM],
      })));
      await fleet.connect({
        dialect: 'chorus', urls: list, layout: { streams: [STREAM], coldViewers: shape.viewersPerRegion, hot: undefined },
        viewers: shape.viewersPerRegion, initialViewers: shape.viewersPerRegion, rampSeconds: 0, churnPerMinute: 0,
        // Fewer than 1,000 viewers: every one records every line (BENCHMARK.md).
        recordEvery: 1, history: 0, deflate: false, chat: [{ group: 'cold', chatters, phases: regionPhases(shape) }],
        deadlineMs: CONNECT_TIMEOUT_MS + seconds * 1000 + CONVERGE_TIMEOUT_MS + 2 * SLACK_MS, keepAckedIds: true,
      }, CONNECT_TIMEOUT_MS);
    }));
    const watch = (pids: number[]): ProcessWatch => new ProcessWatch(pids);
    const watches = { gateways: watch(target.pids.gateways), redis: watch(target.pids.redis), kafka: watch(target.pids.kafka), loadgen: watch([...fleets.values()].flatMap((f) => f.pids())) };
    for (const w of Object.values(watches)) w.start();

    const goAt = Date.now();
    const at = (ms: number): Promise<void> => sleep(Math.max(0, goAt + ms - Date.now()));
    let healAt = goAt + times.healAt;
    const schedule = (async () => {
      await at(times.globalSwitchAt);
      await target.setOrdering('global');
      await at(times.cutAt);
      await target.links.cut({ region: shape.cut });
      cut = true;
      console.error(`bench: ${shape.cut} cut off at +${Date.now() - goAt} ms`);
      await at(times.healAt);
      healAt = Date.now();
      await target.links.heal({ region: shape.cut });
      cut = false;
      console.error(`bench: ${shape.cut} healed at +${healAt - goAt} ms`);
    })();
    await Promise.all([schedule, ...[...fleets.values()].map((f) => f.run(seconds * 1000 + SLACK_MS))]);
    const convergedIn = await converge(observers);
    const usage = { gateways: watches.gateways.stop(), redis: watches.redis.stop(), kafka: watches.kafka.stop(), loadgen: watches.loadgen.stop() };
    // Each region's gateways' own count, over the whole run (both phases, the cut, the warm-up): the server's part of what observers saw.
    const gatewaysSaw = new Map(await Promise.all([...target.gateways].map(async ([region, gs]) => [region, await gatewayFigures(gs.map((g) => g.url))] as const)));

    const results = new Map<RegionName, FleetResult>();
    for (const [region, fleet] of fleets) results.set(region, await fleet.stop(SLACK_MS));
    // Each region numbers the stream's lines itself: tallies kept apart per region, so the delivered fraction is each region's.
    const merged = mergeResults([...results].map(([region, r]) => ({ ...r, streams: Object.fromEntries(Object.entries(r.streams).map(([s, t]) => [`${s}@${region}`, t])) })));
    const record = buildRecord({ scenario: recordScenario(shape), target: 'chorus', mode: `regions: ${shape.regions.length} x ${shape.gatewaysPerRegion} gateway${shape.gatewaysPerRegion === 1 ? '' : 's'}, ${shape.delayMs} ms links`, gateways: target.pids.gateways.length, result: merged, usage, crashes: target.crashes(), seconds, machine, deflate: false });
    const { figures, detail } = regionsFigures({
      observers,
      viewers: new Map([...results].map(([region, r]) => [region, r.peakConnected])),
      regional: { from: goAt + times.regionalAt, to: goAt + times.globalSwitchAt },
      global: { from: goAt + times.globalAt, to: goAt + times.globalEndAt },
      healAt,
      ackedIds: merged.ackedIds,
    });
    const closed = [...observers.values()].flat().filter((o) => o.closedEarly).length;
    if (closed > 0) record.invalidBecause.push(`${closed} observer(s) disconnected`);
    if (convergedIn === undefined) record.invalidBecause.push(`the regions did not show the same lines within ${CONVERGE_TIMEOUT_MS} ms after the schedule`);
    record.valid = record.invalidBecause.length === 0;
    // Global order is exact only while no region is left out (a hold past regionHoldMaxMs): each region's reports of it in the global phase.
    const degraded = new Map([...observers].map(([region, os]) => [region, os[0]!.degraded.filter((d) => d.at >= goAt + times.globalAt && d.at < goAt + times.cutAt)]));
    const diagnostics = {
      degradedInGlobal: Object.fromEntries([...degraded].map(([region, d]) => [region, d.length])),
      missingByRegion: missingByRegion({ observers, ackedIds: merged.ackedIds }),
      latencyMs: detail,
      serverFanoutDelayByRegion: Object.fromEntries([...gatewaysSaw].map(([region, g]) => [region, g.fanoutDelay])),
    };
    const full = { ...record, ...figures, diagnostics, observersPerRegion: shape.observersPerRegion, shape };
    printRecord(record);
    console.log('');
    const met = printRegions(figures, detail, shape.delayMs);
    for (const [region, during] of degraded) {
      if (during.length > 0) console.log(`${'degraded in global'.padEnd(22)} ${region}: ${during.length} state frames, at +${during.map((d) => `${((d.at - goAt - times.globalAt) / 1000).toFixed(1)} s (left out ${d.leftOut.join(',')})`).slice(0, 8).join(', ')}`);
    }
    console.log(`${'gateway fan-out p99'.padEnd(22)} ${[...gatewaysSaw].map(([region, g]) => `${region} ${atMostText(g.fanoutDelay.p99AtMostMs)}`).join(', ')} (per flush, its oldest line, from its stamp or its arrival here to written; whole run)`);
    if (figures.partition.lost > 0) console.log(`${'missing by region'.padEnd(22)} ${JSON.stringify(diagnostics.missingByRegion)}`);
    console.log(`${'goals'.padEnd(22)} ${met ? 'all met' : 'not all met'}`);
    if (json !== undefined) writeFileSync(json, JSON.stringify(full, null, 2) + '\n');
    if (!record.valid) console.error(`bench: invalid run: ${record.invalidBecause.join('; ')}`);
    return record.valid ? 0 : 1;
  } finally {
    if (cut) await target.links.heal({ region: shape.cut }).catch(() => undefined);
    for (const o of [...observers.values()].flat()) o.close();
    await Promise.all([...fleets.values()].map((f) => f.kill()));
    await target.stop();
  }
}

/**
 * A region's first follow of a new topic starts at its peers' newest lines,
 * and MirrorMaker finds the topic within seconds: each region sends until
 * every region has shown one of its lines (bounded), before any viewer of
 * the load generator joins.
 */
async function warmUp(target: RegionsTarget, observers: Map<RegionName, Observer[]>): Promise<void> {
  const started = Date.now();
  await Promise.all([...target.gateways].map(async ([region, [gateway]]) => {
    const sender = await TestClient.connect(gateway!.wsUrl);
    try {
      sender.send({ type: 'auth', token: await target.token(`warm_up_${region}`) });
      await sender.next('welcome');
      sender.send({ type: 'join', stream: STREAM, history: 0 });
      await sender.next('joined');
      const mine: string[] = [];
      for (let i = 0; ![...observers.values()].every((os) => mine.some((id) => os[0]!.allIds.has(id))); i++) {
        if (i >= WARM_UP_TRIES) throw new Error(`warm-up: lines of ${region} never reached every region`);
        const ack = await sender.request({ type: 'send', stream: STREAM, text: `warm-up ${i}` });
        if (ack.type !== 'ack') throw new Error(`warm-up in ${region}: ${JSON.stringify(ack)}`);
        mine.push(ack.id as string);
        await sleep(500);
      }
    } finally {
      sender.close();
    }
  }));
  // The last warm-up lines still crossing arrive before the load generator's viewers join (they would count as lines missed).
  await sleep(2_000);
  console.error(`bench: every region shows every region's lines (warm-up ${Date.now() - started} ms)`);
}

/** Waits until every region's observers show every line any region has shown; the ms it took, or undefined past the bound. */
async function converge(observers: Map<RegionName, Observer[]>): Promise<number | undefined> {
  const started = Date.now();
  const everyone = [...observers.values()].flat();
  while (Date.now() - started < CONVERGE_TIMEOUT_MS) {
    const ids = new Set(everyone.flatMap((o) => o.shown.map((s) => s.id)));
    if (everyone.every((o) => [...ids].every((id) => o.has(id)))) return Date.now() - started;
    await sleep(500);
  }
  return undefined;
}
