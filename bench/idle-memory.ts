// `node bench/idle-memory.ts [VIEWERS]` (default 10,000, at most 15,000):
// one embedded gateway's memory per idle viewer. Starts the server, reads its
// /metrics, connects VIEWERS WebSocket viewers that join one stream and then
// stay quiet, reads /metrics again and prints the difference per viewer
// (RSS, V8 heap used and reserved, external buffers) as JSON. The
// explosion's peak RSS per viewer adds what a burst buffers on top of this.
import WebSocket from 'ws';
import { spawnServer } from '../test/support/servers.ts';
import { LOAD_TEST_FLAGS } from './harness/servers.ts';
import { removeDir, tempDir } from '../test/support/temp-dir.ts';

const viewers = Math.min(15_000, Math.max(1, Number(process.argv[2] ?? 10_000)));
const CONNECT_BATCH = 200;
const SETTLE_MS = 5_000;
const JOIN_TIMEOUT_MS = 15_000;

const dataDir = tempDir('chorus-idle-memory-');
const server = await spawnServer(['--dev', '--port', '0', '--host', '127.0.0.1', '--irc-port', '-1', '--data-dir', dataDir, ...LOAD_TEST_FLAGS]);

async function memory(): Promise<Record<string, number>> {
  const text = await (await fetch(`${server.url}/metrics`)).text();
  const bytes = (name: string): number => Number(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)`, 'm').exec(text)?.[1] ?? NaN);
  return {
    rss: bytes('process_resident_memory_bytes'),
    heapUsed: bytes('nodejs_heap_size_used_bytes'),
    heapReserved: bytes('nodejs_heap_size_total_bytes'),
    external: bytes('nodejs_external_memory_bytes'),
  };
}

/** One viewer: connects, joins the stream, resolves once joined (or failed, counted). */
function openViewer(sockets: WebSocket[], failures: { count: number }): Promise<void> {
  return new Promise((resolve) => {
    const ws = new WebSocket(server.wsUrl, { perMessageDeflate: false });
    sockets.push(ws);
    const timer = setTimeout(() => fail(), JOIN_TIMEOUT_MS);
    const fail = (): void => {
      clearTimeout(timer);
      failures.count++;
      resolve();
    };
    ws.on('open', () => ws.send(JSON.stringify({ type: 'join', stream: 'idle', history: 0 })));
    ws.on('message', (data: Buffer) => {
      if (!data.toString('latin1', 0, 16).startsWith('{"type":"joined"')) return;
      clearTimeout(timer);
      resolve();
    });
    ws.on('error', fail);
  });
}

const sockets: WebSocket[] = [];
try {
  await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
  const before = await memory();
  const failures = { count: 0 };
  for (let i = 0; i < viewers; i += CONNECT_BATCH) {
    await Promise.all(Array.from({ length: Math.min(CONNECT_BATCH, viewers - i) }, () => openViewer(sockets, failures)));
  }
  await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
  const after = await memory();
  const joined = viewers - failures.count;
  const perViewer = Object.fromEntries(Object.keys(after).map((k) => [k, Math.round((after[k]! - before[k]!) / joined)]));
  console.log(JSON.stringify({ date: new Date().toISOString(), viewers: joined, failed: failures.count, beforeBytes: before, afterBytes: after, bytesPerViewer: perViewer }));
} finally {
  for (const ws of sockets) ws.terminate();
  await server.stop();
  removeDir(dataDir);
}
