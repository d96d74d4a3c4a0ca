// Baseline `socketio` (../shared/BENCHMARK.md): Socket.IO 4 with
// @socket.io/redis-adapter, one room per stream, as its documentation
// teaches. Each accepted line is `io.to(stream).emit`ted: the adapter
// publishes it to Redis for other nodes and Socket.IO writes one frame per
// socket of the room.
//   node bench/baselines/socketio-server.ts <port> <redis url>
import { createServer } from 'node:http';
import { createClient } from '@redis/client';
import { createAdapter } from '@socket.io/redis-adapter';
import { Server } from 'socket.io';
import { lineObject, Sequencer } from './chat-subset.ts';

const [port = '0', redisUrl = 'redis://127.0.0.1:6379'] = process.argv.slice(2);
const publisher = createClient({ url: redisUrl });
const subscriber = publisher.duplicate();
await Promise.all([publisher.connect(), subscriber.connect()]);

const http = createServer();
const io = new Server(http, {
  transports: ['websocket'],
  perMessageDeflate: false,
  adapter: createAdapter(publisher, subscriber, { key: `socketio-bench-${process.pid}` }),
});
const seqs = new Sequencer();

io.on('connection', (socket) => {
  socket.on('join', (frame: { stream?: unknown }) => {
    if (typeof frame?.stream !== 'string') return;
    void socket.join(frame.stream);
    socket.emit('joined', { stream: frame.stream, seq: seqs.current(frame.stream), history: [] });
  });
  socket.on('send', (frame: { stream?: unknown; text?: unknown; nonce?: unknown }) => {
    if (typeof frame?.stream !== 'string' || typeof frame.text !== 'string') return;
    const line = { stream: frame.stream, text: frame.text, seq: seqs.next(frame.stream), ts: Date.now() };
    socket.emit('ack', { nonce: frame.nonce, id: String(line.seq), seq: line.seq, ts: line.ts, sampled: false });
    io.to(line.stream).emit('msg', lineObject(line));
  });
});

http.listen(Number(port), '127.0.0.1', () => console.log(JSON.stringify({ baseline: 'listening', port: (http.address() as { port: number }).port })));
process.on('SIGTERM', () => process.exit(0));
