// `chorus plan --viewers N --rate R [--streams S] [--regions us=N,eu=N | --regions us,eu] [--cores-per-node C] [--nic-gbit G] [--sampling-threshold T] [--max-connections M] [RECORD.json ...]`
// (also `npm run plan -- ...`): prints a capacity plan computed from
// benchmark records, by default the ones measured here (bench/results/);
// with --regions, one plan per region and the mirror links between them.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { SETTINGS } from '../config/settings.ts';
import { readRecords } from './bench-records.ts';
import { planCapacity, type CapacityPlan, type MeasuredFigures, type PlanInput } from './capacity-plan.ts';
import { measuredFigures } from './measured-figures.ts';
import { parseRegionShares, planRegions, type RegionShare } from './region-plan.ts';

const RESULTS_DIR = new URL('../../bench/results/', import.meta.url).pathname;
// A gateway process planned at this share of its core leaves room for bursts and GC.
const UTILISATION = 0.6;

export const PLAN_USAGE = 'usage: chorus plan --viewers N --rate MSGS_PER_SEC [--streams S] [--regions us=N,eu=N | --regions us,eu] [--cores-per-node C] [--nic-gbit G] [--sampling-threshold T] [--max-connections M] [RECORD.json ...]';

export function runPlan(argv: string[]): number {
  const { values, positionals } = parseArgs({
    args: argv,
    options: {
      viewers: { type: 'string' },
      rate: { type: 'string' },
      streams: { type: 'string', default: '1' },
      regions: { type: 'string' },
      'cores-per-node': { type: 'string', default: '16' },
      'nic-gbit': { type: 'string', default: '25' },
      // The server's defaults, unless the deployment sets its own.
      'sampling-threshold': { type: 'string', default: String(SETTINGS.samplingThreshold.default) },
      'max-connections': { type: 'string', default: String(SETTINGS.maxConnections.default) },
    },
    allowPositionals: true,
  });
  const number = (raw: string | undefined, what: string): number => {
    const n = Number(raw);
    if (raw === undefined || !Number.isFinite(n) || n <= 0) throw new Error(`--${what} must be a positive number`);
    return n;
  };
  const regions = values.regions === undefined ? undefined : parseRegionShares(values.regions, values.viewers === undefined ? undefined : number(values.viewers, 'viewers'));
  const input: PlanInput = {
    viewers: regions === undefined ? number(values.viewers, 'viewers') : regions.reduce((sum, r) => sum + r.viewers, 0),
    rate: number(values.rate, 'rate'),
    streams: number(values.streams, 'streams'),
    coresPerNode: number(values['cores-per-node'], 'cores-per-node'),
    nicGbit: number(values['nic-gbit'], 'nic-gbit'),
    samplingThreshold: number(values['sampling-threshold'], 'sampling-threshold'),
    connectionsPerGateway: number(values['max-connections'], 'max-connections'),
    utilisation: UTILISATION,
  };
  const files = positionals.length > 0 ? positionals : readdirSync(RESULTS_DIR).filter((f) => f.endsWith('.json')).map((f) => join(RESULTS_DIR, f));
  const figures = measuredFigures(readRecords(files.map((f) => JSON.parse(readFileSync(f, 'utf8')) as unknown)), input.streams > 1);
  if (regions !== undefined) {
    printRegions(input, regions, figures);
    return 0;
  }
  printPlan(input, planCapacity(input, figures), figures);
  return 0;
}

const n = (x: number, digits = 0): string => x.toLocaleString('en', { maximumFractionDigits: digits });

function printRows(rows: Array<[string, string]>, warnings: readonly string[]): void {
  for (const [key, value] of rows) console.log(`${key.padEnd(16)} ${value}`);
  for (const warning of warnings) console.log(`warning: ${warning}`);
}

function printPlan(input: PlanInput, plan: CapacityPlan, figures: MeasuredFigures): void {
  const rows: Array<[string, string]> = [
    ['load', `${n(input.viewers)} viewers over ${n(input.streams)} stream(s), ${n(input.rate)} msg/s offered; each viewer sees ${n(plan.broadcastPerStream, 1)} msg/s (sampling threshold ${input.samplingThreshold})`],
    ['deliveries', `${n(plan.deliveriesPerSec)} lines/s to viewers`],
    ['gateways', `${n(plan.gateways)} processes (limited by ${plan.gatewaysLimitedBy}: ${n(input.connectionsPerGateway)} sockets each, ${n(plan.gatewayCores, 1)} cores of fan-out at ${n(figures.deliveriesPerGatewayCpuSecond)} deliveries per CPU-second, planned at ${UTILISATION * 100} % of a core)`],
    ['nodes', `${n(plan.nodes)} of ${n(input.coresPerNode)} cores and ${n(input.nicGbit)} Gbit/s (limited by ${plan.nodesLimitedBy}; --workers ${n(input.coresPerNode)}), ${n(plan.viewersPerNode)} viewers each`],
    ['egress per node', `${n(plan.egressGbitPerNode, 2)} Gbit/s (${n(figures.bytesSentPerLine)} bytes per delivered line)`],
    ['memory per node', `${n(plan.memoryGiBPerNode, 1)} GiB of gateway RSS (${n(figures.rssBytesPerViewer)} bytes per viewer)`],
    ['redis', `${n(plan.redisShards)} shard(s) (${n(plan.redisCores, 2)} cores at ${n(figures.redisCpuSecondsPerMessage * 1e6, 1)} µs per message, as measured with ${n(figures.measuredGateways)} gateway(s) subscribed); one stream's counter and channel live on one shard`],
    ['redis fan-out', `${n(plan.redisFanoutPerSec)} lines/s from pub/sub to gateways: each stream's lines go to every gateway with a viewer of it (${n(plan.subscribingGateways, 1)} per stream), ${n(plan.redisFanoutPerStreamPerSec)} lines/s per stream from its one shard`],
    ['kafka', `${n(plan.kafkaPartitions)} partitions (one stream stays on one), ${n(plan.kafkaCores, 2)} broker cores at ${n(figures.kafkaCpuSecondsPerMessage * 1e6, 1)} µs per message, before replication`],
    ['measured by', figures.source],
  ];
  if (plan.oneProcessEnough) rows.unshift(['one process', 'is enough for this audience: the embedded server (npm start) holds it; a cluster would add failover and durability across machines, not capacity']);
  printRows(rows, plan.warnings);
}

function printRegions(input: PlanInput, shares: RegionShare[], figures: MeasuredFigures): void {
  const { regions, mirror } = planRegions({ base: input, regions: shares, heartbeatsPerSecond: 1000 / SETTINGS.regionHeartbeatMs.default }, figures);
  const rows: Array<[string, string]> = [
    ['regions', `${regions.length}: ${regions.map((r) => `${r.region} ${n(r.viewers)}`).join(', ')} viewers; each region shows and stores every region's lines (${n(input.rate)} msg/s offered in all, each region's senders in proportion to its viewers)`],
  ];
  for (const r of regions) {
    const p = r.plan;
    rows.push([`region ${r.region}`, `${n(p.gateways)} gateways on ${n(p.nodes)} node(s) (limited by ${p.gatewaysLimitedBy}), ${n(p.egressGbitPerNode, 2)} Gbit/s and ${n(p.memoryGiBPerNode, 1)} GiB per node; redis ${n(p.redisShards)} shard(s); kafka ${n(p.kafkaPartitions)} partitions per log taking ${n(r.kafkaRecordsPerSec)} records/s (its own log and ${regions.length - 1} peers' mirrored); its own senders ${n(r.ownRate)} msg/s`]);
  }
  rows.push(['mirror links', `${n(mirror.links)} (each region's log into each other region, MirrorMaker 2), each ${n(mirror.recordsPerLinkPerSec)} records/s (the source's whole log: every line it shows, and at most its idle watermark heartbeats) = ${n(mirror.mbitPerLink, 2)} Mbit/s; ${n(mirror.mbitInAll, 2)} Mbit/s between regions in all (a record taken as ${n(figures.bytesSentPerLine)} bytes, a delivered line's size)`]);
  rows.push(['measured by', `${figures.source}; no multi-region run is among the records yet`]);
  printRows(rows, [...new Set(regions.flatMap((r) => r.plan.warnings))]);
}
