// Fault: the Redis under three gateway processes dies (SIGKILL) and comes
// back empty while chat flows. Sends during the outage are refused with
// `unavailable`, never dropped; fan-out resumes on all three gateways within
// 5 s of Redis answering again; no viewer sees a line twice or out of order,
// and every acknowledged line reaches every viewer. The gateways' logs sum up
// the outage's repeated errors instead of writing each.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { ResumingViewer, Sender, viewerProblems } from '../support/chat-flow.ts';
import { clusterEnv, spawnGateway } from '../support/cluster.ts';
import { OwnRedis } from '../support/redis.ts';
import { chatter, type ChildServer } from '../support/servers.ts';

const STREAM = 'redis-fault';
const HEAL_LIMIT_MS = 5_000;
const OUTAGE_MS = 2_000;
const FLAGS = ['--rate-limit-messages', '100000', '--rate-limit-user-messages', '100000', '--inbound-frames-per-second', '1000'];
let redis: OwnRedis;
let gateways: ChildServer[] = [];

before(async () => {
  redis = await OwnRedis.start();
  const env = { ...(await clusterEnv()), CHORUS_REDIS_URL: redis.url };
  gateways = await Promise.all([0, 1, 2].map(() => spawnGateway(env, FLAGS)));
});

after(async () => {
  await Promise.all(gateways.map((g) => g.stop()));
  await redis.kill();
});

test('Redis restart under three gateways: outage sends refused, fan-out back within 5 s, nothing acknowledged missed', async (t) => {
  const viewers = await Promise.all(gateways.map((g) => ResumingViewer.open(g.wsUrl, STREAM)));
  const senders = await Promise.all(gateways.map(async (g, i) => new Sender(await chatter(g, `sender${i}`, {}, STREAM), STREAM, `via ${i}`)));
  for (const sender of senders) sender.start(50, 60_000);
  await sleep(1_000);

  await redis.kill();
  const killedAt = Date.now();
  await sleep(OUTAGE_MS);
  await redis.restart();
  const backAt = Date.now();

  // Healed: a line sent now is acknowledged and shown on every gateway.
  let healedAt = 0;
  const probe = senders[0]!;
  while (healedAt === 0 && Date.now() - backAt < HEAL_LIMIT_MS * 2) {
    const result = await probe.sendOne('probe');
    if (result.id !== undefined) {
      const shown = viewers.map((v) => waitForLine(v, result.id!));
      if ((await Promise.all(shown)).every(Boolean)) healedAt = Date.now();
    }
    if (healedAt === 0) await sleep(50);
  }
  await sleep(1_000);
  for (const sender of senders) await sender.stop();
  await sleep(500);

  const results = senders.flatMap((s) => s.results);
  const duringOutage = results.filter((r) => r.at > killedAt + 100 && r.at < backAt);
  const codes = [...new Set(duringOutage.map((r) => r.id === undefined ? r.code : 'ack'))];
  t.diagnostic(`outage ${backAt - killedAt} ms; fan-out healed ${healedAt - backAt} ms after Redis answered again`);
  t.diagnostic(`sends: ${results.length}, acknowledged ${results.filter((r) => r.id).length}; during the outage ${duringOutage.length}, answered ${codes.join(', ')} within ${Math.max(...duringOutage.map((r) => r.answerMs))} ms`);
  assert.ok(duringOutage.length > 0, 'sends were tried during the outage');
  assert.deepEqual(codes, ['unavailable'], 'every send during the outage was refused with unavailable');
  assert.ok(healedAt > 0 && healedAt - backAt <= HEAL_LIMIT_MS, `fan-out resumed within ${HEAL_LIMIT_MS} ms (took ${healedAt - backAt} ms)`);
  const acked = senders.flatMap((s) => s.acked());
  for (const [i, viewer] of viewers.entries()) assert.deepEqual(viewerProblems(viewer, acked), [], `viewer on gateway ${i}`);
  // The log stays readable: each kind of error in full once a second per gateway, its repeats summed up in one line.
  const logged = gateways.flatMap((g) => g.output.flatMap((line) => (line.startsWith('{') ? [JSON.parse(line) as { msg: string; repeated?: number }] : [])));
  const full = logged.filter((l) => l.msg === 'backend error').length;
  const repeated = logged.filter((l) => l.msg === 'backend error repeated').reduce((sum, l) => sum + l.repeated!, 0);
  const refused = results.filter((r) => r.code === 'unavailable').length;
  t.diagnostic(`log: ${full} backend errors in full, ${repeated} summed up; ${refused} sends refused unavailable`);
  assert.ok(repeated > 0 && full < refused, `an outage's repeats are summed up, not logged one by one: ${full} in full, ${repeated} summed up, ${refused} refused`);
  for (const viewer of viewers) viewer.close();
  for (const sender of senders) sender.client.close();
});

/** True once the viewer has the line (bounded wait). */
async function waitForLine(viewer: ResumingViewer, id: string): Promise<boolean> {
  const deadline = Date.now() + HEAL_LIMIT_MS;
  while (Date.now() < deadline) {
    if (viewer.lines.some((line) => line.id === id)) return true;
    await sleep(10);
  }
  return false;
}
