import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Sampler } from '../../src/chat/sampler.ts';

test('below the threshold everything is kept and sampling is off', () => {
  const sampler = new Sampler(120);
  for (let i = 0; i < 100; i++) assert.equal(sampler.keep('s', false, 1_000 + i * 10), true);
  assert.deepEqual(sampler.rateOf('s', 1_990), { perSecond: 100, sampling: false, keepRatio: 1 });
});

test('above the threshold ordinary messages are thinned to it and privileged ones all kept', () => {
  const sampler = new Sampler(100);
  let keptOrdinary = 0;
  let keptPriority = 0;
  const start = 10_000;
  // 1,000 messages a second for 5 s: one in ten from a privileged sender.
  for (let i = 0; i < 5_000; i++) {
    const priority = i % 10 === 0;
    const kept = sampler.keep('hot', priority, start + i);
    if (i < 1_000) continue; // the first second is the ramp-up
    if (priority) keptPriority += kept ? 1 : 0;
    else keptOrdinary += kept ? 1 : 0;
  }
  assert.equal(keptPriority, 400);
  // 4 s at a budget of 100/s, of which privileged senders use 100/s: nearly nothing left for the rest.
  assert.ok(keptOrdinary < 40, `kept ${keptOrdinary} ordinary`);
  const rate = sampler.rateOf('hot', start + 5_000);
  assert.equal(rate.sampling, true);
  assert.ok(rate.keepRatio < 0.05);
});

test('the kept share matches the threshold when no one is privileged, and sampling releases', () => {
  const sampler = new Sampler(100);
  let kept = 0;
  for (let i = 0; i < 4_000; i++) if (sampler.keep('s', false, 20_000 + i / 2) && i >= 2_000) kept++;
  // 2,000 ordinary messages over the last second at 2,000/s: about 100 kept.
  assert.ok(kept >= 90 && kept <= 110, `kept ${kept}`);
  assert.equal(sampler.rateOf('s', 22_000).sampling, true);
  assert.equal(sampler.rateOf('s', 25_000).sampling, false);
  assert.equal(sampler.samplingStreams(), 0);
});

test('changedRates reports each change once and forgets idle streams', () => {
  const sampler = new Sampler(100);
  sampler.keep('a', false, 1_000);
  assert.deepEqual(sampler.changedRates(1_050).map(([s]) => s), ['a']);
  assert.deepEqual(sampler.changedRates(1_060), []);
  assert.deepEqual(sampler.changedRates(3_000).map(([s, r]) => [s, r.perSecond]), [['a', 0]]);
  sampler.changedRates(20_000);
  assert.deepEqual(sampler.rateOf('a', 20_000), { perSecond: 0, sampling: false, keepRatio: 1 });
});

test('perSecond counts the last second only', () => {
  const sampler = new Sampler(100);
  for (let i = 0; i < 50; i++) sampler.keep('s', false, 5_000 + i);
  assert.equal(sampler.perSecond('s', 5_100), 50);
  assert.equal(sampler.perSecond('s', 6_200), 0);
  assert.equal(sampler.perSecond('other', 6_200), 0);
});

test('gateways sharing a stream keep the threshold between them, not each', () => {
  // Two gateways each accept half of 400 msg/s; seqs are the stream's, shared.
  const gateways = [new Sampler(100), new Sampler(100)];
  let seq = 0;
  let kept = 0;
  for (let i = 0; i < 1_600; i++) {
    const now = 30_000 + i * 2.5;
    const sampler = gateways[i % 2]!;
    const keep = sampler.keep('s', false, now);
    sampler.observeSeq('s', ++seq, now);
    if (keep && i >= 800) kept++;
  }
  // The last 2 s at a stream-wide budget of 100/s: about 200 kept in all (each alone would have kept 100/s, 400 in all).
  assert.ok(kept >= 170 && kept <= 230, `kept ${kept}`);
  // Each gateway reports the stream's rate (about 400/s, to a bucket), not its own 200/s.
  const { perSecond } = gateways[0]!.rateOf('s', 34_000);
  assert.ok(perSecond >= 350 && perSecond <= 410, `perSecond ${perSecond}`);
});

test('a fan-out over the budget lowers the stream threshold here step by step; a fast one raises it back', () => {
  const sampler = new Sampler(100, 1_000);
  let now = 50_000;
  const second = (perSecond: number): number => {
    let kept = 0;
    for (let i = 0; i < perSecond; i++) if (sampler.keep('s', false, now + (i * 1_000) / perSecond)) kept++;
    now += 1_000;
    return kept;
  };
  second(100);
  assert.equal(second(100), 100, 'at the threshold and keeping up: all kept');
  // A report a little over the budget cuts the threshold by 30 %, at most once per 500 ms.
  for (let i = 0; i < 4; i++) sampler.observeFanoutDelay('s', 1_100, now + i * 500);
  sampler.observeFanoutDelay('s', 1_100, now + 1_600); // within 500 ms of the last step: ignored
  now += 2_000;
  second(100); // the first second after a quiet spell starts unsampled
  const slowed = second(100);
  // 100 x 0.7^4 = 24 a second.
  assert.ok(slowed >= 20 && slowed <= 28, `kept ${slowed}`);
  // Twice the budget late halves it in one step.
  sampler.observeFanoutDelay('s', 2_000, now);
  second(100);
  const halved = second(100);
  assert.ok(halved >= 10 && halved <= 14, `kept ${halved}`);
  const rate = sampler.rateOf('s', now);
  assert.equal(rate.sampling, true);
  assert.ok(rate.keepRatio < 0.3, `keepRatio ${rate.keepRatio}`);
  // Never below a tenth of the threshold.
  for (let i = 0; i < 20; i++) sampler.observeFanoutDelay('s', 10_000, now + i * 500);
  now += 10_000;
  second(100);
  const floor = second(100);
  assert.ok(floor >= 8 && floor <= 12, `kept ${floor}`);
  // Delays under half the budget add 5 % of the threshold per step until it is whole again.
  for (let i = 0; i < 30; i++) sampler.observeFanoutDelay('s', 100, now + i * 500);
  now += 15_000;
  second(100);
  assert.equal(second(100), 100);
  // Between half the budget and the budget nothing changes.
  sampler.observeFanoutDelay('s', 700, now);
  assert.equal(second(100), 100);
});

test('without a fan-out budget, delays change nothing', () => {
  const sampler = new Sampler(100);
  for (let i = 0; i < 100; i++) sampler.keep('s', false, 1_000 + i * 10);
  sampler.observeFanoutDelay('s', 60_000, 2_000);
  assert.equal(sampler.rateOf('s', 2_000).sampling, false);
});

test('fanoutBehind says whether any stream\'s fan-out here is over budget, until it has grown back', () => {
  const sampler = new Sampler(100, 1_000);
  let now = 10_000;
  sampler.keep('hot', false, now);
  sampler.keep('cold', false, now);
  assert.equal(sampler.fanoutBehind(), false);
  sampler.observeFanoutDelay('hot', 3_000, now);
  assert.equal(sampler.fanoutBehind(), true);
  sampler.observeFanoutDelay('cold', 10, now);
  assert.equal(sampler.fanoutBehind(), true, 'another stream keeping up does not make up for it');
  for (let step = 0; step < 40 && sampler.fanoutBehind(); step++) {
    now += 600;
    sampler.keep('hot', false, now);
    sampler.observeFanoutDelay('hot', 10, now);
  }
  assert.equal(sampler.fanoutBehind(), false);
});

test('seqs renumbered 100,000 higher (Redis lost the counter) are not a stream of 100,000 a second', () => {
  const sampler = new Sampler(120);
  let seq = 0;
  let now = 70_000;
  let kept = 0;
  // 20 a second for 3 s; then the counter restarts 100,000 above (a Redis restart) and the stream goes on at 20 a second.
  for (let i = 0; i < 120; i++) {
    if (i === 60) seq += 100_000;
    now += 50;
    if (sampler.keep('s', false, now)) kept++;
    sampler.observeSeq('s', ++seq, now);
  }
  assert.equal(kept, 120, 'every line kept: 20 a second is under the threshold');
  const { perSecond } = sampler.rateOf('s', now);
  assert.ok(perSecond <= 25, `the rate after the jump reads ${perSecond}/s`);
});
