// permessage-deflate on /ws (--ws-deflate): the shared frames of a flush are
// deflated once and the same bytes go to every socket that negotiated it;
// sockets without the extension get the plain frames; per-socket frames
// (acks, joined) are never compressed.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { constants, inflateRawSync } from 'node:zlib';
import type { Socket } from 'node:net';
import { devToken, startTestServer, type TestServer } from '../support/servers.ts';
import { removeDir } from '../support/temp-dir.ts';
import { TestClient } from '../support/ws-client.ts';

let server: TestServer;

before(async () => {
  server = await startTestServer(['--ws-deflate']);
});
after(async () => {
  await server.stop();
  removeDir(server.dataDir);
});

interface RawFrame { rsv1: boolean; bytes: Buffer; text: string }

/** Every server frame a client's socket reads from now on (unmasked, unfragmented: what Chorus writes). */
function tap(client: TestClient): RawFrame[] {
  const frames: RawFrame[] = [];
  let pending = Buffer.alloc(0);
  (client.ws as unknown as { _socket: Socket })._socket.on('data', (chunk: Buffer) => {
    pending = Buffer.concat([pending, chunk]);
    for (;;) {
      if (pending.length < 2) return;
      let length = pending[1]! & 0x7f;
      let header = 2;
      if (length === 126) [length, header] = [pending.length < 4 ? Infinity : pending.readUInt16BE(2), 4];
      else if (length === 127) [length, header] = [pending.length < 10 ? Infinity : Number(pending.readBigUInt64BE(2)), 10];
      if (pending.length < header + length) return;
      const bytes = pending.subarray(0, header + length);
      const payload = bytes.subarray(header);
      const rsv1 = (bytes[0]! & 0x40) !== 0;
      const text = rsv1 ? inflateRawSync(Buffer.concat([payload, Buffer.from([0, 0, 0xff, 0xff])]), { finishFlush: constants.Z_SYNC_FLUSH }).toString() : payload.toString();
      frames.push({ rsv1, bytes, text });
      pending = pending.subarray(header + length);
    }
  });
  return frames;
}

test('viewers that negotiated permessage-deflate get the same compressed bytes, in order with their acks; others get plain frames', async () => {
  const stream = 'deflate';
  const a = await TestClient.connect(server.wsUrl, { perMessageDeflate: true });
  const b = await TestClient.connect(server.wsUrl, { perMessageDeflate: true });
  const plain = await TestClient.connect(server.wsUrl, { perMessageDeflate: false });
  assert.equal(a.ws.extensions, 'permessage-deflate');
  assert.equal(plain.ws.extensions, '');
  // The broadcaster's rate limit (100 per window) lets every line through.
  const { token } = await devToken(server.url, 'squeezer', { [stream]: ['broadcaster'] });
  a.send({ type: 'auth', token });
  await a.next('welcome');
  for (const viewer of [a, b, plain]) {
    viewer.send({ type: 'join', stream });
    await viewer.next('joined');
  }
  await new Promise((resolve) => setTimeout(resolve, 200));
  const [rawA, rawB, rawPlain] = [tap(a), tap(b), tap(plain)];
  const lines = 30;
  for (let n = 0; n < lines; n++) a.send({ type: 'send', stream, text: `line ${n} of a chat that deflate squeezes`, nonce: `n${n}` });
  const texts = (c: TestClient): string[] => c.frames.flatMap((f) => f.type === 'msg' ? [f.text] : f.type === 'batch' ? f.msgs.map((m: { text: string }) => m.text) : []);
  const want = Array.from({ length: lines }, (_, n) => `line ${n} of a chat that deflate squeezes`);
  for (const viewer of [a, b, plain]) {
    await viewer.nextMatching((f) => f.type !== 'ack' && texts(viewer).length >= lines, 10_000, 'every line');
    assert.deepEqual(texts(viewer), want);
  }
  // Acks are per-socket frames, interleaved with the shared ones: all there, in order, never compressed.
  for (let n = 0; n < lines; n++) await a.next('ack', (f) => f.nonce === `n${n}`);
  assert.deepEqual(a.frames.filter((f) => f.type === 'ack').map((f) => f.nonce), want.map((_, n) => `n${n}`));
  const compressed = (raw: RawFrame[]): Buffer[] => raw.filter((f) => f.rsv1).map((f) => f.bytes);
  assert.ok(compressed(rawA).length > 0, 'lines went compressed');
  assert.ok(rawA.every((f) => !f.rsv1 || /"type":"(msg|batch|state)"/.test(f.text)), 'only shared frames are compressed');
  assert.ok(rawA.some((f) => !f.rsv1 && f.text.includes('"type":"ack"')), 'acks go plain');
  // The same bytes for both compressed sockets: deflated once per flush, not per socket.
  assert.deepEqual(compressed(rawB), compressed(rawA));
  assert.equal(compressed(rawPlain).length, 0);
  // A late joiner's history (a per-socket frame over ws's usual 1 KiB threshold) goes plain too.
  const late = await TestClient.connect(server.wsUrl, { perMessageDeflate: true });
  const rawLate = tap(late);
  late.send({ type: 'join', stream });
  const joined = await late.next('joined');
  assert.equal(joined.history.length, lines);
  const joinedRaw = rawLate.find((f) => f.text.includes('"type":"joined"'));
  assert.ok(joinedRaw !== undefined && !joinedRaw.rsv1 && joinedRaw.bytes.length > 1024, 'joined went plain');
  for (const c of [a, b, plain, late]) c.close();
});
