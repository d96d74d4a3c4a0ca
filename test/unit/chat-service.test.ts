// ChatService's decisions for one send, on the real embedded seams
// (test/support/chat-parts.ts); faults only where a backing service must fail
// or answer late.
import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import { BackendError } from '../../src/chat/backend-error.ts';
import type { BusEvent } from '../../src/bus/bus.ts';
import { ChatError } from '../../src/protocol/errors.ts';
import { openChatParts, person, type ChatParts, type ChatPartsOptions } from '../support/chat-parts.ts';
import { until } from '../support/until.ts';

const S = 'room';

async function open(t: TestContext, options: ChatPartsOptions = {}): Promise<ChatParts> {
  const parts = await openChatParts(options);
  t.after(() => parts.close());
  return parts;
}

/** Asserts that `sending` is refused with `code`; returns the refusal. */
async function refused(sending: Promise<unknown>, code: string): Promise<ChatError> {
  const err = await sending.then(() => assert.fail(`accepted, expected ${code}`), (e: unknown) => e);
  assert.ok(err instanceof ChatError, `a ChatError, got ${String(err)}`);
  assert.equal(err.code, code, err.message);
  return err;
}

/** The refusals counted `overloaded`, by the limit that shed them. */
async function shedCounts(parts: ChatParts): Promise<Record<string, number>> {
  const { values } = await parts.metrics.refused.get();
  return Object.fromEntries(values.filter((v) => v.labels.code === 'overloaded').map((v) => [String(v.labels.shed_by), v.value]));
}

const liveTexts = (events: BusEvent[]): string[] => events.flatMap((e) => (e.kind === 'msg' ? [e.message.text] : []));

test('an accepted send is stamped by the broker, stored and published, and acked with its seq and badges', async (t) => {
  const parts = await open(t);
  const events = await parts.watch(S);
  const accepted = await parts.chat.send(person('alice', ['subscriber']), S, '  hello   there ');
  assert.equal(accepted.seq, 1);
  assert.equal(accepted.sampled, false);
  assert.equal(accepted.ts, parts.clock.now);
  assert.deepEqual(accepted.user.badges, ['subscriber']);
  const [stored] = (await parts.broker.seam.latest(S, 10)).messages;
  // Alice's first line in the stream carries the first-time mark.
  assert.deepEqual(stored, { id: accepted.id, stream: S, seq: 1, ts: accepted.ts, user: accepted.user, text: 'hello there', first: true });
  await until(() => liveTexts(events).length === 1, 'the message live');
  assert.deepEqual(liveTexts(events), ['hello there']);
});

test('no identity, a bad stream name and an oversized raw text are refused before any state or broker work', async (t) => {
  const parts = await open(t);
  // Were any of these checked after the state call, they would be `unavailable` instead.
  parts.state.fail('checkSend', new Error('state down'));
  parts.state.fail('getModes', new Error('state down'));
  await refused(parts.chat.send(null, S, 'hi'), 'unauthorized');
  await refused(parts.chat.send(person('alice'), 'no spaces allowed', 'hi'), 'invalid');
  await refused(parts.chat.send(person('alice'), 'x'.repeat(65), 'hi'), 'invalid');
  await refused(parts.chat.send(person('alice'), S, 'x'.repeat(100_000)), 'too_long');
  assert.equal(await parts.broker.seam.lastSeq(S), 0);
});

test('a send refused for its text after the state check still counts against the rate limit', async (t) => {
  const parts = await open(t, { limits: { rateLimitMessages: 2 } });
  const alice = person('alice');
  await refused(parts.chat.send(alice, S, '   '), 'invalid');
  await refused(parts.chat.send(alice, S, '\u200b'), 'invalid');
  await refused(parts.chat.send(alice, S, 'now a real line'), 'rate_limited');
});

test('overload: sends in flight beyond maxInFlight and a late event loop are refused with a retry', async (t) => {
  let lagMs = 0;
  const parts = await open(t, { limits: { maxInFlight: 1 }, loopLagMs: () => lagMs });
  const slow = parts.broker.hold('publish');
  const first = parts.chat.send(person('alice'), S, 'first');
  const busy = await refused(parts.chat.send(person('bob'), S, 'second'), 'overloaded');
  assert.equal(busy.retryAfterMs, 1_000);
  assert.equal(busy.shedBy, 'in_flight');
  slow.release();
  assert.equal((await first).seq, 1);
  parts.broker.restore('publish');
  assert.equal((await parts.chat.send(person('bob'), S, 'again')).seq, 2, 'the slot is free once the first is acked');
  lagMs = 5_000;
  assert.equal((await refused(parts.chat.send(person('bob'), S, 'late loop'), 'overloaded')).shedBy, 'loop_lag');
  lagMs = 0;
  assert.equal((await parts.chat.send(person('bob'), S, 'on time')).seq, 3);
  assert.deepEqual(await shedCounts(parts), { in_flight: 1, loop_lag: 1 }, 'counted by the limit that shed them');
});

test('a stream at maxStreamRate is refused overloaded; other streams and the next second are not', async (t) => {
  const parts = await open(t, { limits: { maxStreamRate: 3 } });
  for (let i = 0; i < 3; i++) await parts.chat.send(person(`u${i}`), S, `line ${i}`);
  assert.equal((await refused(parts.chat.send(person('late'), S, 'one more'), 'overloaded')).shedBy, 'stream_rate');
  assert.equal((await parts.chat.send(person('late', [], 'quiet'), 'quiet', 'elsewhere')).seq, 1);
  parts.clock.now += 2_000;
  assert.equal((await parts.chat.send(person('late'), S, 'a second later')).seq, 4);
});

test('a hot stream on a gateway short of CPU refuses ordinary sends before stamping; the privileged, other streams and a gateway with CPU to spare are let in', async (t) => {
  let lagMs = 300; // over hotStreamLoopLagMs (200), under maxLoopLagMs (1,000)
  const parts = await open(t, { samplingThreshold: 2, hotStreamMultiple: 2, loopLagMs: () => lagMs });
  for (let i = 0; i < 4; i++) await parts.chat.send(person(`u${i}`), S, `line ${i}`);
  const busy = await refused(parts.chat.send(person('late'), S, 'one more'), 'overloaded');
  assert.equal(busy.retryAfterMs, 2_000);
  assert.deepEqual(await shedCounts(parts), { hot_stream: 1 });
  assert.equal((await parts.broker.seam.lastSeq(S)), 4, 'the refused send was never stamped');
  assert.equal((await parts.chat.send(person('sub', ['subscriber']), S, 'kept')).seq, 5);
  assert.equal((await parts.chat.send(person('late', [], 'quiet'), 'quiet', 'elsewhere')).seq, 1);
  lagMs = 0;
  assert.equal((await parts.chat.send(person('late'), S, 'with CPU to spare')).seq, 6);
});

test('sends whose checks queue past sendLatencyTargetMs turn a share of ordinary sends away at the door; moderators get in; quick sends open it again', async (t) => {
  const parts = await open(t); // the door at 500 ms, 500 ms intervals
  const slow = parts.state.hold('checkSend');
  const queued = Array.from({ length: 10 }, (_, i) => parts.chat.send(person(`q${i}`), S, `waited ${i}`));
  parts.clock.now += 600; // each counts from its arrival, taken before its first await
  slow.release();
  await Promise.all(queued);
  parts.state.restore('checkSend');
  parts.clock.now += 500; // the interval ends: all of its ten sends took 600 ms to their check
  const answers = await Promise.all(Array.from({ length: 10 }, (_, i) => parts.chat.send(person(`u${i}`), S, `line ${i}`).then(() => 'ack', (e: ChatError) => e)));
  const turnedAway = answers.filter((a): a is ChatError => a instanceof ChatError);
  assert.deepEqual(turnedAway.map((e) => [e.code, e.retryAfterMs, e.shedBy]), [['overloaded', 1_000, 'door'], ['overloaded', 1_000, 'door']], 'one in five');
  assert.deepEqual(await shedCounts(parts), { door: 2 });
  assert.equal(await parts.broker.seam.lastSeq(S), 18, 'the eight let in were stamped, the two turned away never');
  for (let i = 0; i < 5; i++) assert.ok((await parts.chat.send(person(`mod${i}`, ['moderator']), S, 'a moderator')).seq > 0);
  parts.clock.now += 1_000; // an interval of quick sends, then one with none
  for (let i = 0; i < 10; i++) assert.ok((await parts.chat.send(person(`v${i}`), S, 'open again')).seq > 0);
});

test('a slow stamp and store do not close the door: in global order the ack waits for the hold by design', async (t) => {
  const parts = await open(t);
  let atStamp = 0;
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  parts.broker.replace('publish', (real) => async (...args) => {
    atStamp++;
    await gate;
    return real(...args);
  });
  const waiting = Array.from({ length: 10 }, (_, i) => parts.chat.send(person(`g${i}`), S, `held ${i}`));
  await until(() => atStamp === 10, 'the sends past their checks, at the stamp');
  parts.clock.now += 2_000;
  release();
  await Promise.all(waiting);
  parts.broker.restore('publish');
  parts.clock.now += 500;
  for (let i = 0; i < 10; i++) assert.ok((await parts.chat.send(person(`a${i}`), S, 'after')).seq > 0);
});

test('sends failing on a backing service do not close the door: an outage answers unavailable, not overloaded', async (t) => {
  const parts = await open(t);
  const fails: Array<(err: Error) => void> = [];
  parts.state.replace('checkSend', () => () => new Promise((_, reject) => fails.push(reject)));
  const failing = Array.from({ length: 10 }, (_, i) => refused(parts.chat.send(person(`a${i}`), S, 'during the outage'), 'unavailable'));
  await until(() => fails.length === 10, 'the sends at the state call');
  parts.clock.now += 900;
  for (const fail of fails) fail(new Error('state down'));
  await Promise.all(failing);
  parts.state.restore('checkSend');
  parts.clock.now += 500;
  for (let i = 0; i < 10; i++) assert.ok((await parts.chat.send(person(`u${i}`), S, 'after')).seq > 0);
});

test('subscribers-only admits subscriber-like roles, granted ones included, and refuses the rest', async (t) => {
  const parts = await open(t);
  await parts.settings.setModes(S, { subscribersOnly: true });
  await refused(parts.chat.send(person('viewer'), S, 'hi'), 'subscribers_only');
  await refused(parts.chat.send(person('elsewhere', ['subscriber'], 'other'), S, 'hi'), 'subscribers_only');
  await parts.chat.send(person('sub', ['subscriber']), S, 'hi');
  await parts.chat.send(person('mod', ['moderator']), S, 'hi');
  await parts.grants.set(S, 'u-vip', ['vip']);
  const accepted = await parts.chat.send(person('vip'), S, 'hi');
  assert.deepEqual(accepted.user.badges, ['vip'], 'the granted role is on the line');
});

test('emote-only refuses text that is not only emotes, except from moderators', async (t) => {
  const parts = await open(t);
  await parts.settings.setModes(S, { emoteOnly: true });
  await refused(parts.chat.send(person('viewer'), S, 'Kappa hello'), 'emote_only');
  const emotes = await parts.chat.send(person('viewer'), S, 'Kappa PogChamp');
  assert.ok(emotes.seq > 0);
  const [line] = (await parts.broker.seam.latest(S, 1)).messages;
  assert.deepEqual(line!.emotes?.map((e) => e.name), ['Kappa', 'PogChamp']);
  await parts.chat.send(person('mod', ['moderator']), S, 'plain words from a moderator');
});

test('bans, timeouts, slow mode and the rate limit are the state seam\'s verdicts, with its retry time', async (t) => {
  const parts = await open(t, { limits: { rateLimitMessages: 2, rateLimitPrivilegedMessages: 4 } });
  await parts.state.seam.setBan(S, 'u-banned', { until: null });
  await parts.state.seam.setBan(S, 'u-timed', { until: parts.clock.now + 30_000 });
  await refused(parts.chat.send(person('banned'), S, 'hi'), 'banned');
  assert.equal((await refused(parts.chat.send(person('timed'), S, 'hi'), 'timed_out')).retryAfterMs, 30_000);

  await parts.chat.send(person('fast'), S, 'one');
  await parts.chat.send(person('fast'), S, 'two');
  assert.ok((await refused(parts.chat.send(person('fast'), S, 'three'), 'rate_limited')).retryAfterMs! > 0);
  for (let i = 0; i < 4; i++) await parts.chat.send(person('mod', ['moderator']), S, `mod ${i}`);
  await refused(parts.chat.send(person('mod', ['moderator']), S, 'mod 5'), 'rate_limited');

  await parts.settings.setModes(S, { slowSeconds: 10 });
  await parts.chat.send(person('slow'), S, 'one');
  parts.clock.now += 4_000;
  assert.equal((await refused(parts.chat.send(person('slow'), S, 'two'), 'slow_mode')).retryAfterMs, 6_000);
  await parts.chat.send(person('broadcaster', ['broadcaster']), S, 'one');
  await parts.chat.send(person('broadcaster', ['broadcaster']), S, 'two: exempt from slow mode');
});

test('automod: a blocked term is refused, a held term is held for moderators and never reaches the broker', async (t) => {
  const parts = await open(t, { content: { blockedTerms: ['forbiddenword'], heldTerms: ['suspicious'] } });
  await refused(parts.chat.send(person('viewer'), S, 'a forbiddenword here'), 'blocked');
  await refused(parts.chat.send(person('viewer'), S, 'rather suspicious'), 'held');
  assert.equal(await parts.broker.seam.lastSeq(S), 0, 'nothing refused or held took a seq');
  const [held] = await parts.held.list(S, parts.clock.now);
  assert.equal(held!.text, 'rather suspicious');
  assert.equal(held!.user.id, 'u-viewer');
  // Held terms do not apply to moderators.
  assert.equal((await parts.chat.send(person('mod', ['moderator']), S, 'rather suspicious')).seq, 1);

  const released = await parts.chat.approveHeld(S, held!.id);
  assert.equal(released.seq, 2);
  assert.equal(released.user.id, 'u-viewer');
  assert.equal((await parts.broker.seam.latest(S, 1)).messages[0]!.text, 'rather suspicious');
  await refused(parts.chat.approveHeld(S, held!.id), 'invalid');
});

test('the ack waits for the broker: a send resolves only once the broker\'s publish has', async (t) => {
  const parts = await open(t);
  const events = await parts.watch(S);
  const slow = parts.broker.hold('publish');
  let acked = false;
  const sending = parts.chat.send(person('alice'), S, 'hello').then((accepted) => {
    acked = true;
    return accepted;
  });
  // The embedded broker publishes once the message is durable, inside its publish: stored and live, not yet answered.
  await until(() => liveTexts(events).length === 1, 'the broker to have stored and published it');
  assert.equal(await parts.broker.seam.lastSeq(S), 1);
  assert.equal(acked, false, 'no ack while the broker has not answered');
  slow.release();
  assert.equal((await sending).seq, 1);
});

test('a broker failure is `unavailable` with a reference the server log has, and no internals for the client', async (t) => {
  const parts = await open(t, { limits: { maxInFlight: 1 } });
  parts.broker.fail('publish', new Error('kafka at 10.1.2.3:9092 refused'));
  const err = await refused(parts.chat.send(person('alice'), S, 'hello'), 'unavailable');
  assert.ok(err instanceof BackendError);
  assert.equal(err.retryAfterMs, 1_000);
  assert.ok(err.message.includes(err.ref), err.message);
  assert.ok(!err.message.includes('10.1.2.3'), err.message);
  const line = parts.logged.find((l) => l.ref === err.ref);
  assert.ok(line !== undefined, 'the server log has the reference');
  assert.match(JSON.stringify(line.err), /10\.1\.2\.3/);
  assert.equal(line.stream, S);
  parts.broker.restore('publish');
  // The failed send left no slot taken (maxInFlight is 1).
  assert.equal((await parts.chat.send(person('alice'), S, 'again')).seq, 1);
});

test('a state store that fails, at the send check or the role and mode reads, is `unavailable` too', async (t) => {
  const parts = await open(t);
  for (const method of ['checkSend', 'getGrants', 'getModes'] as const) {
    parts.state.fail(method, new Error(`redis: ${method} timed out`));
    const err = await refused(parts.chat.send(person('alice'), S, 'hello'), 'unavailable');
    assert.ok(!err.message.includes('redis'), err.message);
    assert.ok(parts.logged.some((l) => l.ref === (err as BackendError).ref));
    parts.state.restore(method);
    parts.clock.now += 5_000; // past the grants' and settings' read cache, so the next send reads again
  }
  assert.equal((await parts.chat.send(person('alice'), S, 'hello')).seq, 1);
  assert.equal(await parts.broker.seam.lastSeq(S), 1, 'nothing refused reached the broker');
});

test('above the sampling threshold ordinary sends are stored but not broadcast; badged senders always are', async (t) => {
  const parts = await open(t, { samplingThreshold: 2 });
  const events = await parts.watch(S);
  const ordinary = [];
  for (let i = 0; i < 12; i++) ordinary.push(await parts.chat.send(person(`v${i}`), S, `ordinary ${i}`));
  const sampled = ordinary.filter((a) => a.sampled);
  assert.ok(sampled.length > 0 && sampled.length < ordinary.length, `some sampled out: ${sampled.length}`);
  for (let i = 0; i < 5; i++) assert.equal((await parts.chat.send(person('sub', ['subscriber']), S, `sub ${i}`)).sampled, false);
  const broadcast = ordinary.length - sampled.length + 5;
  await until(() => liveTexts(events).length === broadcast, 'every broadcast message live');
  const live = new Set(events.flatMap((e) => (e.kind === 'msg' ? [e.message.id] : [])));
  for (const a of sampled) assert.ok(!live.has(a.id), 'a sampled message is never live');
  const replay = await parts.broker.seam.range(S, 0, parts.clock.now + 1, 100, true);
  assert.equal(replay.length, ordinary.length + 5, 'every message is stored, sampled ones for moderator replay');
});
