// The delaying TCP proxy between regions (scripts/services/delay-link.ts) and
// its control channel, over real loopback sockets: bytes arrive no sooner than
// the one-way delay in each direction, a cut closes connections and refuses
// new ones, a heal lets new connections through.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { after, before, test } from 'node:test';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { DelayLink } from '../../scripts/services/delay-link.ts';
import { LinksControl } from '../../scripts/services/links-control.ts';
import { RegionLinks, serveLinksControl } from '../../scripts/services/region-links.ts';
import { freePort } from '../support/free-port.ts';

const DELAY_MS = 60;

/** An echo server that notes when each chunk reached it. */
let echo: Server;
let echoPort: number;
const arrivals: number[] = [];
const echoSockets = new Set<Socket>();

before(async () => {
  echo = createServer((socket) => {
    echoSockets.add(socket);
    socket.once('close', () => echoSockets.delete(socket));
    socket.on('data', (chunk) => {
      arrivals.push(performance.now());
      socket.write(chunk);
    });
    socket.on('error', () => {});
  });
  echo.listen(0, '127.0.0.1');
  await once(echo, 'listening');
  echoPort = (echo.address() as { port: number }).port;
});
after(() => {
  for (const socket of echoSockets) socket.destroy();
  echo.close();
});

async function connect(port: number): Promise<Socket> {
  const socket = createConnection({ host: '127.0.0.1', port });
  await once(socket, 'connect');
  return socket;
}

/** Sends `text` and resolves with the echo's arrival time once all of it has come back. */
function roundTrip(socket: Socket, text: string): Promise<number> {
  return new Promise((resolve, reject) => {
    let received = '';
    const onData = (chunk: Buffer): void => {
      received += chunk.toString();
      if (received.length >= text.length) {
        socket.off('data', onData);
        resolve(performance.now());
      }
    };
    socket.on('data', onData);
    socket.once('error', reject);
    socket.write(text);
  });
}

/** Resolves true when the socket closes within `ms`, without having received a byte. */
function closesWithoutData(socket: Socket, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    socket.once('data', () => {
      clearTimeout(timer);
      resolve(false);
    });
    socket.once('close', () => {
      clearTimeout(timer);
      resolve(true);
    });
    socket.on('error', () => {});
  });
}

test('each direction is delayed by at least the configured one-way delay, in order', async () => {
  const link = await DelayLink.open({ listenPort: 0, targetPort: echoPort, delayMs: DELAY_MS });
  try {
    const socket = await connect(link.port);
    for (let i = 0; i < 5; i++) {
      arrivals.length = 0;
      const sentAt = performance.now();
      const text = `ping-${i}-`.repeat(100);
      const backAt = await roundTrip(socket, text);
      const oneWay = arrivals[0]! - sentAt;
      console.log(`delay link: one way ${oneWay.toFixed(1)} ms, round trip ${(backAt - sentAt).toFixed(1)} ms (configured ${DELAY_MS} ms each way)`);
      assert.ok(oneWay >= DELAY_MS, `the request reached the server after ${oneWay} ms`);
      assert.ok(backAt - sentAt >= 2 * DELAY_MS, `the echo came back after ${backAt - sentAt} ms`);
    }
    // A burst keeps its order through the queue.
    const burst = Array.from({ length: 200 }, (_, i) => `<${i}>`).join('');
    let received = '';
    const done = new Promise<void>((resolve) => {
      socket.on('data', (chunk) => {
        received += chunk.toString();
        if (received.length >= burst.length) resolve();
      });
    });
    for (let i = 0; i < 200; i++) socket.write(`<${i}>`);
    await done;
    assert.equal(received, burst);
    socket.destroy();
  } finally {
    await link.close();
  }
});

test('a re-timed link delays new bytes by the new delay', async () => {
  const link = await DelayLink.open({ listenPort: 0, targetPort: echoPort, delayMs: 0 });
  try {
    link.delayMs = DELAY_MS * 2;
    const socket = await connect(link.port);
    const sentAt = performance.now();
    const backAt = await roundTrip(socket, 'x');
    assert.ok(backAt - sentAt >= 4 * DELAY_MS, `round trip ${backAt - sentAt} ms`);
    socket.destroy();
  } finally {
    await link.close();
  }
});

test('cut closes open connections and refuses new ones; heal lets new connections through', async () => {
  const link = await DelayLink.open({ listenPort: 0, targetPort: echoPort, delayMs: DELAY_MS });
  try {
    const open = await connect(link.port);
    await roundTrip(open, 'before');
    const closed = closesWithoutData(open, 2000);
    link.cut();
    assert.equal(await closed, true, 'the open connection was closed by the cut');
    assert.equal(link.isCut, true);

    const during = createConnection({ host: '127.0.0.1', port: link.port });
    during.on('connect', () => during.write('during the cut'));
    assert.equal(await closesWithoutData(during, 2000), true, 'a connection made during the cut is closed without an answer');

    link.heal();
    const healed = await connect(link.port);
    const sentAt = performance.now();
    const backAt = await roundTrip(healed, 'after');
    assert.ok(backAt - sentAt >= 2 * DELAY_MS, 'the healed link is delayed too');
    assert.equal(link.openSockets, 2, 'one proxied connection: client side and server side');
    healed.destroy();
  } finally {
    await link.close();
  }
});

test('the control channel cuts and heals the links it selects', async () => {
  const [usToEu, euToUs] = [await freePort(), await freePort()];
  const links = await RegionLinks.open(
    [
      { from: 'us', to: 'eu', listenPort: usToEu, targetPort: echoPort },
      { from: 'eu', to: 'us', listenPort: euToUs, targetPort: echoPort },
    ],
    DELAY_MS,
  );
  const controlPort = await freePort();
  const server = await serveLinksControl(links, controlPort);
  const control = new LinksControl(`http://127.0.0.1:${controlPort}`);
  try {
    const cutState = await control.cut({ from: 'us', to: 'eu' });
    assert.deepEqual(cutState.links.map((l) => [l.from, l.to, l.cut]), [['us', 'eu', true], ['eu', 'us', false]]);
    const through = await connect(euToUs);
    await roundTrip(through, 'the other flow still works');
    through.destroy();
    const refused = createConnection({ host: '127.0.0.1', port: usToEu });
    refused.on('connect', () => refused.write('x'));
    assert.equal(await closesWithoutData(refused, 2000), true);

    assert.equal((await control.cut({ region: 'us' })).links.every((l) => l.cut), true, 'a region selector cuts both directions');
    assert.equal((await control.heal()).links.some((l) => l.cut), false, 'no selector heals every link');
    assert.equal((await control.setDelay(25)).delayMs, 25);
    await assert.rejects(control.cut({ region: 'nowhere' }), /no link matches/);
  } finally {
    server.closeAllConnections();
    server.close();
    await links.close();
  }
});
