// ModeratorActions' decisions (who may act, on whom, and what each action
// does through the seams), on the real embedded seams of
// test/support/chat-parts.ts; faults only to make a backing service fail.
import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import { BackendError } from '../../src/chat/backend-error.ts';
import { HierarchyRefusal } from '../../src/chat/moderation-hierarchy.ts';
import type { ModAction } from '../../src/protocol/client-frames.ts';
import { ChatError } from '../../src/protocol/errors.ts';
import { DEFAULT_MODES } from '../../src/protocol/types.ts';
import { openChatParts, person, type ChatParts, type ChatPartsOptions } from '../support/chat-parts.ts';
import { until } from '../support/until.ts';

const S = 'room';
const owner = person('owner', ['broadcaster']);
const mod = person('mod', ['moderator']);
const mod2 = person('mod2', ['moderator']);
const viewer = person('viewer');
const SLOW: ModAction = { action: 'modes', modes: { slowSeconds: 3 } };

async function open(t: TestContext, options: ChatPartsOptions = {}): Promise<ChatParts> {
  const parts = await openChatParts(options);
  t.after(() => parts.close());
  return parts;
}

async function refused(acting: Promise<unknown>, code: string): Promise<ChatError> {
  const err = await acting.then(() => assert.fail(`done, expected ${code}`), (e: unknown) => e);
  assert.ok(err instanceof ChatError, `a ChatError, got ${String(err)}`);
  assert.equal(err.code, code, err.message);
  return err;
}

const textsOf = async (parts: ChatParts): Promise<string[]> => (await parts.broker.seam.latest(S, 100)).messages.map((m) => m.text);

test('only a signed-in moderator or the broadcaster of the stream may act; granted moderators count', async (t) => {
  const parts = await open(t);
  await refused(parts.moderation.apply(null, S, SLOW), 'unauthorized');
  await refused(parts.moderation.apply(viewer, S, SLOW), 'forbidden');
  await refused(parts.moderation.apply(person('elsewhere', ['moderator'], 'other'), S, SLOW), 'forbidden');
  assert.equal((await parts.state.seam.getModes(S)).slowSeconds, 0, 'no refused action changed anything');
  await parts.moderation.apply(mod, S, SLOW);
  await parts.moderation.apply(owner, S, SLOW);
  await parts.grants.set(S, 'u-granted', ['moderator']);
  await parts.moderation.apply(person('granted'), S, { action: 'modes', modes: { slowSeconds: 7 } });
  assert.equal((await parts.state.seam.getModes(S)).slowSeconds, 7);
  assert.equal(await parts.moderation.isModerator(person('granted'), S), true);
  assert.equal(await parts.moderation.isModerator(viewer, S), false);
  assert.equal(await parts.moderation.isModerator(null, S), false);
});

test('a banned or timed-out moderator has no powers while it lasts; a broadcaster keeps theirs', async (t) => {
  const parts = await open(t);
  await parts.state.seam.setBan(S, mod.id, { until: parts.clock.now + 60_000 });
  await refused(parts.moderation.apply(mod, S, SLOW), 'forbidden');
  assert.equal(await parts.moderation.isModerator(mod, S), false);
  await refused(parts.moderation.apply(mod, S, { action: 'unban', user: mod.id }), 'forbidden');
  parts.clock.now += 61_000;
  await parts.moderation.apply(mod, S, SLOW);
  await parts.state.seam.setBan(S, owner.id, { until: null });
  await parts.moderation.apply(owner, S, { action: 'unban', user: owner.id });
  assert.equal(await parts.state.seam.getBan(S, owner.id, parts.clock.now), null);
});

test('the hierarchy: moderators act on viewers, not on moderators (by badge, grant or record) or the broadcaster', async (t) => {
  const parts = await open(t);
  await parts.chat.send(mod2, S, 'a moderator\'s line'); // known by the badge on their line
  await parts.grants.set(S, 'u-granted', ['moderator']); // known by the grant alone
  await parts.moderation.apply(person('recorded', ['moderator']), S, SLOW); // known by the record of their token
  for (const user of [mod2.id, 'u-granted', 'u-recorded']) {
    const err = await refused(parts.moderation.apply(mod, S, { action: 'ban', user }), 'forbidden');
    assert.ok(err instanceof HierarchyRefusal && err.target === 'moderator', user);
  }
  await parts.moderation.apply(owner, S, SLOW);
  const up = await refused(parts.moderation.apply(mod, S, { action: 'timeout', user: owner.id, seconds: 60 }), 'forbidden');
  assert.ok(up instanceof HierarchyRefusal && up.target === 'broadcaster');
  await refused(parts.moderation.apply(mod, S, { action: 'ban', user: mod.id }), 'invalid');
  assert.equal(await parts.state.seam.getBan(S, mod2.id, parts.clock.now), null, 'no refused ban was stored');
  await parts.moderation.apply(mod, S, { action: 'ban', user: viewer.id });
  await parts.moderation.apply(owner, S, { action: 'ban', user: mod2.id });
  assert.deepEqual(await parts.state.seam.getBan(S, mod2.id, parts.clock.now), { until: null });
});

test('a ban stores the ban, retracts the target\'s recent lines and tells every gateway to clear them', async (t) => {
  const parts = await open(t);
  await parts.chat.send(viewer, S, 'old line'); // older than the clear window (60 s in chat-parts)
  parts.clock.now += 120_000;
  await parts.chat.send(viewer, S, 'spam 1');
  await parts.chat.send(person('bystander'), S, 'innocent');
  await parts.chat.send(viewer, S, 'spam 2');
  const events = await parts.watch(S);
  await parts.moderation.apply(mod, S, { action: 'ban', user: viewer.id });
  assert.deepEqual(await parts.state.seam.getBan(S, viewer.id, parts.clock.now), { until: null });
  assert.deepEqual(await textsOf(parts), ['old line', 'innocent']);
  await until(() => events.length === 1, 'the clear event');
  assert.deepEqual(events, [{ kind: 'clear', user: viewer.id, reason: 'ban', seconds: undefined }]);
  await refused(parts.chat.send(viewer, S, 'let me back'), 'banned');
  await parts.moderation.apply(mod, S, { action: 'unban', user: viewer.id });
  await parts.chat.send(viewer, S, 'sorry');
});

test('a timeout lasts its seconds and says so in the clear event', async (t) => {
  const parts = await open(t);
  const events = await parts.watch(S);
  await parts.moderation.apply(mod, S, { action: 'timeout', user: viewer.id, seconds: 30 });
  assert.deepEqual(await parts.state.seam.getBan(S, viewer.id, parts.clock.now), { until: parts.clock.now + 30_000 });
  await until(() => events.length === 1, 'the clear event');
  assert.deepEqual(events, [{ kind: 'clear', user: viewer.id, reason: 'timeout', seconds: 30 }]);
  await refused(parts.chat.send(viewer, S, 'hi'), 'timed_out');
  parts.clock.now += 30_000;
  await parts.chat.send(viewer, S, 'back');
});

test('delete retracts one message everywhere; its author\'s standing decides who may; an unknown id is invalid', async (t) => {
  const parts = await open(t);
  const line = await parts.chat.send(viewer, S, 'delete me');
  const ownerLine = await parts.chat.send(owner, S, 'the broadcaster speaks');
  const modLine = await parts.chat.send(mod, S, 'my own line');
  const events = await parts.watch(S);
  await parts.moderation.apply(mod, S, { action: 'delete', id: line.id });
  await parts.moderation.apply(mod, S, { action: 'delete', id: modLine.id });
  const err = await refused(parts.moderation.apply(mod, S, { action: 'delete', id: ownerLine.id }), 'forbidden');
  assert.ok(err instanceof HierarchyRefusal && err.action === 'delete');
  await refused(parts.moderation.apply(mod, S, { action: 'delete', id: 'no-such-id' }), 'invalid');
  assert.deepEqual(await textsOf(parts), ['the broadcaster speaks']);
  await until(() => events.length === 2, 'two retract events');
  // Each names the moderator who deleted, for the placeholder pages show.
  const by = { id: mod.id, name: mod.name };
  assert.deepEqual(events, [
    { kind: 'retract', ids: [line.id], reason: 'deleted', by },
    { kind: 'retract', ids: [modLine.id], reason: 'deleted', by },
  ]);
});

test('modes and rules are stored through the stream settings; modes go out as a state event', async (t) => {
  const parts = await open(t);
  const events = await parts.watch(S);
  await parts.moderation.apply(mod, S, { action: 'modes', modes: { emoteOnly: true } });
  const modes = { ...DEFAULT_MODES, emoteOnly: true };
  assert.deepEqual(await parts.state.seam.getModes(S), modes);
  await until(() => events.length === 1, 'the state event');
  assert.deepEqual(events, [{ kind: 'state', state: { modes } }]);
  await refused(parts.chat.send(viewer, S, 'words'), 'emote_only');
  const rules = { blockedTerms: ['nope'], blockLinks: true, emotes: ['myEmote'] };
  await parts.moderation.apply(mod, S, { action: 'rules', rules });
  assert.deepEqual(await parts.state.seam.getRules(S), rules);
  assert.equal(events.length, 1, 'rules are not broadcast');
});

test('approve publishes a held message, deny discards one; a second decision on either finds nothing', async (t) => {
  const parts = await open(t, { content: { heldTerms: ['suspicious'] } });
  await refused(parts.chat.send(viewer, S, 'suspicious one'), 'held');
  await refused(parts.chat.send(viewer, S, 'suspicious two'), 'held');
  const [one, two] = await parts.moderation.heldMessages(mod, S);
  await refused(parts.moderation.heldMessages(viewer, S), 'forbidden');
  await parts.moderation.apply(mod, S, { action: 'approve', id: one!.id });
  await parts.moderation.apply(mod, S, { action: 'deny', id: two!.id });
  assert.deepEqual(await textsOf(parts), ['suspicious one']);
  assert.deepEqual(await parts.moderation.heldMessages(mod, S), []);
  await refused(parts.moderation.apply(mod, S, { action: 'approve', id: one!.id }), 'invalid');
  await refused(parts.moderation.apply(mod, S, { action: 'deny', id: two!.id }), 'invalid');
  assert.deepEqual(await textsOf(parts), ['suspicious one'], 'approved once, published once');
});

test('granting and revoking roles is the broadcaster\'s alone; a banned user gets none', async (t) => {
  const parts = await open(t);
  await refused(parts.moderation.apply(mod, S, { action: 'grant', user: viewer.id, role: 'vip' }), 'forbidden');
  await refused(parts.moderation.changeRole(mod, S, viewer.id, 'vip', true), 'forbidden');
  await parts.moderation.apply(owner, S, { action: 'grant', user: viewer.id, role: 'vip' });
  assert.deepEqual(await parts.state.seam.getGrants(S), new Map([[viewer.id, ['vip']]]));
  assert.equal(await parts.moderation.changeRole(owner, S, viewer.id, 'vip', true), 'unchanged');
  assert.deepEqual((await parts.chat.send(viewer, S, 'hi')).user.badges, ['vip'], 'the grant counts at once');
  await parts.moderation.apply(owner, S, { action: 'revoke', user: viewer.id, role: 'vip' });
  assert.deepEqual(await parts.state.seam.getGrants(S), new Map());
  await parts.state.seam.setBan(S, 'u-banned', { until: null });
  await refused(parts.moderation.apply(owner, S, { action: 'grant', user: 'u-banned', role: 'moderator' }), 'invalid');
  assert.equal(await parts.moderation.changeRole(owner, S, 'u-banned', 'moderator', true), 'banned');
  await parts.moderation.setRoles(owner, S, viewer.id, ['vip', 'moderator', 'vip']);
  assert.deepEqual(await parts.moderation.listRoles(mod, S), new Map([[viewer.id, ['vip', 'moderator']]]));
});

test('every write counts against the moderator\'s limit before any other work', async (t) => {
  const parts = await open(t, { moderatorActions: 2 });
  await parts.moderation.apply(mod, S, SLOW);
  await parts.moderation.apply(mod, S, SLOW);
  const err = await refused(parts.moderation.apply(mod, S, SLOW), 'rate_limited');
  assert.ok(err.retryAfterMs! > 0);
  // Counted before authorization: a viewer hammering the endpoint is limited, not asked for roles each time.
  parts.state.fail('getGrants', new Error('state down'));
  parts.clock.now += 3_000; // past the grants' read cache
  await refused(parts.moderation.apply(viewer, S, SLOW), 'unavailable');
  await refused(parts.moderation.apply(viewer, S, SLOW), 'unavailable');
  await refused(parts.moderation.apply(viewer, S, SLOW), 'rate_limited');
  parts.state.restore('getGrants');
  await parts.moderation.apply(mod2, S, SLOW);
});

test('a state store failure during an action is `unavailable` with a logged reference; refusals stay as they are', async (t) => {
  const parts = await open(t);
  parts.state.fail('setBan', new Error('redis 10.9.8.7 timed out'));
  const err = await refused(parts.moderation.apply(mod, S, { action: 'ban', user: viewer.id }), 'unavailable');
  assert.ok(err instanceof BackendError && !err.message.includes('10.9.8.7'));
  assert.ok(parts.logged.some((l) => l.ref === err.ref));
  await refused(parts.moderation.apply(mod, S, { action: 'ban', user: mod.id }), 'invalid');
  parts.state.fail('getBan', new Error('redis down'));
  await refused(parts.moderation.apply(mod, S, SLOW), 'unavailable');
});
