import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assertEmpowered, assertMayActOn, hasPowers, HierarchyRefusal, type Member, type TargetedAction } from '../../src/chat/moderation-hierarchy.ts';
import { ChatError } from '../../src/protocol/errors.ts';

const caster: Member = { id: 'caster', roles: ['broadcaster'] };
const mod: Member = { id: 'mod', roles: ['moderator', 'subscriber'] };
const otherMod: Member = { id: 'other', roles: ['moderator'] };
const vip: Member = { id: 'vip', roles: ['vip'] };
const sub: Member = { id: 'sub', roles: ['subscriber'] };
const viewer: Member = { id: 'viewer', roles: [] };
const ACTIONS: TargetedAction[] = ['ban', 'timeout', 'unban', 'delete'];

function refusalOf(run: () => void): ChatError | undefined {
  try {
    run();
    return undefined;
  } catch (err) {
    assert.ok(err instanceof ChatError);
    return err;
  }
}

test('moderators act on viewers, subscribers and VIPs only', () => {
  for (const action of ACTIONS) {
    for (const target of [vip, sub, viewer]) assert.equal(refusalOf(() => assertMayActOn(action, mod, target)), undefined, `${action} ${target.id}`);
    for (const [target, kind] of [[caster, 'broadcaster'], [otherMod, 'moderator']] as const) {
      const refusal = refusalOf(() => assertMayActOn(action, mod, target));
      assert.ok(refusal instanceof HierarchyRefusal, `${action} ${target.id}`);
      assert.equal(refusal.code, 'forbidden');
      assert.equal(refusal.target, kind);
      assert.equal(refusal.action, action);
    }
  }
  assert.match(refusalOf(() => assertMayActOn('timeout', mod, otherMod))!.message, /cannot time out another moderator; only the broadcaster can/);
  assert.match(refusalOf(() => assertMayActOn('delete', mod, caster))!.message, /cannot delete messages of the broadcaster/);
});

test('the broadcaster acts on everyone, moderators included', () => {
  for (const action of ACTIONS) {
    for (const target of [mod, otherMod, vip, sub, viewer]) assert.equal(refusalOf(() => assertMayActOn(action, caster, target)), undefined);
  }
});

test('nobody bans or times out themselves; deleting one\'s own line and lifting one\'s own ban are allowed', () => {
  for (const actor of [caster, mod]) {
    for (const action of ['ban', 'timeout'] as const) {
      const refusal = refusalOf(() => assertMayActOn(action, actor, actor));
      assert.equal(refusal?.code, 'invalid');
      assert.equal(refusal instanceof HierarchyRefusal, false);
    }
    assert.equal(refusalOf(() => assertMayActOn('delete', actor, actor)), undefined);
    assert.equal(refusalOf(() => assertMayActOn('unban', actor, actor)), undefined);
  }
});

test('a banned or timed-out moderator has no powers; the broadcaster is never bound by a ban', () => {
  assert.equal(refusalOf(() => assertEmpowered(mod, null)), undefined);
  const timedOut = refusalOf(() => assertEmpowered(mod, { until: Date.now() + 60_000 }));
  assert.equal(timedOut?.code, 'forbidden');
  assert.match(timedOut!.message, /timed out/);
  const banned = refusalOf(() => assertEmpowered(mod, { until: null }));
  assert.equal(banned?.code, 'forbidden');
  assert.match(banned!.message, /banned/);
  assert.equal(refusalOf(() => assertEmpowered(caster, { until: null })), undefined);
  assert.deepEqual([hasPowers(mod, null), hasPowers(mod, { until: null }), hasPowers(caster, { until: null })], [true, false, true]);
});
