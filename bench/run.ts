// `npm run bench -- --scenario steady [--viewers N] [--mode embedded|cluster] [--gateways N] [--seconds S] [--baseline naive|raw] [--json FILE]`
// (../shared/BENCHMARK.md). Starts the servers and the load generators, runs
// the scenario, stops everything it started, prints a table and writes the
// JSON record; with --baseline, runs the same scenario against the baseline
// in the same invocation and reports Chorus's ratios to it. Exits 1 when a
// run is invalid (fewer viewers connected than asked, a server died), 2 for
// bad options.
import { writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { parseArgs } from 'node:util';
import { LoadFleet } from './harness/load-fleet.ts';
import { ProcessWatch } from './harness/process-stats.ts';
import { buildRecord, compare, printComparison, printRecord, type BenchRecord } from './harness/record.ts';
import { NOT_BUILT, SCENARIOS, type Scenario } from './harness/scenarios.ts';
import { BASELINE_NAMES, startBaseline, startChorus, type RunTarget } from './harness/servers.ts';

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
if (values.baseline !== undefined && !BASELINE_NAMES.includes(values.baseline)) {
  fail(values.baseline === 'socketio' ? 'the socketio baseline is not built yet' : `--baseline must be one of ${BASELINE_NAMES.join(', ')}`);
}
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
const machine = `${cpus().length} cores (${cpus()[0]?.model ?? 'unknown'}), ${Math.round(totalmem() / 2 ** 30)} GiB, Node ${process.version}`;

/** Runs the scenario against one started target and stops it. */
async function measure(target: RunTarget): Promise<BenchRecord> {
  const fleet = new LoadFleet();
  try {
    const senders = await Promise.all(Array.from({ length: scenario.senders }, (_, i) => target.sender(i)));
    const recordEvery = Math.max(1, Math.floor(viewers / Math.max(RECORDED_VIEWERS, Math.ceil(viewers * 0.05))));
    const connected = await fleet.connect({
      urls: target.urls, stream: STREAM, viewers, recordEvery, history: scenario.history,
      senders, phases: scenario.phases, deadlineMs: CONNECT_TIMEOUT_MS + runSeconds * 1000 + SLACK_MS,
    }, CONNECT_TIMEOUT_MS);
    const watch = (pids: Array<number | undefined>): ProcessWatch => new ProcessWatch(pids.filter((pid): pid is number => pid !== undefined));
    const watches = { gateways: watch(target.pids.gateways), redis: watch([target.pids.redis]), kafka: watch([target.pids.kafka]) };
    for (const w of Object.values(watches)) w.start();
    await fleet.run(runSeconds * 1000 + SLACK_MS);
    const usage = { gateways: watches.gateways.stop(), redis: watches.redis.stop(), kafka: watches.kafka.stop() };
    const result = await fleet.stop(SLACK_MS);
    return buildRecord({ scenario, target: target.name, mode: target.mode, gateways: target.pids.gateways.length, viewers, connectedAtStart: connected, result, usage, crashes: target.crashes(), seconds: runSeconds, machine });
  } finally {
    await fleet.kill();
    await target.stop();
  }
}

let exitCode = 0;
try {
  const records = [await measure(await startChorus(mode, gateways))];
  if (values.baseline !== undefined) records.push(await measure(await startBaseline(values.baseline)));
  for (const record of records) {
    printRecord(record);
    console.log('');
  }
  const comparison = records.length === 2 ? compare(records[0]!, records[1]!) : undefined;
  if (comparison !== undefined) printComparison(comparison);
  if (values.json !== undefined) writeFileSync(values.json, JSON.stringify(comparison === undefined ? records[0] : { ...records[0], baseline: records[1], comparison }, null, 2) + '\n');
  for (const record of records) {
    if (record.valid) continue;
    console.error(`bench: invalid run (${record.target}): ${record.invalidBecause.join('; ')}`);
    exitCode = 1;
  }
} catch (err) {
  console.error('bench: the run failed:', err instanceof Error ? err.message : err);
  exitCode = 1;
}
process.exit(exitCode);
