// The contract every shared-state store passes (memory and Redis).
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { DEFAULT_MODES, DEFAULT_RULES, type Pin, type Role } from '../../src/protocol/types.ts';
import { GrantLimitError, MAX_GRANTS_PER_STREAM, type LineCheck, type LineVerdict, type SendCheck, type SendVerdict, type StateStore, type TokenRolesRecord } from '../../src/state/state.ts';

/** One empty store; `open` may be called again after `close` to simulate a restart. */
export interface StateHarness {
  open(): Promise<StateStore>;
  cleanup(): Promise<void>;
}

export interface StateContractOptions {
  /**
   * Whether two stores opened at once from one harness share their state, as
   * gateways on one Redis do. The embedded store is one process's own, so the
   * tests of sharing are not defined for it (they do not apply, so they are
   * left out rather than skipped).
   */
  shared: boolean;
}

export function runStateContract(name: string, createHarness: () => Promise<StateHarness>, options: StateContractOptions): void {
  // Tests that do not apply to this implementation are not defined at all.
  const whenApplies = options.shared ? test : (): void => undefined;
  describe(`StateStore contract: ${name}`, () => {
    let harness: StateHarness;
    let state: StateStore;
    let s: string;
    let other: string;
    // Real time as the base, so a store that expires keys by its own clock agrees with `now`.
    let t0: number;

    beforeEach(async () => {
      harness = await createHarness();
      state = await harness.open();
      s = `state-${randomUUID()}`;
      other = `state-${randomUUID()}`;
      t0 = Date.now();
    });
    afterEach(async () => {
      await state.close();
      await harness.cleanup();
    });

    function send(at: number, overrides: Partial<SendCheck> = {}): Promise<SendVerdict> {
      return state.checkSend({ stream: s, userId: 'u1', now: t0 + at, slowSeconds: 0, rateMax: 100, rateWindowMs: 1000, ...overrides });
    }

    describe('checkSend', () => {
      test('sliding window: at most rateMax in any rateWindowMs, retryAfterMs until the oldest leaves', async () => {
        const limit = { rateMax: 3, rateWindowMs: 1000 };
        assert.deepEqual(await send(0, limit), { ok: true });
        assert.deepEqual(await send(100, limit), { ok: true });
        assert.deepEqual(await send(200, limit), { ok: true });
        assert.deepEqual(await send(300, limit), { ok: false, code: 'rate_limited', retryAfterMs: 700 });
        assert.deepEqual(await send(999, limit), { ok: false, code: 'rate_limited', retryAfterMs: 1 });
        // The send at 0 has left the window (sends at 100 and 200 remain).
        assert.deepEqual(await send(1000, limit), { ok: true });
        assert.deepEqual(await send(1001, limit), { ok: false, code: 'rate_limited', retryAfterMs: 99 });
        assert.deepEqual(await send(1100, limit), { ok: true });
        assert.deepEqual(await send(1150, limit), { ok: false, code: 'rate_limited', retryAfterMs: 50 });
      });

      test('refused sends are not counted', async () => {
        const limit = { rateMax: 2, rateWindowMs: 1000 };
        assert.equal((await send(0, limit)).ok, true);
        assert.equal((await send(10, limit)).ok, true);
        for (let at = 20; at < 1000; at += 20) assert.equal((await send(at, limit)).ok, false);
        assert.deepEqual(await send(1000, limit), { ok: true });
        assert.deepEqual(await send(1010, limit), { ok: true });
        assert.deepEqual(await send(1020, limit), { ok: false, code: 'rate_limited', retryAfterMs: 980 });
      });

      test('limits are per user and per stream', async () => {
        const limit = { rateMax: 1, rateWindowMs: 1000 };
        assert.equal((await send(0, limit)).ok, true);
        assert.equal((await send(1, limit)).ok, false);
        assert.equal((await send(2, { ...limit, userId: 'u2' })).ok, true);
        assert.equal((await send(3, { ...limit, stream: other })).ok, true);
        assert.equal((await send(4, { ...limit, userId: 'u2' })).ok, false);
      });

      test('userRateMax limits a user over all streams; sends refused by their stream are not counted in it', async () => {
        const user = `u-${randomUUID()}`;
        const third = `state-${randomUUID()}`;
        const limit = { userId: user, rateMax: 10, userRateMax: 3, rateWindowMs: 1000 };
        assert.deepEqual(await send(0, { ...limit, stream: s }), { ok: true });
        assert.deepEqual(await send(100, { ...limit, stream: other }), { ok: true });
        assert.deepEqual(await send(200, { ...limit, stream: third }), { ok: true });
        assert.deepEqual(await send(300, { ...limit, stream: `state-${randomUUID()}` }), { ok: false, code: 'rate_limited', retryAfterMs: 700 });
        assert.deepEqual(await send(300, { ...limit, stream: s }), { ok: false, code: 'rate_limited', retryAfterMs: 700 });
        assert.deepEqual(await send(300, { ...limit, userId: `u-${randomUUID()}` }), { ok: true }, 'another user is not held back');
        // The send at 0 has left the window; a send its stream refuses does not take the free place.
        await state.setBan(s, user, { until: null });
        assert.deepEqual(await send(1000, { ...limit, stream: s }), { ok: false, code: 'banned' });
        assert.deepEqual(await send(1001, { ...limit, stream: third }), { ok: true });
        assert.deepEqual(await send(1002, { ...limit, stream: other }), { ok: false, code: 'rate_limited', retryAfterMs: 98 });
      });

      test('userRateMax 0 or absent switches the limit over all streams off', async () => {
        const user = `u-${randomUUID()}`;
        for (let i = 0; i < 20; i++) assert.deepEqual(await send(i, { userId: user, stream: `state-${randomUUID()}`, userRateMax: 0 }), { ok: true });
        for (let i = 0; i < 20; i++) assert.deepEqual(await send(i, { userId: user, stream: `state-${randomUUID()}` }), { ok: true });
      });

      test('rateMax 0 switches the rate limit off', async () => {
        for (let i = 0; i < 50; i++) assert.deepEqual(await send(0, { rateMax: 0 }), { ok: true });
      });

      test('slow mode: one message per slowSeconds, measured from the last accepted one', async () => {
        const slow = { slowSeconds: 2 };
        assert.deepEqual(await send(0, slow), { ok: true });
        assert.deepEqual(await send(1500, slow), { ok: false, code: 'slow_mode', retryAfterMs: 500 });
        assert.deepEqual(await send(1999, slow), { ok: false, code: 'slow_mode', retryAfterMs: 1 });
        assert.deepEqual(await send(2000, slow), { ok: true });
        assert.deepEqual(await send(2500, slow), { ok: false, code: 'slow_mode', retryAfterMs: 1500 });
        // An exempt sender (slowSeconds 0) is not held back, and is still recorded.
        assert.deepEqual(await send(2600), { ok: true });
        assert.deepEqual(await send(2700, slow), { ok: false, code: 'slow_mode', retryAfterMs: 1900 });
        assert.deepEqual(await send(2700, { ...slow, userId: 'u2' }), { ok: true });
      });

      test('a permanent ban refuses with banned, until removed', async () => {
        await state.setBan(s, 'u1', { until: null });
        const refused = await send(0);
        assert.equal(refused.ok, false);
        assert.equal(!refused.ok && refused.code, 'banned');
        assert.equal(!refused.ok && refused.retryAfterMs, undefined);
        assert.deepEqual(await send(0, { stream: other }), { ok: true });
        assert.deepEqual(await send(0, { userId: 'u2' }), { ok: true });
        assert.equal(await state.removeBan(s, 'u1'), true);
        assert.equal(await state.removeBan(s, 'u1'), false);
        // The refused send was not recorded, so slow mode does not hold the first one after the ban.
        assert.deepEqual(await send(1, { slowSeconds: 30 }), { ok: true });
      });

      test('a timeout refuses with timed_out and retryAfterMs until it ends, then lapses', async () => {
        await state.setBan(s, 'u1', { until: t0 + 5000 });
        assert.deepEqual(await send(1000), { ok: false, code: 'timed_out', retryAfterMs: 4000 });
        assert.deepEqual(await send(4999), { ok: false, code: 'timed_out', retryAfterMs: 1 });
        assert.deepEqual(await send(5000), { ok: true });
        assert.equal(await state.getBan(s, 'u1', t0 + 5000), null);
      });
    });

    describe('bans', () => {
      test('a timeout ends by itself in real time', async () => {
        await state.setBan(s, 'u1', { until: Date.now() + 300 });
        assert.equal((await state.checkSend({ stream: s, userId: 'u1', now: Date.now(), slowSeconds: 0, rateMax: 100, rateWindowMs: 1000 })).ok, false);
        await new Promise((resolve) => setTimeout(resolve, 400));
        assert.equal(await state.getBan(s, 'u1', Date.now()), null);
        assert.deepEqual(await state.checkSend({ stream: s, userId: 'u1', now: Date.now(), slowSeconds: 0, rateMax: 100, rateWindowMs: 1000 }), { ok: true });
      });

      whenApplies('a ban made through one store refuses sends checked by another on the same backend', async () => {
        const second = await harness.open();
        try {
          await state.setBan(s, 'u1', { until: null });
          const refused = await second.checkSend({ stream: s, userId: 'u1', now: t0, slowSeconds: 0, rateMax: 100, rateWindowMs: 1000 });
          assert.equal(!refused.ok && refused.code, 'banned');
          await second.setModes(s, { slowSeconds: 7 });
          assert.equal((await state.getModes(s)).slowSeconds, 7);
        } finally {
          await second.close();
        }
      });

      whenApplies('the rate window is shared: sends through two stores count together', async () => {
        const second = await harness.open();
        try {
          const limit = { rateMax: 2, rateWindowMs: 1000 };
          assert.deepEqual(await send(0, limit), { ok: true });
          assert.deepEqual(await second.checkSend({ stream: s, userId: 'u1', now: t0 + 10, slowSeconds: 0, ...limit }), { ok: true });
          assert.deepEqual(await send(20, limit), { ok: false, code: 'rate_limited', retryAfterMs: 980 });
        } finally {
          await second.close();
        }
      });

      whenApplies('the limit over all streams is shared: sends through two stores to two streams count together', async () => {
        const second = await harness.open();
        try {
          const limit = { userId: `u-${randomUUID()}`, slowSeconds: 0, rateMax: 10, userRateMax: 2, rateWindowMs: 1000 };
          assert.deepEqual(await send(0, limit), { ok: true });
          assert.deepEqual(await second.checkSend({ ...limit, stream: other, now: t0 + 10 }), { ok: true });
          assert.deepEqual(await send(20, { ...limit, stream: `state-${randomUUID()}` }), { ok: false, code: 'rate_limited', retryAfterMs: 980 });
        } finally {
          await second.close();
        }
      });

      test('getBan answers for the given time', async () => {
        assert.equal(await state.getBan(s, 'u1', t0), null);
        await state.setBan(s, 'u1', { until: t0 + 60_000 });
        await state.setBan(s, 'u2', { until: null });
        assert.deepEqual(await state.getBan(s, 'u1', t0), { until: t0 + 60_000 });
        assert.deepEqual(await state.getBan(s, 'u2', t0 + 1e9), { until: null });
        assert.equal(await state.getBan(other, 'u1', t0), null);
        assert.equal(await state.getBan(s, 'u1', t0 + 60_000), null);
      });

      test('a new ban replaces the old one', async () => {
        await state.setBan(s, 'u1', { until: null });
        await state.setBan(s, 'u1', { until: t0 + 1000 });
        assert.deepEqual(await state.getBan(s, 'u1', t0), { until: t0 + 1000 });
      });
    });

    describe('standing: warnings and restrictions', () => {
      test('a warning refuses every send with warned and its reason, uncounted, until acknowledged', async () => {
        const limit = { rateMax: 1, rateWindowMs: 1000, slowSeconds: 5 };
        assert.deepEqual(await state.getStanding(s, 'u1'), { warning: null, restricted: false });
        await state.setWarning(s, 'u1', 'mind your language');
        assert.deepEqual(await state.getStanding(s, 'u1'), { warning: 'mind your language', restricted: false });
        for (let at = 0; at < 3; at++) assert.deepEqual(await send(at, limit), { ok: false, code: 'warned', reason: 'mind your language' });
        assert.deepEqual(await send(3, { ...limit, userId: 'u2' }), { ok: true }, 'another user is not warned');
        assert.deepEqual(await send(4, { ...limit, stream: other }), { ok: true }, 'nor the user in another stream');
        assert.equal(await state.clearWarning(s, 'u1'), true);
        assert.equal(await state.clearWarning(s, 'u1'), false, 'nothing left to acknowledge');
        // The refused sends were not counted: neither slow mode nor the rate window holds this one.
        assert.deepEqual(await send(5, limit), { ok: true });
        assert.deepEqual(await state.getStanding(s, 'u1'), { warning: null, restricted: false });
      });

      test('a new warning replaces the one waiting; a ban or timeout is said first', async () => {
        await state.setWarning(s, 'u1', 'first');
        await state.setWarning(s, 'u1', 'second');
        assert.deepEqual(await send(0), { ok: false, code: 'warned', reason: 'second' });
        await state.setBan(s, 'u1', { until: null });
        assert.deepEqual(await send(1), { ok: false, code: 'banned' });
      });

      test('a restricted user\'s sends pass, marked restricted, and count as any; unrestricting ends it', async () => {
        await state.setRestricted(s, 'u1', true);
        assert.deepEqual(await state.getStanding(s, 'u1'), { warning: null, restricted: true });
        assert.deepEqual(await send(0, { rateMax: 1 }), { ok: true, restricted: true });
        assert.deepEqual(await send(1, { rateMax: 1 }), { ok: false, code: 'rate_limited', retryAfterMs: 999 });
        assert.deepEqual(await send(2, { userId: 'u2' }), { ok: true });
        assert.deepEqual(await send(3, { stream: other }), { ok: true });
        await state.setWarning(s, 'u1', 'and stop that');
        assert.deepEqual(await send(1000), { ok: false, code: 'warned', reason: 'and stop that' });
        await state.clearWarning(s, 'u1');
        assert.deepEqual(await state.getStanding(s, 'u1'), { warning: null, restricted: true }, 'acknowledging keeps the restriction');
        assert.deepEqual(await send(1001), { ok: true, restricted: true });
        await state.setRestricted(s, 'u1', false);
        assert.deepEqual(await send(1002), { ok: true });
        assert.deepEqual(await state.getStanding(s, 'u1'), { warning: null, restricted: false });
      });

      whenApplies('a warning and a restriction made through one store hold for sends checked by another (a reconnect to another gateway)', async () => {
        const second = await harness.open();
        try {
          await state.setWarning(s, 'u1', 'calm down');
          await state.setRestricted(s, 'u2', true);
          const check = { stream: s, now: t0, slowSeconds: 0, rateMax: 100, rateWindowMs: 1000 };
          assert.deepEqual(await second.checkSend({ ...check, userId: 'u1' }), { ok: false, code: 'warned', reason: 'calm down' });
          assert.deepEqual(await second.checkSend({ ...check, userId: 'u2' }), { ok: true, restricted: true });
          assert.equal(await second.clearWarning(s, 'u1'), true);
          assert.deepEqual(await state.checkSend({ ...check, userId: 'u1', now: t0 + 1 }), { ok: true });
        } finally {
          await second.close();
        }
      });
    });

    describe('modes and rules', () => {
      test('modes default, change partially, and stay per stream', async () => {
        assert.deepEqual(await state.getModes(s), DEFAULT_MODES);
        assert.deepEqual(await state.setModes(s, { slowSeconds: 30 }), { ...DEFAULT_MODES, slowSeconds: 30 });
        assert.deepEqual(await state.setModes(s, { emoteOnly: true }), { ...DEFAULT_MODES, slowSeconds: 30, emoteOnly: true });
        const spam = { uniqueChatMinutes: 10, knownForMinutes: 0, chatDelaySeconds: 4, holdFirstMessages: true };
        assert.deepEqual(await state.setModes(s, spam), { ...DEFAULT_MODES, slowSeconds: 30, emoteOnly: true, ...spam });
        assert.deepEqual(await state.setModes(s, { knownForMinutes: -1 }), { ...DEFAULT_MODES, slowSeconds: 30, emoteOnly: true, ...spam, knownForMinutes: -1 });
        assert.deepEqual(await state.getModes(s), { ...DEFAULT_MODES, slowSeconds: 30, emoteOnly: true, ...spam, knownForMinutes: -1 });
        assert.deepEqual(await state.getModes(other), DEFAULT_MODES);
        const returned = await state.getModes(s);
        returned.slowSeconds = 999;
        assert.equal((await state.getModes(s)).slowSeconds, 30);
      });

      test('modes.ordering is absent until set, then kept beside the other modes', async () => {
        assert.equal((await state.getModes(s)).ordering, undefined);
        assert.deepEqual(await state.setModes(s, { ordering: 'global' }), { ...DEFAULT_MODES, ordering: 'global' });
        assert.deepEqual(await state.setModes(s, { emoteOnly: true }), { ...DEFAULT_MODES, emoteOnly: true, ordering: 'global' });
        assert.equal((await state.setModes(s, { ordering: 'regional' })).ordering, 'regional');
        assert.equal((await state.getModes(other)).ordering, undefined);
      });

      test('rules default, are replaced whole, and stay per stream', async () => {
        assert.deepEqual(await state.getRules(s), DEFAULT_RULES);
        const rules = { blockedTerms: ['spoiler'], blockLinks: true, emotes: ['Kappa'] };
        await state.setRules(s, rules);
        rules.blockedTerms.push('changed after set');
        assert.deepEqual(await state.getRules(s), { blockedTerms: ['spoiler'], blockLinks: true, emotes: ['Kappa'] });
        assert.deepEqual(await state.getRules(other), DEFAULT_RULES);
        await state.setRules(s, { blockedTerms: [], blockLinks: false, emotes: [] });
        assert.deepEqual(await state.getRules(s), DEFAULT_RULES);
      });
    });

    describe('images', () => {
      test('emote and badge images default to none, are replaced whole, and stay per stream', async () => {
        assert.deepEqual(await state.getImages(s), { emotes: [], badges: [] });
        const images = {
          emotes: [{ name: 'catJAM', url: 'https://cdn.7tv.app/emote/1/1x.webp', animated: true }],
          badges: [{ role: 'moderator' as const, url: 'https://img.example/mod.png' }],
        };
        await state.setImages(s, images);
        images.emotes.push({ name: 'late', url: 'https://x.example/late.png', animated: false });
        assert.deepEqual(await state.getImages(s), {
          emotes: [{ name: 'catJAM', url: 'https://cdn.7tv.app/emote/1/1x.webp', animated: true }],
          badges: [{ role: 'moderator', url: 'https://img.example/mod.png' }],
        });
        assert.deepEqual(await state.getImages(other), { emotes: [], badges: [] });
        await state.setImages(s, { emotes: [], badges: [] });
        assert.deepEqual(await state.getImages(s), { emotes: [], badges: [] });
      });
    });

    describe('granted roles', () => {
      test('grants are per stream and per user, replaced whole, and an empty list revokes', async () => {
        assert.deepEqual(await state.getGrants(s), new Map());
        await state.setGrant(s, 'mod', ['moderator']);
        await state.setGrant(s, 'both', ['moderator', 'vip']);
        await state.setGrant(s, 'both', ['vip']);
        await state.setGrant(s, 'odd:user/id', ['vip']);
        assert.deepEqual(await state.getGrants(s), new Map([['mod', ['moderator']], ['both', ['vip']], ['odd:user/id', ['vip']]]));
        assert.deepEqual(await state.getGrants(other), new Map());
        await state.setGrant(s, 'mod', []);
        await state.setGrant(s, 'never-granted', []);
        assert.deepEqual([...(await state.getGrants(s)).keys()].sort(), ['both', 'odd:user/id']);
        const returned = await state.getGrants(s);
        returned.get('both')!.push('moderator');
        assert.deepEqual((await state.getGrants(s)).get('both'), ['vip']);
      });

      test(`at most ${MAX_GRANTS_PER_STREAM} users per stream; changing or revoking a granted user is always possible`, async () => {
        await Promise.all(Array.from({ length: MAX_GRANTS_PER_STREAM }, (_, i) => state.setGrant(s, `u${i}`, ['vip'])));
        await assert.rejects(state.setGrant(s, 'one-too-many', ['vip']), GrantLimitError);
        await state.setGrant(s, 'u0', ['moderator']);
        await state.setGrant(s, 'u1', []);
        await state.setGrant(s, 'now-there-is-room', ['vip']);
        assert.equal((await state.getGrants(s)).size, MAX_GRANTS_PER_STREAM);
        await state.setGrant(other, 'elsewhere', ['vip']);
      });

      test('user ids that name Object.prototype members are users like any other', async () => {
        await state.setGrant(s, '__proto__', ['vip']);
        await state.setGrant(s, 'constructor', ['moderator']);
        assert.deepEqual(await state.getGrants(s), new Map([['__proto__', ['vip']], ['constructor', ['moderator']]]));
      });
    });

    describe('token roles', () => {
      const KEEP_MS = 60_000;
      function record(at: number, userId: string, roles: Role[], overrides: Partial<TokenRolesRecord> = {}): Promise<void> {
        return state.recordTokenRoles({ stream: s, userId, roles, now: t0 + at, keepMs: KEEP_MS, maxPerStream: 100, ...overrides });
      }

      test('are read back per stream and per user, replaced by a new record, and lapse keepMs after the last one', async () => {
        assert.deepEqual(await state.getTokenRoles(s, 'mod', t0), []);
        await record(0, 'mod', ['moderator']);
        await record(0, 'caster', ['broadcaster', 'moderator']);
        await record(0, 'odd:user/id', ['moderator']);
        assert.deepEqual(await state.getTokenRoles(s, 'mod', t0 + 1), ['moderator']);
        assert.deepEqual(await state.getTokenRoles(s, 'caster', t0 + 1), ['broadcaster', 'moderator']);
        assert.deepEqual(await state.getTokenRoles(s, 'odd:user/id', t0 + 1), ['moderator']);
        assert.deepEqual(await state.getTokenRoles(other, 'mod', t0 + 1), []);
        await record(10, 'caster', ['broadcaster']);
        assert.deepEqual(await state.getTokenRoles(s, 'caster', t0 + 11), ['broadcaster']);
        // A record lapses keepMs after it was made; a later one keeps it longer.
        await record(1_000, 'mod', ['moderator']);
        assert.deepEqual(await state.getTokenRoles(s, 'odd:user/id', t0 + KEEP_MS), []);
        assert.deepEqual(await state.getTokenRoles(s, 'mod', t0 + KEEP_MS), ['moderator']);
        assert.deepEqual(await state.getTokenRoles(s, 'mod', t0 + KEEP_MS + 1_000), []);
      });

      test('at most maxPerStream users per stream: lapsed ones go first, then the one recorded longest ago', async () => {
        const max = { maxPerStream: 3 };
        await record(0, 'a', ['moderator'], max);
        await record(1, 'b', ['moderator'], max);
        await record(2, 'c', ['moderator'], max);
        await record(3, 'a', ['moderator'], max); // refreshed: now b is the oldest
        await record(4, 'd', ['moderator'], max);
        assert.deepEqual(await state.getTokenRoles(s, 'b', t0 + 5), [], 'displaced');
        for (const user of ['a', 'c', 'd']) assert.deepEqual(await state.getTokenRoles(s, user, t0 + 5), ['moderator'], user);
        // Once c's record lapsed, a new user takes its place and a and d stay.
        await record(KEEP_MS + 2, 'e', ['broadcaster'], max);
        assert.deepEqual(await state.getTokenRoles(s, 'c', t0 + KEEP_MS + 2), []);
        for (const user of ['a', 'd']) assert.deepEqual(await state.getTokenRoles(s, user, t0 + KEEP_MS + 2), ['moderator'], user);
        assert.deepEqual(await state.getTokenRoles(s, 'e', t0 + KEEP_MS + 2), ['broadcaster']);
        await record(0, 'elsewhere', ['moderator'], { ...max, stream: other });
        assert.deepEqual(await state.getTokenRoles(other, 'elsewhere', t0 + 1), ['moderator'], 'streams are bounded apart');
      });

      test('user ids that name Object.prototype members are users like any other', async () => {
        await record(0, '__proto__', ['moderator']);
        assert.deepEqual(await state.getTokenRoles(s, '__proto__', t0 + 1), ['moderator']);
        assert.deepEqual(await state.getTokenRoles(s, 'constructor', t0 + 1), []);
      });

      whenApplies('a record made through one store is read through another on the same backend', async () => {
        const second = await harness.open();
        try {
          await record(0, 'mod', ['moderator']);
          assert.deepEqual(await second.getTokenRoles(s, 'mod', t0 + 1), ['moderator']);
        } finally {
          await second.close();
        }
      });
    });

    describe('checkSend with the line\'s checks', () => {
      const HOUR = 3_600_000;
      // The line's checks alone: the send's own limits off.
      async function checkLine(store: StateStore, { stream, userId, now, ...rules }: LineCheck): Promise<LineVerdict> {
        const verdict = await store.checkSend({ stream, userId, now, slowSeconds: 0, rateMax: 0, rateWindowMs: 0, line: rules });
        if (!verdict.ok) return verdict as LineVerdict;
        return { ok: true, first: verdict.first === true, returning: verdict.returning === true };
      }
      function line(at: number, text: string, overrides: Partial<LineCheck> = {}): Promise<LineVerdict> {
        return checkLine(state, {
          stream: s, userId: 'u1', now: t0 + at, textKey: text, uniqueWindowMs: 0, uniqueMaxLines: 100, duplicateWindowMs: 0,
          knownForMs: -1, returningAfterMs: HOUR, chatterKeepMs: 24 * HOUR, maxChattersPerStream: 1_000, ...overrides,
        });
      }
      const sighting = (at: number, userId = 'u1') => state.noteSighting({ stream: s, userId, now: t0 + at, chatterKeepMs: 24 * HOUR, maxChattersPerStream: 1_000 });

      test('firstSeen is the first sighting or line of the user in the stream; null for one it never saw', async () => {
        await sighting(5, 'u1');
        await line(1_000, 'a');
        await line(2_000, 'b', { userId: 'u2' });
        assert.equal(await state.firstSeen(s, 'u1', t0 + 3_000), t0 + 5);
        assert.equal(await state.firstSeen(s, 'u2', t0 + 3_000), t0 + 2_000);
        assert.equal(await state.firstSeen(s, 'nobody', t0 + 3_000), null);
        assert.equal(await state.firstSeen(other, 'u1', t0 + 3_000), null);
      });

      test('a user\'s first line is marked first, later ones not; a line after returningAfterMs of silence is marked returning', async () => {
        assert.deepEqual(await line(0, 'a'), { ok: true, first: true, returning: false });
        assert.deepEqual(await line(1_000, 'b'), { ok: true, first: false, returning: false });
        assert.deepEqual(await line(1_000 + HOUR, 'c'), { ok: true, first: false, returning: true });
        assert.deepEqual(await line(2_000 + HOUR, 'd'), { ok: true, first: false, returning: false });
        // Per stream and per user.
        assert.deepEqual(await line(3_000 + HOUR, 'e', { stream: other }), { ok: true, first: true, returning: false });
        assert.deepEqual(await line(3_000 + HOUR, 'e', { userId: 'u2' }), { ok: true, first: true, returning: false });
        // A sighting alone (a join) is no line.
        await sighting(0, 'u3');
        assert.deepEqual(await line(10, 'f', { userId: 'u3' }), { ok: true, first: true, returning: false });
      });

      test('duplicate: the user\'s own last text within the window is refused until it passes; others and other texts pass', async () => {
        const dup = { duplicateWindowMs: 30_000 };
        assert.equal((await line(0, 'same', dup)).ok, true);
        assert.deepEqual(await line(10_000, 'same', dup), { ok: false, code: 'duplicate', retryAfterMs: 20_000 });
        assert.equal((await line(10_000, 'same', { ...dup, userId: 'u2' })).ok, true);
        assert.equal((await line(30_000, 'same', dup)).ok, true);
        assert.equal((await line(31_000, 'other', dup)).ok, true);
        assert.equal((await line(32_000, 'same', dup)).ok, true, 'only the last line counts');
        assert.equal((await line(33_000, 'same', { duplicateWindowMs: 0 })).ok, true, 'off for the exempt');
      });

      test('unique chat: a text anyone sent in the window is refused (r9k); after it, or in another stream, it passes', async () => {
        const r9k = { uniqueWindowMs: 60_000 };
        assert.equal((await line(0, 'hello', r9k)).ok, true);
        assert.deepEqual(await line(1_000, 'hello', { ...r9k, userId: 'u2' }), { ok: false, code: 'r9k' });
        assert.equal((await line(1_000, 'hello', { ...r9k, stream: other })).ok, true);
        assert.equal((await line(60_001, 'hello', { ...r9k, userId: 'u2' })).ok, true);
        // A refused text did not count as sent: after the window of the accepted one it passes.
        assert.deepEqual(await line(61_000, 'hello', r9k), { ok: false, code: 'r9k' });
        assert.equal((await line(120_002, 'hello', r9k)).ok, true);
      });

      test('unique chat keeps at most uniqueMaxLines texts per stream, the oldest going first; switched off it forgets them', async () => {
        const r9k = { uniqueWindowMs: HOUR, uniqueMaxLines: 3 };
        for (const [at, text] of ['t1', 't2', 't3', 't4'].entries()) assert.equal((await line(at, text, { ...r9k, userId: `u${at}` })).ok, true);
        assert.equal((await line(10, 't1', { ...r9k, userId: 'x' })).ok, true, 't1 was displaced by t4');
        assert.deepEqual(await line(11, 't4', { ...r9k, userId: 'y' }), { ok: false, code: 'r9k' });
        assert.equal((await line(12, 'z', { userId: 'z' })).ok, true);
        assert.equal((await line(13, 't4', { ...r9k, userId: 'w' })).ok, true, 'a line with unique chat off clears the memory');
      });

      test('account-age gate: known for knownForMs since the first sighting or the token\'s claim, whichever is older', async () => {
        const gate = { knownForMs: 60_000 };
        await sighting(0);
        await sighting(30_000);
        assert.deepEqual(await line(10_000, 'a', gate), { ok: false, code: 'followers_only', retryAfterMs: 50_000 });
        assert.equal((await line(60_000, 'a', gate)).ok, true);
        // A user first seen at their attempt starts the clock then.
        assert.deepEqual(await line(5_000, 'a', { ...gate, userId: 'new' }), { ok: false, code: 'followers_only', retryAfterMs: 60_000 });
        assert.deepEqual(await line(6_000, 'a', { ...gate, userId: 'new' }), { ok: false, code: 'followers_only', retryAfterMs: 59_000 });
        assert.equal((await line(6_000, 'a', { ...gate, userId: 'claims', knownSince: t0 - 3_600_000 })).ok, true);
        assert.equal((await line(6_000, 'b', { knownForMs: 0, userId: 'zero' })).ok, true, '0 minutes: anyone known, from now');
      });

      test('a send its own checks refuse never reaches the line\'s; a line the line\'s checks refuse still counts as a send', async () => {
        const rules = { textKey: 'hi', uniqueWindowMs: 0, uniqueMaxLines: 100, duplicateWindowMs: 60_000, knownForMs: -1, returningAfterMs: HOUR, chatterKeepMs: HOUR, maxChattersPerStream: 1_000 };
        const send = (at: number, overrides: Partial<SendCheck> = {}) => state.checkSend({ stream: s, userId: 'u1', now: t0 + at, slowSeconds: 0, rateMax: 2, rateWindowMs: 10_000, line: rules, ...overrides });
        assert.equal((await send(0, { slowSeconds: 0 })).ok, true);
        assert.deepEqual(await send(1, { slowSeconds: 60 }), { ok: false, code: 'slow_mode', retryAfterMs: 59_999 });
        assert.deepEqual(await send(2), { ok: false, code: 'duplicate', retryAfterMs: 59_998 }, 'the slow-mode refusal did not record the line again');
        assert.deepEqual(await send(3, { line: { ...rules, textKey: 'other' } }), { ok: false, code: 'rate_limited', retryAfterMs: 9_997 }, 'the duplicate counted in the window');
        const fresh = await state.checkSend({ stream: s, userId: 'u9', now: t0, slowSeconds: 0, rateMax: 2, rateWindowMs: 10_000, line: rules });
        assert.deepEqual(fresh, { ok: true, first: true, returning: false });
      });

      whenApplies('texts and chatters are shared: a text sent through one store is refused through another', async () => {
        const second = await harness.open();
        try {
          const r9k = { uniqueWindowMs: 60_000 };
          assert.equal((await line(0, 'shared', r9k)).ok, true);
          const again = await checkLine(second, {
            stream: s, userId: 'u2', now: t0 + 1, textKey: 'shared', uniqueWindowMs: 60_000, uniqueMaxLines: 100, duplicateWindowMs: 0,
            knownForMs: -1, returningAfterMs: HOUR, chatterKeepMs: HOUR, maxChattersPerStream: 1_000,
          });
          assert.deepEqual(again, { ok: false, code: 'r9k' });
          const firstElsewhere = await checkLine(second, {
            stream: s, userId: 'u1', now: t0 + 2, textKey: 'new', uniqueWindowMs: 0, uniqueMaxLines: 100, duplicateWindowMs: 0,
            knownForMs: -1, returningAfterMs: HOUR, chatterKeepMs: HOUR, maxChattersPerStream: 1_000,
          });
          assert.deepEqual(firstElsewhere, { ok: true, first: false, returning: false });
        } finally {
          await second.close();
        }
      });
    });

    describe('the pinned line', () => {
      const pinOf = (id: string, until?: number): Pin => ({
        message: { id, stream: s, seq: 1, ts: t0, user: { id: 'u1', name: 'alice', badges: [] }, text: 'pinned' },
        by: { id: 'm1', name: 'moddy' },
        at: t0,
        ...(until === undefined ? {} : { until }),
      });

      test('is none at first, one per stream, replaced by the next and gone when unpinned', async () => {
        assert.equal(await state.getPin(s, t0), null);
        await state.setPin(s, pinOf('a'));
        await state.setPin(s, pinOf('b'));
        assert.deepEqual(await state.getPin(s, t0 + 86_400_000), pinOf('b'));
        assert.equal(await state.getPin(other, t0), null);
        await state.setPin(s, null);
        assert.equal(await state.getPin(s, t0), null);
        await state.setPin(s, null);
      });

      test('with an end, is answered until then and never after', async () => {
        await state.setPin(s, pinOf('a', t0 + 60_000));
        assert.deepEqual(await state.getPin(s, t0 + 59_999), pinOf('a', t0 + 60_000));
        assert.equal(await state.getPin(s, t0 + 60_000), null);
        await state.setPin(s, pinOf('b', Date.now() + 50));
        await new Promise((resolve) => setTimeout(resolve, 120));
        assert.equal(await state.getPin(s, Date.now()), null);
      });

      whenApplies('is shared by every store on the same backend', async () => {
        const second = await harness.open();
        try {
          await state.setPin(s, pinOf('a'));
          assert.deepEqual(await second.getPin(s, t0), pinOf('a'));
          await second.setPin(s, null);
          assert.equal(await state.getPin(s, t0), null);
        } finally {
          await second.close();
        }
      });
    });

    test('modes, rules, bans, grants, warnings and restrictions survive a restart', async () => {
      await state.setWarning(s, 'warned', 'kept across restarts');
      await state.setRestricted(s, 'restricted', true);
      await state.setRestricted(s, 'lifted', true);
      await state.setRestricted(s, 'lifted', false);
      await state.setGrant(s, 'granted', ['moderator', 'vip']);
      await state.setGrant(s, 'revoked', ['vip']);
      await state.setGrant(s, 'revoked', []);
      await state.setModes(s, { slowSeconds: 10, subscribersOnly: true });
      await state.setRules(s, { blockedTerms: ['x'], blockLinks: true, emotes: [] });
      await state.setImages(s, { emotes: [{ name: 'kept', url: 'https://img.example/kept.png', animated: false }], badges: [] });
      await state.setBan(s, 'banned', { until: null });
      await state.setBan(s, 'timed', { until: t0 + 3_600_000 });
      await state.setBan(s, 'unbanned', { until: null });
      await state.removeBan(s, 'unbanned');
      await state.close();
      state = await harness.open();
      assert.deepEqual(await state.getModes(s), { ...DEFAULT_MODES, slowSeconds: 10, subscribersOnly: true });
      assert.deepEqual(await state.getRules(s), { blockedTerms: ['x'], blockLinks: true, emotes: [] });
      assert.deepEqual(await state.getImages(s), { emotes: [{ name: 'kept', url: 'https://img.example/kept.png', animated: false }], badges: [] });
      assert.deepEqual(await state.getBan(s, 'banned', t0), { until: null });
      assert.deepEqual(await state.getBan(s, 'timed', t0), { until: t0 + 3_600_000 });
      assert.equal(await state.getBan(s, 'unbanned', t0), null);
      assert.equal((await send(0, { userId: 'banned' })).ok, false);
      assert.deepEqual(await state.getGrants(s), new Map([['granted', ['moderator', 'vip']]]));
      assert.deepEqual(await state.getStanding(s, 'warned'), { warning: 'kept across restarts', restricted: false });
      assert.deepEqual(await state.getStanding(s, 'restricted'), { warning: null, restricted: true });
      assert.deepEqual(await state.getStanding(s, 'lifted'), { warning: null, restricted: false });
    });
  });
}
