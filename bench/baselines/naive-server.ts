// Baseline `naive` (../shared/BENCHMARK.md): the textbook design. A `ws`
// server publishes each message to Redis pub/sub and, on receipt,
// JSON.stringifies it and sends it to every local client of the stream, one
// frame per message per client, as a tutorial would write it.
//   node bench/baselines/naive-server.ts <port> <redis url>
import { createClient } from '@redis/client';
import { lineObject, Rooms, serveChatSubset, type Line } from './chat-subset.ts';

const [port = '0', redisUrl = 'redis://127.0.0.1:6379'] = process.argv.slice(2);
const channel = `naive-bench:${process.pid}`;
const publisher = createClient({ url: redisUrl });
const subscriber = publisher.duplicate();
await Promise.all([publisher.connect(), subscriber.connect()]);
const rooms = new Rooms();

await subscriber.subscribe(channel, (message) => {
  const line = JSON.parse(message) as Line;
  const msg = { type: 'msg', ...lineObject(line) };
  for (const client of rooms.of(line.stream)) client.send(JSON.stringify(msg));
});

serveChatSubset(Number(port), rooms, (line) => {
  void publisher.publish(channel, JSON.stringify(line));
});
