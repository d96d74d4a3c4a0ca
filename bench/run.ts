// `npm run bench -- --scenario NAME [--viewers N] [--mode embedded|cluster] [--gateways N] [--seconds S] [--chat-delay S] [--baseline naive,socketio,raw] [--pin] [--deflate] [--profile DIR] [--json FILE]`
// `npm run bench -- --find-capacity [--baseline ...|none] [--viewers START] [--max-viewers N] [--goal-p99-ms MS] [--seconds S] [--pin] [--json FILE]`
// `npm run bench -- --scenario regions [--viewers PER_REGION] [--gateways PER_REGION] [--seconds EACH_ORDER_PHASE] [--mirror-at target|source] [--json FILE]` (harness/regions-run.ts)
// (../shared/BENCHMARK.md). Starts the servers and the load generators, runs
// the scenario, stops everything it started, prints a table and writes the
// JSON record. With --baseline (one name or several, comma-separated), runs
// the same scenario against each baseline in the same invocation and reports
// Chorus's ratios to it; many-streams
// also runs without its hot stream and compares. --chat-delay switches every
// stream's chat delay on (1-6 s) before the run: viewers then see lines that
// much later, which the delivery latencies include. --find-capacity searches
// each target's largest steady audience within the goal (harness/capacity.ts);
// --pin keeps the servers and the load generator on separate cores. --deflate has Chorus offer
// permessage-deflate and every load-generator socket accept it. --profile DIR runs Chorus's gateways
// under V8's profiler (a .cpuprofile each in DIR) and adds where their time went, and their longest turns, to the record. Exits 1 when a run is
// invalid (fewer viewers connected than asked, a server died), 2 for bad options.
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { parseArgs } from 'node:util';
import { LoadFleet } from './harness/load-fleet.ts';
import { ProcessWatch } from './harness/process-stats.ts';
import { CAPACITY_GOAL, judge, searchCapacity, type Probe } from './harness/capacity.ts';
import { summarizeProfiles } from './harness/cpu-profile.ts';
import { pin, splitCores, type CoreSplit } from './harness/pinning.ts';
import { buildRecord, compare, printComparison, printRecord, type BenchRecord, type Comparison } from './harness/record.ts';
import { runRegions } from './harness/regions-run.ts';
import { regionsShape } from './harness/regions-scenario.ts';
import { buildScenario, SCENARIO_NAMES, withoutHot, type Scenario } from './harness/scenarios.ts';
import { BASELINE_NAMES, startBaseline, startChorus, type RunTarget } from './harness/servers.ts';
import type { ChatGroup, Chatter } from './loadgen/protocol.ts';

// Latency is recorded for every line of this many viewers at least (or 5 %), as BENCHMARK.md asks.
const RECORDED_VIEWERS = 1_000;
const CONNECT_TIMEOUT_MS = 600_000;
const SLACK_MS = 60_000;
/** Sockets one gateway process accepts by default (maxConnections), under its 20,000 open files. */
const SOCKETS_PER_GATEWAY = 15_000;

function fail(message: string): never {
  console.error(`bench: ${message}`);
  process.exit(2);
}

const { values } = parseArgs({
  options: {
    scenario: { type: 'string' },
    viewers: { type: 'string' },
    mode: { type: 'string', default: 'embedded' },
    gateways: { type: 'string' },
    seconds: { type: 'string' },
    'chat-delay': { type: 'string' },
    json: { type: 'string' },
    baseline: { type: 'string' },
    pin: { type: 'boolean', default: false },
    'find-capacity': { type: 'boolean', default: false },
    'max-viewers': { type: 'string' },
    'goal-p99-ms': { type: 'string' },
    deflate: { type: 'boolean', default: false },
    'mirror-at': { type: 'string' },
    profile: { type: 'string' },
  },
});

const positive = (raw: string | undefined, what: string): number | undefined => {
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) fail(`--${what} must be a positive integer`);
  return n;
};
const chatDelay = positive(values['chat-delay'], 'chat-delay');
if (chatDelay !== undefined && chatDelay > 6) fail('--chat-delay must be 1 to 6 seconds');
const findCapacity = values['find-capacity'];
const deflate = values.deflate;
const name = values.scenario ?? (findCapacity ? 'steady' : fail(`--scenario is required: ${[...SCENARIO_NAMES, 'regions'].join(', ')}`));
if (values['mirror-at'] !== undefined && name !== 'regions') fail('--mirror-at places the regions scenario\'s mirrors');
if (values.profile !== undefined && (name === 'regions' || findCapacity)) fail('--profile profiles one scenario run\'s gateways: not --scenario regions or --find-capacity');
if (findCapacity && name !== 'steady') fail('--find-capacity measures the steady shape: leave out --scenario (or give steady)');
const seconds = positive(values.seconds, 'seconds');
const machine = `${cpus().length} cores (${cpus()[0]?.model ?? 'unknown'}), ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`;
if (name === 'regions') {
  // Its own servers (three regions, one gateway each unless --gateways) and no baseline: --viewers and --gateways are per region, --seconds each order phase.
  if (values.mode !== 'embedded' || values.baseline !== undefined || values['chat-delay'] !== undefined || values.pin || deflate) {
    fail('--scenario regions starts its own regions (--gateways per region): no --mode, --baseline, --chat-delay, --pin or --deflate');
  }
  const mirrorAt = values['mirror-at'] ?? 'target';
  if (mirrorAt !== 'target' && mirrorAt !== 'source') fail('--mirror-at must be target or source');
  const shape = regionsShape(positive(values.viewers, 'viewers'), seconds, mirrorAt, positive(values.gateways, 'gateways'));
  let code = 1;
  try {
    code = await runRegions({ shape, json: values.json, machine });
  } catch (err) {
    console.error('bench: the run failed:', err instanceof Error ? err.message : err);
  }
  process.exit(code);
}
const scenario = buildScenario(name, positive(values.viewers, 'viewers'), seconds)
  ?? fail(`unknown scenario "${name}"; one of ${[...SCENARIO_NAMES, 'regions'].join(', ')}`);
// --find-capacity compares with every baseline unless told which.
const maxViewers = positive(values['max-viewers'], 'max-viewers');
if (maxViewers !== undefined && !findCapacity) fail('--max-viewers bounds --find-capacity');
const goalP99Ms = positive(values['goal-p99-ms'], 'goal-p99-ms');
if (goalP99Ms !== undefined && !findCapacity) fail('--goal-p99-ms sets the goal of --find-capacity');
const goal = { ...CAPACITY_GOAL, p99Ms: goalP99Ms ?? CAPACITY_GOAL.p99Ms };
// `none` searches Chorus alone: past one process (--mode cluster --gateways N), where no baseline can follow.
const baselines = values.baseline === undefined ? (findCapacity ? BASELINE_NAMES : []) : values.baseline === 'none' ? [] : values.baseline.split(',');
for (const b of baselines) if (!BASELINE_NAMES.includes(b)) fail(`--baseline must name one or more of ${BASELINE_NAMES.join(', ')} (comma-separated), or none`);
if (values.mode !== 'embedded' && values.mode !== 'cluster') fail('--mode must be embedded or cluster');
const mode = values.mode;
const gateways = positive(values.gateways, 'gateways') ?? 1;
if (mode === 'embedded' && gateways !== 1) fail('--gateways needs --mode cluster');
let cores: CoreSplit | undefined;
try {
  cores = values.pin ? splitCores() : undefined;
} catch (err) {
  fail((err as Error).message);
}
const sockets = scenario.viewers + scenario.chatters + (scenario.hot === undefined ? 0 : scenario.hot.viewers + scenario.hot.chatters);
if (sockets > gateways * SOCKETS_PER_GATEWAY) {
  fail(`${sockets} sockets (viewers and chatters) need at least ${Math.ceil(sockets / SOCKETS_PER_GATEWAY)} gateway processes of ${SOCKETS_PER_GATEWAY}: use --mode cluster --gateways N`);
}
// --find-capacity bounds each target's search by its own processes instead.
if (!findCapacity && baselines.length > 0 && sockets > SOCKETS_PER_GATEWAY) fail(`a baseline is one process: at most ${SOCKETS_PER_GATEWAY} sockets`);

/**
 * `n` chatters over `streams`: chatter c joins and sends to the streams s
 * with s = c (mod lanes), so every stream has about two chatters and each
 * (chatter, stream) pair stays under the per-user rate limit.
 */
function chatters(target: RunTarget, prefix: string, n: number, streams: string[]): Promise<Chatter[]> {
  const lanes = Math.max(1, Math.min(streams.length, Math.ceil(n / 2)));
  return Promise.all(Array.from({ length: n }, async (_, c) => ({
    ...(await target.chatter(`${prefix}${c}`, c)),
    streams: streams.filter((_, s) => s % lanes === c % lanes),
  })));
}

/** The chat groups of a scenario: the main streams' chatters, and the hot stream's. */
async function chatGroups(s: Scenario, target: RunTarget, streams: string[]): Promise<ChatGroup[]> {
  const groups: ChatGroup[] = [{ group: 'cold', chatters: await chatters(target, 'chatter', s.chatters, streams), phases: s.phases }];
  if (s.hot !== undefined) {
    const seconds = s.phases.reduce((total, p) => total + p.seconds, 0);
    groups.push({ group: 'hot', chatters: await chatters(target, 'hotchatter', s.hot.chatters, ['hot']), phases: [{ seconds, ratePerSecond: s.hot.ratePerSecond, chatters: s.hot.chatters }] });
  }
  return groups;
}

/** Runs a scenario against one started target and stops it. */
async function measure(s: Scenario, target: RunTarget): Promise<BenchRecord> {
  // Before the fleet forks its workers, so they inherit the load generator's cores.
  if (cores !== undefined) pin(process.pid, cores.load);
  const restore = cores === undefined ? [] : pinServers(target, cores);
  const fleet = new LoadFleet();
  const seconds = Math.max(s.phases.reduce((total, p) => total + p.seconds, 0), s.rampSeconds);
  try {
    const streams = s.streams === 1 ? ['bench'] : Array.from({ length: s.streams }, (_, i) => `cold-${i}`);
    if (chatDelay !== undefined) {
      if (target.setChatDelay === undefined) fail(`--chat-delay: ${target.name} has no chat delay`);
      for (const stream of s.hot === undefined ? streams : [...streams, 'hot']) await target.setChatDelay(stream, chatDelay);
    }
    const viewers = s.viewers + (s.hot?.viewers ?? 0);
    await fleet.connect({
      dialect: target.dialect, urls: target.urls,
      layout: { streams, coldViewers: s.viewers, hot: s.hot === undefined ? undefined : { stream: 'hot', viewers: s.hot.viewers } },
      viewers, initialViewers: s.initialViewers + (s.hot?.viewers ?? 0), rampSeconds: s.rampSeconds, churnPerMinute: s.churnPerMinute,
      recordEvery: Math.max(1, Math.floor(viewers / Math.max(RECORDED_VIEWERS, Math.ceil(viewers * 0.05)))),
      history: s.history, deflate, chat: await chatGroups(s, target, streams),
      deadlineMs: CONNECT_TIMEOUT_MS + seconds * 1000 + 2 * SLACK_MS,
    }, CONNECT_TIMEOUT_MS);
    const watch = (pids: Array<number | undefined>): ProcessWatch => new ProcessWatch(pids.filter((pid): pid is number => pid !== undefined));
    const watches = { gateways: watch(target.pids.gateways), redis: watch([target.pids.redis]), kafka: watch([target.pids.kafka]), loadgen: watch(fleet.pids()) };
    for (const w of Object.values(watches)) w.start();
    await fleet.run(seconds * 1000 + CONNECT_TIMEOUT_MS);
    const usage = { gateways: watches.gateways.stop(), redis: watches.redis.stop(), kafka: watches.kafka.stop(), loadgen: watches.loadgen.stop() };
    const result = await fleet.stop(SLACK_MS);
    const gatewaysSaw = await target.gatewayFigures?.();
    return buildRecord({ scenario: s, target: target.name, mode: target.mode, gateways: target.pids.gateways.length, result, usage, crashes: target.crashes(), gatewaysSaw, seconds, machine, deflate });
  } finally {
    for (const { pid, cores: before } of restore) pin(pid, before);
    await fleet.kill();
    await target.stop();
  }
}

/**
 * The target's processes onto the server cores. Redis and Kafka are shared
 * services the bench did not start: their affinity is returned to restore.
 */
function pinServers(target: RunTarget, split: CoreSplit): Array<{ pid: number; cores: string }> {
  for (const pid of target.pids.gateways) pin(pid, split.server);
  const shared = [target.pids.redis, target.pids.kafka].filter((pid): pid is number => pid !== undefined);
  return shared.map((pid) => ({ pid, cores: pin(pid, split.server) }));
}

/** Runs the scenario on Chorus (and its control and baselines), prints and records; the exit code. */
async function runScenario(): Promise<number> {
  const profileDir = values.profile;
  if (profileDir !== undefined) mkdirSync(profileDir, { recursive: true });
  const chorus = await measure(scenario, await startChorus(mode, gateways, { deflate, profileDir }));
  // Written as each gateway stopped, at the end of measure().
  if (profileDir !== undefined) chorus.profile = summarizeProfiles(profileDir);
  const others: Array<{ record: BenchRecord; comparison: Comparison }> = [];
  if (scenario.control) {
    const control = await measure(withoutHot(scenario), await startChorus(mode, gateways, { deflate }));
    others.push({ record: control, comparison: compare(chorus, control, 'the same run without the hot stream') });
  }
  for (const name of baselines) {
    const baseline = await measure(scenario, await startBaseline(name));
    others.push({ record: baseline, comparison: compare(chorus, baseline) });
  }
  for (const record of [chorus, ...others.map((o) => o.record)]) {
    printRecord(record);
    console.log('');
  }
  for (const { comparison } of others) printComparison(comparison);
  if (values.json !== undefined) {
    const json = { ...chorus, compared: others.map((o) => ({ ...o.comparison, record: o.record })) };
    writeFileSync(values.json, JSON.stringify(json, null, 2) + '\n');
  }
  let code = 0;
  for (const record of [chorus, ...others.map((o) => o.record)]) {
    if (record.valid) continue;
    console.error(`bench: invalid run (${record.target}): ${record.invalidBecause.join('; ')}`);
    code = 1;
  }
  return code;
}

/** --find-capacity: each target's largest steady audience within the goal, per server core. */
async function runCapacity(): Promise<number> {
  // Without --pin the servers share every core with the load generator.
  const serverCores = cores?.serverCores ?? cpus().length;
  const targets: Array<{ name: string; start: () => Promise<RunTarget>; processes: number }> = [
    { name: 'chorus', start: () => startChorus(mode, gateways, { deflate }), processes: gateways },
    ...baselines.map((b) => ({ name: b, start: () => startBaseline(b), processes: 1 })),
  ];
  const results = [];
  for (const target of targets) {
    let best: BenchRecord | undefined;
    const probe = async (viewers: number): Promise<Probe> => {
      const record = await measure(buildScenario('steady', viewers, seconds)!, await target.start());
      const verdict = judge(record, goal);
      if (verdict.holds && (best === undefined || viewers > best.viewers)) best = record;
      console.log(`bench: ${target.name} at ${viewers} viewers: ${verdict.holds ? 'holds' : `misses (${verdict.why})`}, p99 ${verdict.p99Ms} ms, delivered ${verdict.deliveredFraction}`);
      return verdict;
    };
    const found = await searchCapacity(probe, {
      start: scenario.viewers, min: Math.min(100, scenario.viewers),
      max: Math.min(maxViewers ?? Infinity, target.processes * SOCKETS_PER_GATEWAY - scenario.chatters),
      resolution: 0.1, maxProbes: 12,
    });
    const capacity = { viewers: found.viewers, serverCores, viewersPerCore: Math.round(found.viewers / serverCores) };
    results.push({ target: target.name, mode: best?.mode ?? '', capacity, probes: found.probes, record: best });
  }
  console.log(`\ncapacity at the goal (steady, p99 <= ${goal.p99Ms} ms, delivered >= ${goal.deliveredFraction}), ${cores === undefined ? 'not pinned' : `servers on cores ${cores.server}, load generator on ${cores.load}`}; ${machine}`);
  for (const r of results) console.log(`  ${r.target.padEnd(9)} ${String(r.capacity.viewers).padStart(7)} viewers  ${String(r.capacity.viewersPerCore).padStart(7)} per server core  (${r.probes.length} runs)`);
  const chorusPerCore = results[0]!.capacity.viewersPerCore;
  for (const r of results.slice(1)) console.log(`  chorus / ${r.target}: ${r.capacity.viewersPerCore === 0 ? 'n/a (held none)' : `${(chorusPerCore / r.capacity.viewersPerCore).toFixed(2)}x`}`);
  if (values.json !== undefined) writeFileSync(values.json, JSON.stringify({ scenario: 'steady', findCapacity: true, goal, pinned: cores ?? null, machine, date: new Date().toISOString(), targets: results }, null, 2) + '\n');
  return 0;
}

let exitCode = 0;
try {
  exitCode = findCapacity ? await runCapacity() : await runScenario();
} catch (err) {
  console.error('bench: the run failed:', err instanceof Error ? err.message : err);
  exitCode = 1;
}
process.exit(exitCode);
