// The cost of a message's text is bounded before any Unicode work: a POST body
// is at most maxFrameBytes (like a WebSocket frame), and a text longer than
// four UTF-16 units per allowed code point is too_long before it is
// normalised. Runs of combining marks, which normalisation sorts in quadratic
// time, are what an attacker would send; the server runs in this process, so
// its event loop is this test's.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { apiCall } from '../support/api.ts';
import { chatter, devToken, startTestServer, type TestServer } from '../support/servers.ts';
import { removeDir } from '../support/temp-dir.ts';

// Sends are refused `overloaded` once the loop lags this much: a flood that
// blocks the loop shows as an overloaded send from someone else.
const MAX_LOOP_LAG_MS = 800;
let server: TestServer;
let token: string;

before(async () => {
  server = await startTestServer(['--max-loop-lag-ms', String(MAX_LOOP_LAG_MS)]);
  token = (await devToken(server.url, 'flooder')).token;
});
after(async () => {
  await server.stop();
  removeDir(server.dataDir);
});

/** A letter and then marks of alternating combining classes, `bytes` long in UTF-8 (each mark is 2 bytes). */
function markFlood(bytes: number): string {
  return 'a' + '\u0301\u0316'.repeat(Math.floor((bytes - 1) / 4));
}

test('64 KiB POSTs of combining marks are refused too_long (413) and other senders are still served', async () => {
  const bystander = await chatter(server, 'bystander', {}, 'calm');
  try {
    await sleep(1_100); // start-up's own delays are out of the loop-lag window
    const calm = await bystander.request({ type: 'send', stream: 'calm', text: 'before' });
    assert.equal(calm.type, 'ack', `bystander refused before any flood: ${JSON.stringify(calm)}`);
    const flooding = Array.from({ length: 8 }, () => apiCall(server.url, 'POST', '/api/streams/calm/messages', token, { text: markFlood(64_000) }));
    // Sent once the first flood is answered, while the others are being handled.
    await flooding[0];
    const ack = await bystander.request({ type: 'send', stream: 'calm', text: 'still here' });
    assert.equal(ack.type, 'ack', `bystander refused: ${JSON.stringify(ack)}`);
    for (const res of await Promise.all(flooding)) {
      assert.equal(res.status, 413);
      assert.equal(((await res.json()) as { code: string }).code, 'too_long');
    }
  } finally {
    bystander.close();
  }
});

test('a text within the body limit but over four units per allowed code point is too_long, over HTTP and WebSocket', async () => {
  const text = markFlood(6_000); // 3,000 UTF-16 units; maxTextLength is 500
  const res = await apiCall(server.url, 'POST', '/api/streams/calm/messages', token, { text });
  assert.equal(res.status, 400);
  assert.equal(((await res.json()) as { code: string }).code, 'too_long');

  const sender = await chatter(server, 'sender', {}, 'calm');
  try {
    const refused = await sender.request({ type: 'send', stream: 'calm', text });
    assert.equal(refused.type, 'error');
    assert.equal(refused.code, 'too_long');
  } finally {
    sender.close();
  }
});
