// Every moderator action that takes effect is recorded once in the audit log,
// with its actor, target, reason and the stream's seq, and published to the
// stream's bus for its moderators; a refused action is not recorded. On the
// real embedded seams of test/support/chat-parts.ts.
import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import type { BusEvent } from '../../src/bus/bus.ts';
import { openChatParts, person, type ChatParts, type ChatPartsOptions } from '../support/chat-parts.ts';

const S = 'room';
const owner = person('owner', ['broadcaster']);
const mod = person('mod', ['moderator']);
const viewer = person('viewer');

async function open(t: TestContext, options: ChatPartsOptions = {}): Promise<ChatParts> {
  const parts = await openChatParts(options);
  t.after(() => parts.close());
  return parts;
}

/** The stream's audit log, oldest first, as [action, user, message, reason, detail] (absent ones left out). */
async function recorded(parts: ChatParts): Promise<unknown[][]> {
  const entries = await parts.modlog.page(S, { limit: 100 });
  return entries.reverse().map((e) => [e.action, e.user?.id, e.message, e.reason, e.detail].filter((v) => v !== undefined));
}

test('each action that took effect is recorded once, with who, on whom, why and the seq', async (t) => {
  const parts = await open(t);
  const published: BusEvent[] = [];
  await parts.bus.seam.subscribe(S, (_s, event) => {
    if (event.kind === 'modlog') published.push(event);
  });
  const line = await parts.chat.send(viewer, S, 'hello');
  const later = await parts.chat.send(viewer, S, 'hello again');
  await parts.moderation.apply(mod, S, { action: 'pin', id: line.id, seconds: 60 });
  await parts.moderation.apply(mod, S, { action: 'unpin' });
  await parts.moderation.apply(mod, S, { action: 'delete', id: line.id, reason: 'rude' });
  await parts.moderation.apply(mod, S, { action: 'timeout', user: viewer.id, seconds: 30, reason: 'calm down' });
  await parts.moderation.apply(mod, S, { action: 'ban', user: viewer.id });
  await parts.moderation.apply(mod, S, { action: 'unban', user: viewer.id });
  await parts.moderation.apply(mod, S, { action: 'modes', modes: { slowSeconds: 5, emoteOnly: true } });
  await parts.moderation.apply(mod, S, { action: 'rules', rules: { blockedTerms: ['a', 'b'], blockLinks: true, emotes: [] } });
  assert.deepEqual(await recorded(parts), [
    ['pin', viewer.id, line.id, '60 s'],
    ['unpin'],
    ['delete', viewer.id, line.id, 'rude'],
    ['timeout', viewer.id, 'calm down', '30 s'],
    ['ban', viewer.id],
    ['unban', viewer.id],
    ['modes', 'slowSeconds=5, emoteOnly=true'],
    ['rules', '2 blocked terms, links blocked'],
  ]);
  const [newest] = await parts.modlog.page(S, { limit: 1 });
  assert.deepEqual(newest!.actor, { id: mod.id, name: 'mod' });
  assert.equal(newest!.seq, later.seq, 'the stream\'s newest seq when it was done');
  const timeout = (await parts.modlog.page(S, { limit: 5 }))[4]; // rules, modes, unban, ban, timeout
  assert.deepEqual([timeout!.action, timeout!.user], ['timeout', { id: viewer.id, name: 'viewer' }], 'named as their newest line names them');
  assert.equal(newest!.ts, parts.clock.now);
  assert.equal(published.length, 8, 'each entry is published once');
  assert.deepEqual(published.at(-1), { kind: 'modlog', entry: newest });
});

test('a refused action is not recorded', async (t) => {
  const parts = await open(t);
  await assert.rejects(parts.moderation.apply(viewer, S, { action: 'ban', user: mod.id }));
  await assert.rejects(parts.moderation.apply(mod, S, { action: 'delete', id: 'no-such-line' }));
  await assert.rejects(parts.moderation.apply(mod, S, { action: 'deny', id: 'no-such-held-line' }));
  await assert.rejects(parts.moderation.apply(mod, S, { action: 'grant', user: viewer.id, role: 'vip' }), 'only the broadcaster grants');
  assert.deepEqual(await recorded(parts), []);
});

test('approve and deny name the held line and its author', async (t) => {
  const parts = await open(t, { content: { heldTerms: ['suspicious'] } });
  await assert.rejects(parts.chat.send(viewer, S, 'suspicious one'));
  await assert.rejects(parts.chat.send(viewer, S, 'suspicious two'));
  const [one, two] = await parts.moderation.heldMessages(mod, S);
  await parts.moderation.apply(mod, S, { action: 'approve', id: one!.id });
  await parts.moderation.apply(mod, S, { action: 'deny', id: two!.id });
  assert.deepEqual(await recorded(parts), [['approve', viewer.id, one!.id], ['deny', viewer.id, two!.id]]);
});

test('role changes are recorded once whichever road they take, and only when something changed', async (t) => {
  const parts = await open(t);
  await parts.moderation.apply(owner, S, { action: 'grant', user: viewer.id, role: 'vip' });
  assert.equal(await parts.moderation.changeRole(owner, S, viewer.id, 'vip', true), 'unchanged');
  await parts.moderation.setRoles(owner, S, viewer.id, ['moderator']);
  assert.equal(await parts.moderation.changeRole(owner, S, viewer.id, 'moderator', false), 'changed');
  assert.deepEqual(await recorded(parts), [
    ['grant', viewer.id, 'vip'],
    ['grant', viewer.id, 'moderator'],
    ['revoke', viewer.id, 'vip'],
    ['revoke', viewer.id, 'moderator'],
  ]);
});

test('an audit log that cannot be written never undoes the action: the loss is logged', async (t) => {
  const parts = await open(t);
  await parts.modlog.close(); // every append throws from now on
  await parts.moderation.apply(mod, S, { action: 'modes', modes: { slowSeconds: 5 } });
  assert.equal((await parts.state.seam.getModes(S)).slowSeconds, 5);
  assert.ok(parts.logged.some((line) => line.msg === 'moderator action not recorded in the audit log' && line.level === 50));
});
