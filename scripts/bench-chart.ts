// Draws docs/bench-chart.svg from benchmark records (`npm run bench -- --json FILE`):
// p99 send-to-display and server CPU against viewer count, one line per
// target (Chorus and each baseline measured beside it in the same runs).
//   node scripts/bench-chart.ts [--out docs/bench-chart.svg] bench/results/steady-*.json ...
import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { median, readRecords, type BenchRecordLike } from '../src/plan/bench-records.ts';

const { values, positionals } = parseArgs({ options: { out: { type: 'string', default: 'docs/bench-chart.svg' } }, allowPositionals: true });
if (positionals.length === 0) {
  console.error('usage: node scripts/bench-chart.ts [--out FILE] RECORD.json ...');
  process.exit(2);
}

interface Point {
  viewers: number;
  p99: number;
  cores: number;
}

/** Per target, the median of the runs at each viewer count. */
function series(records: BenchRecordLike[]): Map<string, Point[]> {
  const runs = new Map<string, Map<number, BenchRecordLike[]>>();
  for (const r of records) {
    const byViewers = runs.get(r.target) ?? new Map<number, BenchRecordLike[]>();
    runs.set(r.target, byViewers);
    byViewers.set(r.viewers, [...(byViewers.get(r.viewers) ?? []), r]);
  }
  const out = new Map<string, Point[]>();
  for (const [target, byViewers] of runs) {
    out.set(target, [...byViewers].sort((a, b) => a[0] - b[0]).map(([viewers, rs]) => ({
      viewers,
      p99: median(rs.map((r) => r.latencyMs.p99)),
      cores: median(rs.map((r) => (r.server.gateways.cpuSeconds + r.server.redis.cpuSeconds + r.server.kafka.cpuSeconds) / r.seconds)),
    })));
  }
  return out;
}

const COLORS: Record<string, string> = { chorus: '#1565c0', naive: '#c62828', socketio: '#ef6c00', raw: '#616161' };
const W = 720;
const PANEL = 220;
const LEFT = 70;
const RIGHT = 150;
const TOP = 40;
const GAP = 60;

/** One chart: viewers on a log scale across; the value up, on a log scale when `logY` (p99 spans milliseconds to seconds). */
function panel(data: Map<string, Point[]>, pick: (p: Point) => number, y0: number, title: string, unit: string, logY: boolean): string {
  const points = [...data.values()].flat();
  const xs = points.map((p) => p.viewers);
  const minX = Math.log10(Math.min(...xs));
  const maxX = Math.log10(Math.max(...xs)) + (Math.min(...xs) === Math.max(...xs) ? 1 : 0);
  const maxY = Math.max(...points.map(pick)) * 1.1 || 1;
  const minY = logY ? Math.max(1, Math.min(...points.map(pick)) / 2) : 0;
  const x = (v: number): number => LEFT + ((Math.log10(v) - minX) / (maxX - minX || 1)) * (W - LEFT - RIGHT);
  const scale = (v: number): number => (logY ? (Math.log10(Math.max(v, minY)) - Math.log10(minY)) / (Math.log10(maxY) - Math.log10(minY)) : v / maxY);
  const y = (v: number): number => y0 + PANEL - scale(v) * PANEL;
  const parts = [`<text x="${LEFT}" y="${y0 - 10}" font-weight="bold">${title}</text>`];
  parts.push(`<line x1="${LEFT}" y1="${y0 + PANEL}" x2="${W - RIGHT}" y2="${y0 + PANEL}" stroke="#999"/><line x1="${LEFT}" y1="${y0}" x2="${LEFT}" y2="${y0 + PANEL}" stroke="#999"/>`);
  for (let i = 0; i <= 4; i++) {
    const v = logY ? minY * (maxY / minY) ** (i / 4) : (maxY * i) / 4;
    parts.push(`<text x="${LEFT - 6}" y="${y(v) + 4}" text-anchor="end" font-size="11">${v >= 10 ? Math.round(v) : v.toFixed(2)} ${unit}</text>`);
  }
  for (const v of [...new Set(xs)]) parts.push(`<text x="${x(v)}" y="${y0 + PANEL + 16}" text-anchor="middle" font-size="11">${v.toLocaleString('en')}</text>`);
  let legend = y0 + 10;
  for (const [target, pts] of data) {
    const color = COLORS[target] ?? '#000';
    parts.push(`<polyline fill="none" stroke="${color}" stroke-width="2" points="${pts.map((p) => `${x(p.viewers)},${y(pick(p))}`).join(' ')}"/>`);
    for (const p of pts) parts.push(`<circle cx="${x(p.viewers)}" cy="${y(pick(p))}" r="3" fill="${color}"/>`);
    parts.push(`<text x="${W - RIGHT + 12}" y="${legend}" fill="${color}" font-size="12">${target}</text>`);
    legend += 16;
  }
  return parts.join('\n');
}

const records = readRecords(positionals.map((file) => JSON.parse(readFileSync(file, 'utf8')) as unknown));
const data = series(records);
const height = TOP + 2 * PANEL + GAP + 40;
const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${height}" font-family="sans-serif" font-size="13">
<rect width="100%" height="100%" fill="white"/>
${panel(data, (p) => p.p99, TOP, 'p99 send-to-display (ms, log scale) against viewers (log scale)', 'ms', true)}
${panel(data, (p) => p.cores, TOP + PANEL + GAP, 'server CPU (cores: server processes, Redis and Kafka) against viewers', '', false)}
</svg>
`;
writeFileSync(values.out!, svg);
console.log(`wrote ${values.out} from ${records.length} runs`);
