import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { TestClient, type Frame } from '../support/ws-client.ts';
import { chatter, startTestServer, type TestServer } from '../support/servers.ts';
import { removeDir } from '../support/temp-dir.ts';

// PROTOCOL.md: `ack` and `error` both carry the frame's nonce. A client that
// waits for the answer to each frame by its nonce must get one for every frame,
// whatever refused it and however early.

let server: TestServer;

before(async () => {
  server = await startTestServer(['--rate-limit-privileged-messages', '100000', '--abuse-strikes', '1000']);
});
after(async () => {
  await server.stop();
  removeDir(server.dataDir);
});

/** Sends every frame at once, then waits for the answer carrying each nonce. */
async function answersTo(c: TestClient, frames: Array<string | Record<string, unknown>>, nonces: Array<string | number>): Promise<Frame[]> {
  for (const frame of frames) c.send(frame);
  return Promise.all(nonces.map((nonce) => c.nextMatching((f) => (f.type === 'ack' || f.type === 'error') && f.nonce === nonce, 5_000, `answer to ${nonce}`)));
}

test("a broadcaster's bot sending 60 messages back to back gets an answer carrying each nonce", async () => {
  const c = await chatter(server, 'bot', { n1: ['broadcaster'] }, 'n1');
  const frames = Array.from({ length: 60 }, (_, i) => ({ type: 'send', stream: 'n1', text: `line ${i}`, nonce: `m${i}` }));
  const answers = await answersTo(c, frames, frames.map((f) => f.nonce));
  const limited = answers.filter((a) => a.type === 'error');
  assert.ok(limited.length > 0, 'the burst went past the frame limit');
  for (const a of limited) {
    assert.equal(a.code, 'rate_limited');
    assert.ok(a.retryAfterMs > 0);
  }
  c.close();
});

test('frames refused before parsing still carry their nonce: invalid JSON, a binary frame', async () => {
  const c = await TestClient.connect(server.wsUrl);
  const answers = await answersTo(c, [
    '{"type":"send","stream":"n2","text":"a \\"nonce\\": 1","nonce":"k1",}',
    '{"type":"ping","nonce":42,"extra":',
    '{"type":"send","text":"x","n\\u006fnce":"k3"',
  ], ['k1', 42, 'k3']);
  assert.deepEqual(answers.map((a) => a.code), ['invalid', 'invalid', 'invalid']);

  c.ws.send(Buffer.from(JSON.stringify({ type: 'ping', nonce: 'b1' })), { binary: true });
  const binary = await c.nextMatching((f) => f.type === 'error' && f.nonce === 'b1', 5_000, 'answer to the binary frame');
  assert.equal(binary.code, 'invalid');
  c.close();
});

test('auth, join and leave refusals carry the nonce their frame had', async () => {
  const c = await TestClient.connect(server.wsUrl);
  const answers = await answersTo(c, [
    { type: 'auth', token: 'not-a-jwt', nonce: 'a1' },
    { type: 'leave', stream: 'n3', nonce: 'l1' },
  ], ['a1', 'l1']);
  assert.deepEqual(answers.map((a) => a.code), ['unauthorized', 'not_joined']);
  c.close();
});
