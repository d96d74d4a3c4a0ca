// Baseline `raw` (../shared/BENCHMARK.md): the floor of this machine. The
// lines that arrive within one tick become one pre-built frame per stream,
// written with one socket write to every socket of the stream. No chat
// logic at all.
//   node bench/baselines/raw-server.ts <port>
import { lineObject, Rooms, serveChatSubset } from './chat-subset.ts';

const TICK_MS = 10;
const [port = '0'] = process.argv.slice(2);
const rooms = new Rooms();
const pending = new Map<string, string[]>();

/** An unmasked, unfragmented WebSocket text frame (server to client). */
function textFrame(payload: Buffer): Buffer {
  const n = payload.length;
  const header = n < 126 ? Buffer.from([0x81, n]) : n < 65_536 ? Buffer.from([0x81, 126, n >> 8, n & 255]) : Buffer.concat([Buffer.from([0x81, 127]), bigLength(n)]);
  return Buffer.concat([header, payload]);
}

function bigLength(n: number): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigUInt64BE(BigInt(n));
  return b;
}

setInterval(() => {
  for (const [stream, lines] of pending) {
    const frame = textFrame(Buffer.from(`{"type":"batch","stream":${JSON.stringify(stream)},"msgs":[${lines.join(',')}]}`));
    for (const ws of rooms.of(stream)) (ws as unknown as { _socket: { write(b: Buffer): void } })._socket.write(frame);
  }
  pending.clear();
}, TICK_MS);

serveChatSubset(Number(port), rooms, (line) => {
  let lines = pending.get(line.stream);
  if (lines === undefined) pending.set(line.stream, (lines = []));
  lines.push(JSON.stringify(lineObject(line)));
});
