// TokenRoles writes to the state only for broadcasters and moderators, at most
// once a minute per gateway for the same claim, and never fails a join.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import pino from 'pino';
import { TokenRoles } from '../../src/chat/token-roles.ts';
import type { Identity } from '../../src/auth/identity.ts';
import { MemoryState } from '../../src/state/memory-state.ts';
import type { TokenRolesRecord } from '../../src/state/state.ts';

/** The embedded store, counting the records it is asked to write. */
class CountingState extends MemoryState {
  records: TokenRolesRecord[] = [];
  fail = false;

  override async recordTokenRoles(record: TokenRolesRecord): Promise<void> {
    if (this.fail) throw new Error('redis is down');
    this.records.push(record);
    return super.recordTokenRoles(record);
  }
}

function setUp() {
  const state = new CountingState();
  let now = 1_000_000;
  const warnings: unknown[] = [];
  const logger = Object.assign(pino({ level: 'silent' }), { warn: (fields: unknown) => warnings.push(fields) });
  const roles = new TokenRoles({ state, keepMs: 3_600_000, maxPerStream: 10, now: () => now, logger });
  return { state, roles, warnings, advance: (ms: number) => (now += ms) };
}

const person = (id: string, roles: Record<string, Identity['roles'][string]>): Identity => ({ id, name: id, roles });

test('viewers, VIPs and anonymous viewers cost no write; a moderator is recorded with their ranked roles only', async () => {
  const { state, roles } = setUp();
  await roles.note(null, 's');
  await roles.note(person('v', { s: ['vip', 'subscriber'] }), 's');
  await roles.note(person('m', { other: ['moderator'] }), 's');
  assert.equal(state.records.length, 0);
  await roles.note(person('m', { s: ['vip', 'moderator'] }), 's');
  assert.deepEqual(state.records.map((r) => [r.stream, r.userId, r.roles]), [['s', 'm', ['moderator']]]);
  assert.deepEqual(await roles.of('s', 'm'), ['moderator']);
  assert.deepEqual(await roles.of('s', 'v'), []);
});

test('the same claim is written again only after a minute; a changed claim at once', async () => {
  const { state, roles, advance } = setUp();
  const mod = person('m', { s: ['moderator'], t: ['moderator'] });
  for (let i = 0; i < 5; i++) await roles.note(mod, 's');
  assert.equal(state.records.length, 1, 'joining in a loop costs one write');
  await roles.note(person('m', { s: ['broadcaster', 'moderator'], t: ['moderator'] }), 's');
  assert.equal(state.records.length, 2);
  await roles.noteAll(mod, ['s', 't']);
  assert.equal(state.records.length, 4, 'back to moderator in s, and new in t');
  advance(60_000);
  await roles.note(mod, 's');
  assert.equal(state.records.length, 5, 'refreshed after a minute');
});

test('a record that cannot be written is logged, not thrown, and tried again at the next join', async () => {
  const { state, roles, warnings } = setUp();
  state.fail = true;
  await roles.note(person('m', { s: ['moderator'] }), 's');
  assert.equal(warnings.length, 1);
  state.fail = false;
  await roles.note(person('m', { s: ['moderator'] }), 's');
  assert.equal(state.records.length, 1);
});
