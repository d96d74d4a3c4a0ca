// Replies, pins and notices across two gateway processes on Redis and Kafka:
// a reply on one gateway finds a parent sent on the other (in its own recent
// lines, or through the cluster log once it no longer carries the stream),
// and a pin with an expiry ends on both at once (the state seam).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { gatewayPairForFile } from '../support/cluster.ts';
import { member } from '../support/servers.ts';

const [a, b] = await gatewayPairForFile();

test('a reply on one gateway quotes a parent sent on the other, live and from the cluster log', async () => {
  const alice = await member(a, 'xthreads', 'alice');
  const bob = await member(b, 'xthreads', 'bob');
  const parent = await alice.request({ type: 'send', stream: 'xthreads', text: 'sent on gateway a' });
  await bob.next('msg', (f) => f.id === parent.id);
  const reply = await bob.request({ type: 'send', stream: 'xthreads', text: 'answered on b', parent: parent.id });
  assert.equal(reply.type, 'ack');
  assert.equal((await alice.next('msg', (f) => f.id === reply.id)).reply.text, 'sent on gateway a');

  // Gateway b never carried this stream: its recent lines of it start empty at the join, so the
  // parents are found (or not) in the cluster log (the Redis recent window, then Kafka).
  const early = await member(a, 'xcold', 'alice');
  const kept = await early.request({ type: 'send', stream: 'xcold', text: 'said before b carried xcold' });
  const deleted = await early.request({ type: 'send', stream: 'xcold', text: 'deleted on a' });
  const mod = await member(a, 'xcold', 'moddy', ['moderator']);
  assert.equal((await mod.request({ type: 'mod', stream: 'xcold', action: 'delete', id: deleted.id })).type, 'ack');
  const cold = await member(b, 'xcold', 'dave');
  const late = await cold.request({ type: 'send', stream: 'xcold', text: 'late answer', parent: kept.id });
  assert.equal(late.type, 'ack');
  assert.equal((await early.next('msg', (f) => f.id === late.id)).reply.text, 'said before b carried xcold');
  const refused = await cold.request({ type: 'send', stream: 'xcold', text: 'late answer', parent: deleted.id });
  assert.equal(refused.code, 'invalid');
});

test('a pin made on one gateway is in the state on both, and its end removes it on both', async () => {
  const mod = await member(a, 'xpins', 'moddy', ['moderator']);
  const viewer = await member(b, 'xpins', 'viewer');
  const line = await viewer.request({ type: 'send', stream: 'xpins', text: 'pinned across gateways' });
  await mod.next('msg', (f) => f.id === line.id);
  assert.equal((await mod.request({ type: 'mod', stream: 'xpins', action: 'pin', id: line.id, seconds: 2 })).type, 'ack');
  const onB = await viewer.next('state', (f) => f.pinned !== undefined);
  const onA = await mod.next('state', (f) => f.pinned !== undefined);
  assert.deepEqual(onB.pinned, onA.pinned);
  assert.equal(onB.pinned.message.text, 'pinned across gateways');

  const joinedOnB = await member(b, 'xpins', 'late');
  assert.equal(joinedOnB.frames.find((f) => f.type === 'joined')!.state.pinned.message.id, line.id);

  await viewer.next('state', (f) => f.pinned === undefined && Date.now() >= onB.pinned.until, 6_000);
  await mod.next('state', (f) => f.pinned === undefined && Date.now() >= onB.pinned.until, 6_000);
  const afterEnd = await member(a, 'xpins', 'after');
  assert.equal(afterEnd.frames.find((f) => f.type === 'joined')!.state.pinned, undefined);
});
