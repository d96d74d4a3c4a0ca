// Warnings, restrictions and /clear across two gateway processes on Redis and
// Kafka: a warning given on one gateway refuses the user's sends on the other
// (and after they reconnect anywhere) until acknowledged on either; a
// restricted user's line sent through one gateway reaches moderators on both
// and no viewer on either; a clear on one empties screens on both.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { gatewayPairForFile } from '../support/cluster.ts';
import { closeAtEnd } from '../support/file-end.ts';
import { devToken, member, type ChildServer } from '../support/servers.ts';
import { TestClient } from '../support/ws-client.ts';

const STREAM = 'workbench';
const [a, b] = await gatewayPairForFile();
const on = (gateway: ChildServer, name: string, roles: string[] = []): Promise<TestClient> => member(gateway, STREAM, name, roles);

async function viewerOn(gateway: ChildServer): Promise<TestClient> {
  const client = await TestClient.connect(gateway.wsUrl);
  closeAtEnd('client', () => client.close());
  client.send({ type: 'join', stream: STREAM });
  await client.next('joined');
  return client;
}

test('a warning given on one gateway holds on the other and after a reconnect, until acknowledged', async () => {
  const mod = await on(a, 'cw_mod', ['moderator']);
  const user = await on(b, 'cw_user');
  const { user: profile } = await devToken(a.url, 'cw_user');
  assert.equal((await mod.request({ type: 'mod', stream: STREAM, action: 'warn', user: profile.id, reason: 'cluster-wide rules' })).type, 'ack');
  assert.equal((await user.next('warning', () => true, 10_000)).reason, 'cluster-wide rules', 'told at once on the other gateway');
  const refused = await user.request({ type: 'send', stream: STREAM, text: 'on b' });
  assert.equal(refused.code, 'warned', JSON.stringify(refused));
  assert.match(refused.message, /cluster-wide rules/);

  user.close();
  const back = await on(a, 'cw_user');
  assert.equal((await back.request({ type: 'send', stream: STREAM, text: 'on a' })).code, 'warned');
  assert.equal((await back.request({ type: 'acknowledge', stream: STREAM })).type, 'ack');
  const onB = await on(b, 'cw_user');
  const accepted = await onB.request({ type: 'send', stream: STREAM, text: 'acknowledged' });
  assert.equal(accepted.type, 'ack', JSON.stringify(accepted));
  assert.ok(accepted.seq > 0);
});

test('a restricted line sent through one gateway reaches moderators on both and its author, no viewer; a clear reaches both', async () => {
  const modA = await on(a, 'cr_moda', ['moderator']);
  const modB = await on(b, 'cr_modb', ['moderator']);
  const author = await on(b, 'cr_author');
  const viewers = [await viewerOn(a), await viewerOn(b), await on(a, 'cr_viewer')];
  const { user: profile } = await devToken(a.url, 'cr_author');
  assert.equal((await modA.request({ type: 'mod', stream: STREAM, action: 'restrict', user: profile.id })).type, 'ack');

  const ack = await author.request({ type: 'send', stream: STREAM, text: 'cross-gateway shadow' });
  assert.deepEqual([ack.type, ack.seq], ['ack', 0]);
  for (const who of [modA, modB, author]) assert.equal((await who.next('restricted', (f) => f.id === ack.id)).text, 'cross-gateway shadow');
  const plain = await modB.request({ type: 'send', stream: STREAM, text: 'plain line after it' });
  for (const viewer of viewers) {
    await viewer.next('msg', (f) => f.id === plain.id, 10_000);
    assert.ok(!JSON.stringify(viewer.frames).includes('cross-gateway shadow'), 'no viewer got the restricted line');
  }

  assert.equal((await modB.request({ type: 'mod', stream: STREAM, action: 'clear' })).type, 'ack');
  for (const viewer of viewers) assert.deepEqual(await viewer.next('clear', () => true, 10_000), { type: 'clear', stream: STREAM, reason: 'clear' });
});

test('a line held through one gateway is listed, approved and denied by moderators on the other', async () => {
  const mod = await on(b, 'ch_mod', ['moderator']);
  assert.equal((await mod.request({ type: 'mod', stream: STREAM, action: 'modes', modes: { holdFirstMessages: true } })).type, 'ack');
  const { token } = await devToken(b.url, 'ch_mod', { [STREAM]: ['moderator'] });
  const listOnB = async (): Promise<Array<{ id: string; text: string }>> => {
    const res = await fetch(`${b.url}/api/streams/${STREAM}/held`, { headers: { authorization: `Bearer ${token}` } });
    assert.equal(res.status, 200);
    return ((await res.json()) as { held: Array<{ id: string; text: string }> }).held;
  };
  // Each gateway reads a stream's modes at most a second or two old: new authors until a first line is held on a.
  const heldFirst = async (label: string): Promise<TestClient> => {
    for (let i = 0; i < 30; i++) {
      const author = await on(a, `ch_${label}_${i}`);
      const answer = await author.request({ type: 'send', stream: STREAM, text: `${label} first line` });
      if (answer.code === 'held') return author;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    assert.fail('gateway a never held a first line');
  };
  const approved = await heldFirst('approved');
  await heldFirst('denied');
  const held = await listOnB();
  const toApprove = held.find((h) => h.text === 'approved first line')!;
  const toDeny = held.find((h) => h.text === 'denied first line')!;
  assert.ok(toApprove !== undefined && toDeny !== undefined, `b lists what a held: ${JSON.stringify(held)}`);
  assert.equal((await mod.request({ type: 'mod', stream: STREAM, action: 'approve', id: toApprove.id })).type, 'ack');
  assert.equal((await approved.next('msg', (f) => f.text === 'approved first line', 10_000)).reviewed, true, 'the approved line went out');
  assert.equal((await mod.request({ type: 'mod', stream: STREAM, action: 'deny', id: toDeny.id })).type, 'ack');
  const again = await mod.request({ type: 'mod', stream: STREAM, action: 'approve', id: toDeny.id });
  assert.equal(again.code, 'invalid', 'a denied line is gone for every gateway');
  assert.deepEqual((await listOnB()).filter((h) => h.text.endsWith('first line')), []);
  assert.equal((await mod.request({ type: 'mod', stream: STREAM, action: 'modes', modes: { holdFirstMessages: false } })).type, 'ack');
});
