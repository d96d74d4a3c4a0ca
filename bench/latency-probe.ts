// Measures ingest latency (send to ack) and send-to-display latency for one
// stream: V viewers, S senders, R messages a second in total, D seconds,
// against servers started here as separate processes: one embedded server,
// or with --cluster (implied by --gateways above 1) gateways in cluster mode
// on the local Redis and Kafka (started if none answers), viewers and
// senders spread over them in turn.
//
//   node bench/latency-probe.ts [--viewers 1000] [--rate 20] [--senders 40] [--seconds 30] [--gateways 1] [--cluster]
//
// The sender writes its wall-clock send time into the text; each viewer
// subtracts it from its own receive time (same machine, same clock). Every
// viewer's every line is recorded in an HDR histogram. Bounded: it stops by
// itself after the run, and connects only to 127.0.0.1.

import { parseArgs } from 'node:util';
import { build, type Histogram } from 'hdr-histogram-js';
import WebSocket from 'ws';
import { clusterEnv, spawnGateway } from '../test/support/cluster.ts';
import { spawnServer, devToken, type ChildServer } from '../test/support/servers.ts';
import { removeDir, tempDir } from '../test/support/temp-dir.ts';

const { values } = parseArgs({
  options: {
    viewers: { type: 'string', default: '1000' },
    rate: { type: 'string', default: '20' },
    senders: { type: 'string', default: '40' },
    seconds: { type: 'string', default: '30' },
    gateways: { type: 'string', default: '1' },
    cluster: { type: 'boolean', default: false },
  },
});
const VIEWERS = Number(values.viewers);
const RATE = Number(values.rate);
const SENDERS = Number(values.senders);
const SECONDS = Number(values.seconds);
const GATEWAYS = Number(values.gateways);
const CLUSTER = values.cluster || GATEWAYS > 1;
const STREAM = 'probe';

const histogram = (): Histogram => build({ lowestDiscernibleValue: 1, highestTrackableValue: 600_000, numberOfSignificantValueDigits: 3 });
const display = histogram();
const ingest = histogram();
let delivered = 0;

function open(url: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    ws.once('open', () => resolve(ws));
    ws.once('error', reject);
  });
}

function onLine(text: string): void {
  const at = text.indexOf('t=');
  if (at === -1) return;
  display.recordValue(Math.max(1, Date.now() - Number(text.slice(at + 2))));
  delivered++;
}

async function main(): Promise<void> {
  const dataDir = tempDir('chorus-probe-');
  let servers: ChildServer[];
  if (CLUSTER) {
    const env = await clusterEnv();
    servers = await Promise.all(Array.from({ length: GATEWAYS }, () => spawnGateway(env)));
  } else {
    servers = [await spawnServer(['--dev', '--port', '0', '--host', '127.0.0.1', '--data-dir', dataDir])];
  }
  try {
    const viewers: WebSocket[] = [];
    for (let i = 0; i < VIEWERS; i++) {
      const ws = await open(servers[i % servers.length]!.wsUrl);
      ws.on('message', (data) => {
        const frame = JSON.parse(data.toString()) as { type: string; text?: string; msgs?: Array<{ text: string }> };
        if (frame.type === 'msg') onLine(frame.text!);
        else if (frame.type === 'batch') for (const m of frame.msgs!) onLine(m.text);
      });
      ws.send(JSON.stringify({ type: 'join', stream: STREAM, history: 0 }));
      viewers.push(ws);
    }
    const senders: WebSocket[] = [];
    const sentAt = new Map<number, number>();
    for (let i = 0; i < SENDERS; i++) {
      const server = servers[i % servers.length]!;
      const ws = await open(server.wsUrl);
      const { token } = await devToken(server.url, `sender${i}`);
      ws.send(JSON.stringify({ type: 'auth', token }));
      ws.send(JSON.stringify({ type: 'join', stream: STREAM, history: 0 }));
      ws.on('message', (data) => {
        const frame = JSON.parse(data.toString()) as { type: string; nonce?: number; code?: string };
        if (frame.type === 'ack' || frame.type === 'error') {
          const t = sentAt.get(frame.nonce!);
          if (t !== undefined) {
            sentAt.delete(frame.nonce!);
            if (frame.type === 'ack') ingest.recordValue(Math.max(1, Math.round((performance.now() - t) * 1000)));
            else console.error('refused:', frame.code);
          }
        }
      });
      senders.push(ws);
    }
    await new Promise((r) => setTimeout(r, 1_000));

    const total = RATE * SECONDS;
    const started = performance.now();
    for (let n = 0; n < total; n++) {
      const due = started + (n * 1000) / RATE;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      const ws = senders[n % SENDERS]!;
      sentAt.set(n, performance.now());
      ws.send(JSON.stringify({ type: 'send', stream: STREAM, text: `probe ${n} t=${Date.now()}`, nonce: n }));
    }
    await new Promise((r) => setTimeout(r, 2_000));
    const expected = total * VIEWERS;
    const us = (h: Histogram, p: number): string => (h.getValueAtPercentile(p) / 1000).toFixed(2);
    console.log(`${CLUSTER ? `cluster mode, ${servers.length} gateway(s)` : 'embedded'}: viewers ${VIEWERS}, ${RATE} msg/s for ${SECONDS} s, ${SENDERS} senders`);
    console.log(`ingest (send to ack) ms: p50 ${us(ingest, 50)}  p99 ${us(ingest, 99)}  max ${us(ingest, 100)}  (n=${ingest.totalCount})`);
    console.log(`send-to-display ms: p50 ${display.getValueAtPercentile(50)}  p99 ${display.getValueAtPercentile(99)}  max ${display.maxValue}  (n=${display.totalCount})`);
    console.log(`delivered ${delivered} of ${expected} (${((delivered / expected) * 100).toFixed(3)} %)`);
    for (const ws of [...viewers, ...senders]) ws.terminate();
  } finally {
    await Promise.all(servers.map((server) => server.stop()));
    removeDir(dataDir);
  }
}

await main();
