// A throttled `state` frame must never hold chat back: state frames wait for
// stateIntervalMs, messages do not. (A state frame is throttled as soon as a
// stream's rate changes twice within the interval, which any chat does.)
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { chatter, startTestServer, type TestServer } from '../support/servers.ts';
import { removeDir } from '../support/temp-dir.ts';
import { TestClient } from '../support/ws-client.ts';

const STATE_INTERVAL_MS = 20_000;
let server: TestServer;

before(async () => {
  server = await startTestServer(['--state-interval-ms', String(STATE_INTERVAL_MS)]);
});
after(async () => {
  await server.stop();
  removeDir(server.dataDir);
});

test('messages keep flowing at once while a state frame waits out its interval', async () => {
  const viewer = await TestClient.connect(server.wsUrl);
  viewer.send({ type: 'join', stream: 'throttle' });
  await viewer.next('joined');
  const sender = await chatter(server, 'talker', {}, 'throttle');
  // Eleven lines over 3.3 s: the stream's rate changes every second, so state frames after the first are throttled.
  for (let n = 0; n <= 10; n++) {
    const ack = await sender.request({ type: 'send', stream: 'throttle', text: `line ${n}` });
    assert.equal(ack.type, 'ack');
    // Far below the state interval: a message held for the state frame would miss it by seconds.
    await viewer.nextMatching((f) => f.type === 'msg' && f.id === ack.id, STATE_INTERVAL_MS / 4, `line ${n}`);
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
  assert.ok(viewer.frames.filter((f) => f.type === 'state').length <= 2, 'state frames were throttled meanwhile');
  viewer.close();
  sender.close();
});
