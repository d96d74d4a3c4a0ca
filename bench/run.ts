// `npm run bench -- --scenario steady [--viewers N] [--mode embedded|cluster] [--gateways N] [--seconds S] [--json FILE]`
// (../shared/BENCHMARK.md). Starts the servers and the load generators, runs
// the scenario, stops everything it started, prints a table and writes the
// JSON record. Exits 1 when the run is invalid (fewer viewers connected than
// asked, a server died), 2 for bad options.
import { writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { parseArgs } from 'node:util';
import { devToken } from '../test/support/servers.ts';
import { LoadFleet } from './harness/load-fleet.ts';
import { ProcessWatch } from './harness/process-stats.ts';
import { buildRecord, printRecord } from './harness/record.ts';
import { NOT_BUILT, SCENARIOS, type Scenario } from './harness/scenarios.ts';
import { startServers } from './harness/servers.ts';

const STREAM = 'bench';
// Latency is recorded for every line of this many viewers at least (or 5 %), as BENCHMARK.md asks.
const RECORDED_VIEWERS = 1_000;
const CONNECT_TIMEOUT_MS = 300_000;
const SLACK_MS = 60_000;

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
    json: { type: 'string' },
    baseline: { type: 'string' },
  },
});

const name = values.scenario ?? fail('--scenario is required: ' + [...Object.keys(SCENARIOS), ...NOT_BUILT].join(', '));
if (NOT_BUILT.includes(name)) fail(`scenario "${name}" is not built yet; runnable: ${Object.keys(SCENARIOS).join(', ')}`);
const base = SCENARIOS[name] ?? fail(`unknown scenario "${name}"; runnable: ${Object.keys(SCENARIOS).join(', ')}`);
if (values.baseline !== undefined) fail('--baseline is not built yet');
if (values.mode !== 'embedded' && values.mode !== 'cluster') fail('--mode must be embedded or cluster');
const positive = (raw: string | undefined, what: string): number | undefined => {
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1) fail(`--${what} must be a positive integer`);
  return n;
};
const viewers = positive(values.viewers, 'viewers') ?? base.viewers;
const gateways = positive(values.gateways, 'gateways') ?? 1;
if (values.mode === 'embedded' && gateways !== 1) fail('--gateways needs --mode cluster');
const seconds = positive(values.seconds, 'seconds');
const scenario: Scenario = seconds === undefined ? base : { ...base, phases: base.phases.map((p) => ({ ...p, seconds })) };
const mode = values.mode;

const runSeconds = scenario.phases.reduce((total, p) => total + p.seconds, 0);
const servers = await startServers(mode, gateways, []);
const fleet = new LoadFleet();
let exitCode = 0;
try {
  const senders = await Promise.all(Array.from({ length: scenario.senders }, async (_, i) => {
    const gateway = servers.gateways[i % servers.gateways.length]!;
    return { url: gateway.wsUrl, token: (await devToken(gateway.url, `sender${i}`)).token };
  }));
  const recordEvery = Math.max(1, Math.floor(viewers / Math.max(RECORDED_VIEWERS, Math.ceil(viewers * 0.05))));
  const connected = await fleet.connect({
    urls: servers.gateways.map((g) => g.wsUrl), stream: STREAM, viewers, recordEvery, history: scenario.history,
    senders, phases: scenario.phases, deadlineMs: CONNECT_TIMEOUT_MS + runSeconds * 1000 + SLACK_MS,
  }, CONNECT_TIMEOUT_MS);
  const gatewayWatch = new ProcessWatch(servers.gateways.map((g) => g.child.pid!));
  const serviceWatch = { redis: new ProcessWatch(servers.services.redis === undefined ? [] : [servers.services.redis]), kafka: new ProcessWatch(servers.services.kafka === undefined ? [] : [servers.services.kafka]) };
  for (const watch of [gatewayWatch, serviceWatch.redis, serviceWatch.kafka]) watch.start();
  await fleet.run(runSeconds * 1000 + SLACK_MS);
  const usage = { gateways: gatewayWatch.stop(), redis: serviceWatch.redis.stop(), kafka: serviceWatch.kafka.stop() };
  const result = await fleet.stop(SLACK_MS);
  const crashes = servers.gateways.filter((g) => g.child.exitCode !== null || g.child.signalCode !== null).length;
  const record = buildRecord({
    scenario, mode, gateways: servers.gateways.length, viewers, connectedAtStart: connected, result, usage, crashes, seconds: runSeconds,
    machine: `${cpus().length} cores (${cpus()[0]?.model ?? 'unknown'}), ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`,
  });
  printRecord(record);
  if (values.json !== undefined) writeFileSync(values.json, JSON.stringify(record, null, 2) + '\n');
  if (!record.valid) {
    console.error(`bench: invalid run: ${record.invalidBecause.join('; ')}`);
    exitCode = 1;
  }
} catch (err) {
  console.error('bench: the run failed:', err instanceof Error ? err.message : err);
  exitCode = 1;
} finally {
  await fleet.kill();
  await servers.stop();
}
process.exit(exitCode);
