// Fault: one of three gateway processes behind HAProxy is killed with
// SIGKILL while chat flows. Its viewers reconnect through the load balancer
// to another gateway and resume with `since`: no acknowledged line is lost
// to any viewer, none is shown twice, and seqs only increase.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { ResumingViewer, Sender, viewerProblems } from '../support/chat-flow.ts';
import { clusterEnv, spawnGateway } from '../support/cluster.ts';
import { startLoadBalancer, type LoadBalancer } from '../support/load-balancer.ts';
import { chatter, type ChildServer } from '../support/servers.ts';

const STREAM = 'kill-fault';
const VIEWERS = 12;
const FLAGS = ['--rate-limit-messages', '100000', '--rate-limit-user-messages', '100000', '--inbound-frames-per-second', '1000'];
let gateways: ChildServer[] = [];
let balancer: LoadBalancer;

before(async () => {
  const env = await clusterEnv();
  gateways = await Promise.all([0, 1, 2].map(() => spawnGateway(env, FLAGS)));
  balancer = await startLoadBalancer(gateways.map((g) => g.port));
});

after(async () => {
  await balancer?.close();
  await Promise.all(gateways.map((g) => g.stop()));
});

test('a gateway killed with SIGKILL: its viewers resume on the others through HAProxy, nothing lost, nothing twice', async (t) => {
  const viewers: ResumingViewer[] = [];
  for (let i = 0; i < VIEWERS; i++) viewers.push(await ResumingViewer.open(balancer.wsUrl, STREAM));
  // One sender on each gateway: the doomed one's sends stop with it; the others' go on.
  const senders = await Promise.all(gateways.map(async (g, i) => new Sender(await chatter(g, `sender${i}`, {}, STREAM), STREAM, `via ${i}`)));
  for (const sender of senders) sender.start(40, 60_000);
  await sleep(1_500);

  const victim = gateways[0]!;
  victim.child.kill('SIGKILL');
  const killedAt = Date.now();
  await victim.exited;
  await sleep(4_000);
  for (const sender of senders) await sender.stop();
  await sleep(1_000);

  const moved = viewers.filter((v) => v.reconnects > 0);
  const resumedAfter = moved.map((v) => v.joinedAt.at(-1)! - killedAt);
  const acked = senders.flatMap((s) => s.acked());
  t.diagnostic(`${moved.length} of ${VIEWERS} viewers were on the killed gateway; resumed elsewhere ${Math.min(...resumedAfter)}-${Math.max(...resumedAfter)} ms after the kill`);
  t.diagnostic(`acknowledged ${acked.length} lines (${senders[0]!.acked().length} by the killed gateway before it died)`);
  assert.ok(moved.length > 0, 'some viewers were on the killed gateway');
  assert.ok(moved.every((v) => v.joinedAt.length >= 2), 'every moved viewer joined again');
  assert.ok(senders.slice(1).every((s) => s.acked().some((r) => r.at > killedAt + 1_000)), 'the other gateways kept accepting');
  for (const [i, viewer] of viewers.entries()) assert.deepEqual(viewerProblems(viewer, acked), [], `viewer ${i}`);
  for (const viewer of viewers) viewer.close();
  for (const sender of senders.slice(1)) sender.client.close();
});
