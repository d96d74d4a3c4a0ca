// Moderation and viewer counts crossing regions through the real MirrorMaker 2:
// three regions, each with its own Redis and Kafka, as `npm run services --
// --regions us,eu,ap --json` starts them (80 ms links; none cut), one gateway per
// region in multi-region mode. Each test has a stream of its own. Moderation
// here includes held lines: a region's queue is every region's.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { isDeepStrictEqual } from 'node:util';
import { uniquePrefix } from '../support/redis.ts';
import { SHARED_REGIONS, startRegionServices, type RunningRegions } from '../support/regions.ts';
import { chatter, devToken, startTestServer, type TestServer } from '../support/servers.ts';
import { TestClient, type Frame } from '../support/ws-client.ts';

const REGIONS = SHARED_REGIONS;
type Region = (typeof REGIONS)[number];
// MirrorMaker 2 copies the topics named `chorus.*`; topics of this run's own.
const TOPIC = `chorus.test-${randomUUID()}`;
const STREAMS = { warm: 'warm', del: 'del', ban: 'ban', race: 'race', modes: 'modes', viewers: 'viewers', standing: 'standing', pin: 'pin', held: 'held' } as const;
const MOD_ROLES = Object.fromEntries(Object.values(STREAMS).map((s) => [s, ['moderator']]));
const gateways = new Map<Region, TestServer>();
let services: RunningRegions<Region>;

before(async () => {
  services = startRegionServices(REGIONS);
  for (const region of REGIONS) {
    const { redisUrl, kafkaBrokers } = services.regions[region];
    gateways.set(region, await startTestServer([
      '--redis-url', redisUrl, '--kafka-brokers', kafkaBrokers, '--kafka-topic', TOPIC, '--kafka-partitions', '3',
      '--redis-key-prefix', uniquePrefix(), '--region', region, '--region-peers', REGIONS.filter((r) => r !== region).join(','),
      '--rate-limit-messages', '1000', '--rate-limit-user-messages', '1000', '--moderator-action-limit', '1000',
      '--held-terms', 'holdme',
    ]));
  }
}, { timeout: 900_000 });

after(async () => {
  await Promise.all([...gateways.values()].map((g) => g.stop()));
  services?.release();
});

const gateway = (region: Region): TestServer => gateways.get(region)!;

async function viewer(region: Region, stream: string): Promise<TestClient> {
  const client = await TestClient.connect(gateway(region).wsUrl);
  client.send({ type: 'join', stream });
  await client.next('joined');
  return client;
}

/** Polls until `check` holds (bounded), failing with `what`. */
async function until(what: string, check: () => boolean | Promise<boolean>, tries = 240, everyMs = 250): Promise<void> {
  for (let i = 0; i < tries; i++) {
    if (await check()) return;
    await sleep(everyMs);
  }
  assert.fail(`timed out waiting for ${what}`);
}

let sent = 0;
/** A send's outcome: `ack` or the refusal's code. Each text is new (a repeated line is refused as a duplicate). */
async function trySend(client: TestClient, stream: string): Promise<string> {
  const answer = await client.request({ type: 'send', stream, text: `line ${sent++} ${randomUUID().slice(0, 8)}` });
  return answer.type === 'ack' ? 'ack' : (answer.code as string);
}

async function mod(region: Region, stream: string, action: Record<string, unknown>): Promise<Frame> {
  const client = await chatter(gateway(region), `mod_${region}`, MOD_ROLES, stream);
  try {
    return await client.request({ type: 'mod', stream, ...action });
  } finally {
    client.close();
  }
}

test('a delete in eu retracts the line for viewers in us and ap, and from ap\'s history', { timeout: 300_000 }, async () => {
  const viewers = new Map(await Promise.all(REGIONS.map(async (r) => [r, await viewer(r, STREAMS.del)] as const)));
  const sender = await chatter(gateway('us'), 'sender_us', {}, STREAMS.del);
  // A region's first follow of a peer's lines starts at the mirror's newest: us sends until eu and ap show one.
  let id = '';
  await until('a line of us in eu and ap', async () => {
    const ack = await sender.request({ type: 'send', stream: STREAMS.del, text: `to delete ${sent++}` });
    id = ack.id as string;
    await sleep(1_000);
    return (['eu', 'ap'] as const).every((r) => viewers.get(r)!.liveMessages(STREAMS.del).some((m) => m.id === id));
  }, 120, 0);
  assert.equal((await mod('eu', STREAMS.del, { action: 'delete', id })).type, 'ack');
  for (const region of REGIONS) {
    const retract = await viewers.get(region)!.next('retract', (f) => (f.ids as string[]).includes(id), 30_000);
    assert.equal(retract.reason, 'deleted', region);
  }
  const late = await viewer('ap', STREAMS.del);
  const history = (late.frames.find((f) => f.type === 'joined')!.history as Frame[]).map((m) => m.id);
  assert.ok(!history.includes(id), 'the deleted line is gone from ap\'s history');
  for (const client of [...viewers.values(), sender, late]) client.close();
});

test('a ban in us refuses the user\'s sends in eu', { timeout: 300_000 }, async () => {
  const target = await chatter(gateway('eu'), 'banned_one', {}, STREAMS.ban);
  assert.equal(await trySend(target, STREAMS.ban), 'ack');
  const { user } = await devToken(gateway('us').url, 'banned_one');
  assert.equal((await mod('us', STREAMS.ban, { action: 'ban', user: user.id })).type, 'ack');
  await until('the ban in eu', async () => (await trySend(target, STREAMS.ban)) === 'banned');
  target.close();
});

test('a warning in us holds the user in eu until they acknowledge there; a restriction and a grant in us hold in eu', { timeout: 300_000 }, async () => {
  const stream = STREAMS.standing;
  const target = await chatter(gateway('eu'), 'standing_one', {}, stream);
  const { user } = await devToken(gateway('us').url, 'standing_one');
  assert.equal(await trySend(target, stream), 'ack');

  assert.equal((await mod('us', stream, { action: 'warn', user: user.id, reason: 'mind the rules' })).type, 'ack');
  const told = await target.next('warning', (f) => f.stream === stream, 60_000);
  assert.equal(told.reason, 'mind the rules', 'the warned user is told in their own region');
  await until('the warning in eu', async () => (await trySend(target, stream)) === 'warned');
  assert.equal((await target.request({ type: 'acknowledge', stream })).type, 'ack');
  assert.equal(await trySend(target, stream), 'ack', 'acknowledged in eu, chatting again in eu');
  const inUs = await chatter(gateway('us'), 'standing_one', {}, stream);
  await until('the acknowledgement in us', async () => (await trySend(inUs, stream)) === 'ack');

  // A restricted user's line reaches only themselves and moderators: a viewer in eu never sees it.
  assert.equal((await mod('us', stream, { action: 'restrict', user: user.id })).type, 'ack');
  const watcher = await viewer('eu', stream);
  await until('the restriction in eu', async () => {
    const ack = await target.request({ type: 'send', stream, text: `restricted? ${sent++}` });
    await sleep(1_000);
    return ack.type === 'ack' && !watcher.liveMessages(stream).some((m) => m.id === ack.id);
  }, 60, 0);

  // The broadcaster in us makes the user a moderator: in eu they may delete a line.
  const broadcaster = await chatter(gateway('us'), 'standing_owner', { [stream]: ['broadcaster'] }, stream);
  assert.equal((await broadcaster.request({ type: 'mod', stream, action: 'grant', user: user.id, role: 'moderator' })).type, 'ack');
  const other = await chatter(gateway('eu'), 'standing_other', {}, stream);
  await until('the grant in eu', async () => {
    const line = await other.request({ type: 'send', stream, text: `delete me ${sent++}` });
    return (await target.request({ type: 'mod', stream, action: 'delete', id: line.id })).type === 'ack';
  }, 60, 1_000);
  for (const client of [target, inUs, watcher, broadcaster, other]) client.close();
});

test('a line held in us is listed in eu and ap; approved in eu it goes out once, denied in ap another leaves every queue', { timeout: 300_000 }, async () => {
  const stream = STREAMS.held;
  const author = await chatter(gateway('us'), 'held_author', {}, stream);
  const inUs = await viewer('us', stream);
  // The approved line comes to us from eu: eu's lines first reach us from the mirror's newest on.
  const warm = await chatter(gateway('eu'), 'held_warm', {}, stream);
  await until('a line of eu in us', async () => {
    const ack = await warm.request({ type: 'send', stream, text: `warm ${sent++}` });
    await sleep(1_000);
    return inUs.liveMessages(stream).some((m) => m.id === ack.id);
  }, 120, 0);
  for (const text of ['holdme approve', 'holdme deny']) assert.equal((await author.request({ type: 'send', stream, text })).code, 'held');
  const queue = async (region: Region): Promise<Array<{ id: string; text: string }>> => {
    const { token } = await devToken(gateway(region).url, `mod_${region}`, MOD_ROLES);
    const res = await fetch(`${gateway(region).url}/api/streams/${stream}/held`, { headers: { authorization: `Bearer ${token}` } });
    assert.equal(res.status, 200);
    return ((await res.json()) as { held: Array<{ id: string; text: string }> }).held.filter((h) => h.text.startsWith('holdme'));
  };
  await until('both held lines listed in every region', async () => (await Promise.all(REGIONS.map(queue))).every((q) => q.length === 2));
  const byText = new Map((await queue('eu')).map((h) => [h.text, h.id]));
  assert.deepEqual(new Map((await queue('ap')).map((h) => [h.text, h.id])), byText, 'one line, one id, in every region');
  assert.equal((await mod('eu', stream, { action: 'approve', id: byText.get('holdme approve') })).type, 'ack');
  assert.equal((await mod('ap', stream, { action: 'deny', id: byText.get('holdme deny') })).type, 'ack');
  const shown = await inUs.next('msg', (f) => f.text === 'holdme approve', 60_000);
  assert.equal(shown.reviewed, true, 'approved in eu, shown in us');
  await until('both out of every region\'s queue', async () => (await Promise.all(REGIONS.map(queue))).every((q) => q.length === 0));
  const outcomes = await Promise.all(['approved', 'denied'].map((outcome) => author.next('reviewed', (f) => f.outcome === outcome, 60_000)));
  assert.deepEqual(outcomes.map((f) => f.text), ['holdme approve', 'holdme deny'], 'the author in us learns both');
  assert.equal((await mod('us', stream, { action: 'approve', id: byText.get('holdme deny') })).code, 'invalid', 'denied in ap, gone in us');
  assert.equal(inUs.liveMessages(stream).filter((m) => m.text === 'holdme approve').length, 1, 'shown once');
  for (const client of [author, inUs, warm]) client.close();
});

test('a pin in us shows in eu with eu\'s copy of the line (its seq), and an unpin in eu clears it in us', { timeout: 300_000 }, async () => {
  const stream = STREAMS.pin;
  const [inUs, inEu] = await Promise.all([viewer('us', stream), viewer('eu', stream)]);
  const sender = await chatter(gateway('us'), 'pin_sender', {}, stream);
  let id = '';
  await until('a line of us in eu', async () => {
    id = (await sender.request({ type: 'send', stream, text: `pin me ${sent++}` })).id as string;
    await sleep(1_000);
    return inEu.liveMessages(stream).some((m) => m.id === id);
  }, 120, 0);
  const euSeq = inEu.liveMessages(stream).find((m) => m.id === id)!.seq;
  assert.equal((await mod('us', stream, { action: 'pin', id })).type, 'ack');
  const pinned = (f: Frame): Frame | undefined => f.pinned as Frame | undefined;
  const shown = await inEu.next('state', (f) => (pinned(f)?.message as Frame | undefined)?.id === id, 60_000);
  assert.equal(((pinned(shown)!.message) as Frame).seq, euSeq, 'eu pins its own copy of the line');
  const inUsPinned = await inUs.next('state', (f) => (pinned(f)?.message as Frame | undefined)?.id === id, 60_000);
  assert.equal((await mod('eu', stream, { action: 'unpin' })).type, 'ack');
  // A state frame without `pinned` after the one with it: unpinned in us.
  const after = inUs.frames.indexOf(inUsPinned);
  await inUs.next('state', (f) => inUs.frames.indexOf(f) > after && f.pinned === undefined, 60_000);
  for (const client of [inUs, inEu, sender]) client.close();
});

test('a ban in ap and an unban in us at once end the same in every region', { timeout: 300_000 }, async () => {
  const { user } = await devToken(gateway('us').url, 'contested');
  const targets = new Map(await Promise.all(REGIONS.map(async (r) => [r, await chatter(gateway(r), 'contested', {}, STREAMS.race)] as const)));
  const outcomes = async (): Promise<string[]> => Promise.all(REGIONS.map((r) => trySend(targets.get(r)!, STREAMS.race)));
  // Three rounds, each starting from the user banned everywhere.
  for (let round = 0; round < 3; round++) {
    assert.equal((await mod('eu', STREAMS.race, { action: 'ban', user: user.id })).type, 'ack');
    await until('the ban everywhere', async () => (await outcomes()).every((o) => o === 'banned'));
    const [unban, ban] = await Promise.all([mod('us', STREAMS.race, { action: 'unban', user: user.id }), mod('ap', STREAMS.race, { action: 'timeout', user: user.id, seconds: 600 })]);
    assert.equal(unban.type, 'ack');
    assert.equal(ban.type, 'ack');
    // Converged: the same answer in every region, three times over a few seconds (each decision has crossed by then).
    let agreed = 0;
    await until('every region to agree', async () => {
      const now = await outcomes();
      agreed = now.every((o) => o === now[0]) ? agreed + 1 : 0;
      return agreed >= 3;
    }, 120, 1_000);
  }
  for (const client of targets.values()) client.close();
});

test('modes set in ap show in us\'s and eu\'s state', { timeout: 300_000 }, async () => {
  const watchers = await Promise.all((['us', 'eu'] as const).map((r) => viewer(r, STREAMS.modes)));
  assert.equal((await mod('ap', STREAMS.modes, { action: 'modes', modes: { emoteOnly: true, slowSeconds: 7 } })).type, 'ack');
  for (const watcher of watchers) {
    const state = await watcher.next('state', (f) => f.modes?.emoteOnly === true, 60_000);
    assert.equal(state.modes.slowSeconds, 7);
    watcher.close();
  }
  // A new viewer in us reads them from us's own state.
  const late = await viewer('us', STREAMS.modes);
  const joined = late.frames.find((f) => f.type === 'joined')!;
  assert.equal(joined.state.modes.emoteOnly, true);
  late.close();
});

test('viewers in two regions: state.viewers is the global count, viewersByRegion the breakdown', { timeout: 300_000 }, async () => {
  // Ann watches in us and in eu: she counts once over all regions, once in each region.
  const watchers = [
    await chatter(gateway('us'), 'ann', {}, STREAMS.viewers),
    await chatter(gateway('us'), 'bo', {}, STREAMS.viewers),
    await chatter(gateway('eu'), 'ann', {}, STREAMS.viewers),
    await chatter(gateway('eu'), 'cy', {}, STREAMS.viewers),
  ];
  const want = { viewers: 3, viewersByRegion: { us: 2, eu: 2, ap: 0 } };
  /** The newest State the client has: `joined` carries it in `state`, a `state` frame is one. */
  const latest = (client: TestClient): Frame => {
    const states = client.frames.flatMap((f) => (f.type === 'joined' ? [f.state as Frame] : f.type === 'state' ? [f] : []));
    return states.at(-1)!;
  };
  const shown = (client: TestClient) => ({ viewers: latest(client).viewers, viewersByRegion: latest(client).viewersByRegion });
  const observers = [watchers[0]!, watchers[2]!];
  await until('the global count in us and eu', () => observers.every((c) => isDeepStrictEqual(shown(c), want))).catch(() => {
    assert.deepEqual(observers.map(shown), [want, want]);
  });
  // ap's viewer is the only one there, and ap counts everyone elsewhere too.
  const inAp = await viewer('ap', STREAMS.viewers);
  const inApWant = { viewers: 4, viewersByRegion: { us: 2, eu: 2, ap: 1 } };
  await until('the count in ap', () => isDeepStrictEqual(shown(inAp), inApWant)).catch(() => {
    assert.deepEqual(shown(inAp), inApWant);
  });
  for (const client of [...watchers, inAp]) client.close();
});
