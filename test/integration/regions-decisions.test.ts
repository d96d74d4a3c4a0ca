// The conflict rule of concurrent moderation on real Redis (docs/regions.md,
// "Concurrent moderation"): the registers' script against compareHlc, and
// regions that take the same decisions in different orders ending alike.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { compareHlc, type Hlc } from '../../src/regions/hlc.ts';
import { DecisionState } from '../../src/regions/decision-state.ts';
import { LwwRegisters } from '../../src/regions/lww-registers.ts';
import { RedisState } from '../../src/state/redis-state.ts';
import type { RedisClient } from '../../src/redis/redis-client.ts';
import { deleteKeys, REDIS_URL, redisForTests, uniquePrefix } from '../support/redis.ts';

const admin = await redisForTests();
const prefixes: string[] = [];
const states: RedisState[] = [];
const client: RedisClient = admin;

after(async () => {
  await Promise.all(states.map((s) => s.close()));
  for (const prefix of prefixes) await deleteKeys(admin, prefix);
  await admin.close();
});

/** One region: its own key space, its state store and its registers. */
async function region(prefix = uniquePrefix()): Promise<{ state: RedisState; registers: LwwRegisters; prefix: string }> {
  prefixes.push(prefix);
  const state = await RedisState.connect({ url: REDIS_URL, cluster: false, keyPrefix: prefix, commandTimeoutMs: 2_000, onError: () => {} });
  states.push(state);
  return { state, registers: new LwwRegisters(client, prefix, 2_000), prefix };
}

const h = (wall: number, logical: number, r: string): Hlc => ({ wall, logical, region: r });

test('the registers\' script takes a stamp exactly when compareHlc says it is larger', async () => {
  const { registers } = await region();
  // Hyphens and digits too: a locale's collation would order `us-west` and `usa` otherwise than JavaScript.
  const names = ['ap', 'eu', 'us', 'us-west', 'usa', 'us1'];
  let seed = 7;
  const pick = (n: number): number => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % n;
  for (let i = 0; i < 300; i++) {
    const a = h(1_700_000_000_000 + pick(3), pick(3), names[pick(names.length)]!);
    const b = h(1_700_000_000_000 + pick(3), pick(3), names[pick(names.length)]!);
    const key = registers.key('s', `t${i}`);
    assert.equal(await registers.offer(key, a, '"a"'), true);
    assert.equal(await registers.offer(key, b, '"b"'), compareHlc(b, a) > 0, `${JSON.stringify(b)} over ${JSON.stringify(a)}`);
    const held = await registers.read(key);
    assert.deepEqual(held, compareHlc(b, a) > 0 ? { hlc: b, value: '"b"' } : { hlc: a, value: '"a"' });
  }
});

type Step = (d: DecisionState, stream: string) => Promise<boolean>;

/** Every order of `steps`. */
function orders<T>(steps: readonly T[]): T[][] {
  if (steps.length <= 1) return [[...steps]];
  return steps.flatMap((s, i) => orders([...steps.slice(0, i), ...steps.slice(i + 1)]).map((rest) => [s, ...rest]));
}

test('a ban, a timeout and an unban taken in any order leave every region with the latest of them', async () => {
  const future = Date.now() + 600_000;
  const steps: Step[] = [
    (d, s) => d.banState(s, 'bob', null, h(1000, 0, 'ap')),
    (d, s) => d.banState(s, 'bob', future, h(1000, 1, 'us')),
    (d, s) => d.banState(s, 'bob', undefined, h(1000, 1, 'eu')),
  ];
  // The latest stamp is us's timeout (1000.1.us > 1000.1.eu > 1000.0.ap: a tie goes by region name).
  for (const order of orders(steps)) {
    const { state, registers } = await region();
    const decisions = new DecisionState(state, registers);
    const stream = `s-${randomUUID()}`;
    for (const step of order) await step(decisions, stream);
    assert.deepEqual(await state.getBan(stream, 'bob', Date.now()), { until: future });
  }
  // An unban with the latest stamp ends unbanned whatever came before.
  for (const order of orders([steps[0]!, (d: DecisionState, s: string) => d.banState(s, 'bob', undefined, h(1001, 0, 'eu'))])) {
    const { state, registers } = await region();
    const stream = `s-${randomUUID()}`;
    for (const step of order) await step(new DecisionState(state, registers), stream);
    assert.equal(await state.getBan(stream, 'bob', Date.now()), null);
  }
});

test('modes decide one by one, rules whole, in any order', async () => {
  const steps: Step[] = [
    (d, s) => d.modes(s, { slowSeconds: 5, emoteOnly: true }, h(1000, 0, 'us')),
    (d, s) => d.modes(s, { slowSeconds: 9 }, h(1001, 0, 'eu')),
    (d, s) => d.modes(s, { emoteOnly: false, subscribersOnly: true }, h(999, 0, 'ap')),
    (d, s) => d.rules(s, { blockedTerms: ['old'], blockLinks: true, emotes: [] }, h(1000, 0, 'ap')),
    (d, s) => d.rules(s, { blockedTerms: ['new'], blockLinks: false, emotes: ['Kappa'] }, h(1002, 0, 'us')),
  ];
  let some = 0;
  for (const order of orders(steps)) {
    if (some++ % 7 !== 0) continue; // 18 of the 120 orders: each step first and last several times
    const { state, registers } = await region();
    const stream = `s-${randomUUID()}`;
    for (const step of order) await step(new DecisionState(state, registers), stream);
    const modes = await state.getModes(stream);
    assert.deepEqual([modes.slowSeconds, modes.emoteOnly, modes.subscribersOnly], [9, true, true], order.map((s) => steps.indexOf(s)).join(','));
    assert.deepEqual(await state.getRules(stream), { blockedTerms: ['new'], blockLinks: false, emotes: ['Kappa'] });
  }
});

test('a user\'s granted roles, warning and restriction, and the pin, decided in any order, end with the latest of each', async () => {
  const line = { id: randomUUID(), stream: 's', seq: 7, ts: 1, user: { id: 'u', name: 'u', badges: [] }, text: 'pinned' };
  const steps: Step[] = [
    (d, s) => d.grant(s, 'bob', ['moderator', 'vip'], h(1000, 0, 'us')),
    (d, s) => d.grant(s, 'bob', ['vip'], h(1001, 0, 'eu')),
    (d, s) => d.warning(s, 'bob', 'calm down', h(1000, 0, 'ap')),
    (d, s) => d.warning(s, 'bob', null, h(1002, 0, 'us')),
    (d, s) => d.restricted(s, 'bob', true, h(1003, 0, 'eu')),
    (d, s) => d.restricted(s, 'bob', false, h(999, 0, 'ap')),
    (d, s) => d.pin(s, { message: line, by: { id: 'mod', name: 'mod' }, at: 1 }, h(1005, 0, 'ap')),
    (d, s) => d.pin(s, null, h(1004, 0, 'us')),
  ];
  let some = 0;
  for (const order of orders(steps)) {
    if (some++ % 2_239 !== 0) continue; // 19 of the 40,320 orders
    const { state, registers } = await region();
    const stream = `s-${randomUUID()}`;
    for (const step of order) await step(new DecisionState(state, registers), stream);
    const why = order.map((step) => steps.indexOf(step)).join(',');
    assert.deepEqual((await state.getGrants(stream)).get('bob'), ['vip'], why);
    assert.deepEqual(await state.getStanding(stream, 'bob'), { warning: null, restricted: true }, why);
    assert.equal((await state.getPin(stream, Date.now()))?.message.id, line.id, why);
  }
});

test('two gateways of one region applying an older and a newer decision at once end with the newer', async () => {
  const { state, registers } = await region();
  const stream = `s-${randomUUID()}`;
  // The older ban's write reaches the store late (a slow gateway), after the newer unban's.
  const slow = {
    setBan: async (...args: Parameters<RedisState['setBan']>) => {
      await sleep(150);
      return state.setBan(...args);
    },
    removeBan: (s: string, u: string) => state.removeBan(s, u),
    setModes: state.setModes.bind(state),
    setRules: state.setRules.bind(state),
    setGrant: state.setGrant.bind(state),
    setWarning: state.setWarning.bind(state),
    clearWarning: state.clearWarning.bind(state),
    setRestricted: state.setRestricted.bind(state),
    setPin: state.setPin.bind(state),
  };
  const older = new DecisionState(slow, registers);
  const newer = new DecisionState(state, registers);
  const ban = older.banState(stream, 'bob', null, h(1000, 0, 'us'));
  await sleep(30);
  await newer.banState(stream, 'bob', undefined, h(1000, 0, 'us-west'));
  assert.equal(await ban, true, 'the ban held when offered');
  assert.equal(await state.getBan(stream, 'bob', Date.now()), null, 'the slow gateway applied the newer unban after its own write');
});
