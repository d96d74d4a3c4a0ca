// The operator page, /ops: polls the server's per-second series and draws it.
import { byId } from '../shared/dom.ts';
import type { OpsPoint, OpsSeriesBody } from '../../../src/protocol/ops.ts';
import { LineChart } from './line-chart.ts';

const POLL_MS = 1_000;
const SHOWN_POINTS = 120;

const charts = {
  messages: new LineChart('Messages per second: accepted vs broadcast', '/s'),
  keep: new LineChart('Sampling keep ratio', '', 1),
  connections: new LineChart('Connections', ''),
  deliveries: new LineChart('Deliveries per second', '/s'),
  latency: new LineChart('Ingest latency p99', ' ms'),
  fanout: new LineChart('Fan-out delay p99', ' ms'),
  drops: new LineChart('Slow-consumer drops per second', '/s'),
};
byId('charts').append(...Object.values(charts).map((c) => c.element));
const status = byId('ops-status');

async function refresh(): Promise<void> {
  try {
    const response = await fetch('/api/ops/series', { cache: 'no-store' });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    const { points } = (await response.json()) as OpsSeriesBody;
    draw(points.slice(-SHOWN_POINTS));
    status.textContent = points.length === 0 ? 'Collecting the first samples…' : `Updated ${new Date(points.at(-1)!.t).toLocaleTimeString()}`;
  } catch (err) {
    status.textContent = `Cannot reach the server: ${(err as Error).message}`;
  } finally {
    window.setTimeout(() => void refresh(), POLL_MS);
  }
}

function draw(points: readonly OpsPoint[]): void {
  const pick = <K extends keyof OpsPoint>(key: K): Array<OpsPoint[K]> => points.map((p) => p[key]);
  const times = pick('t');
  charts.messages.draw([
    { label: 'accepted', color: '#f0a030', values: pick('acceptedPerSecond') },
    { label: 'broadcast', color: '#40b0f0', values: pick('broadcastPerSecond') },
  ], times);
  charts.keep.draw([{ label: 'keep', color: '#70d070', values: pick('keepRatio') }], times);
  charts.connections.draw([{ label: 'connections', color: '#c080f0', values: pick('connections') }], times);
  charts.deliveries.draw([{ label: 'deliveries', color: '#40b0f0', values: pick('deliveriesPerSecond') }], times);
  charts.latency.draw([{ label: 'p99', color: '#f06060', values: pick('ingestP99Ms') }], times);
  charts.fanout.draw([{ label: 'p99', color: '#f08040', values: pick('fanoutP99Ms') }], times);
  charts.drops.draw([{ label: 'drops', color: '#f0d040', values: pick('slowConsumerDropsPerSecond') }], times);
}

void refresh();
