// What the hub tells the sampler after each fan-out: how long the flush's
// oldest line waited on this gateway. A line of this region (or of a
// single-region deployment) counts from its stamp (`ts`); a line another
// region accepted, or any line of a stream in global order (held before it
// entered this region's order), counts from its arrival here, not from its
// `ts`, which includes the link, the mirror or the hold.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_MODES, type Message } from '../../src/protocol/types.ts';
import { removeDir, tempDir } from '../support/temp-dir.ts';
import { closeAtEnd } from '../support/file-end.ts';
import { JOIN_LIVE, message, openTestHub, RecordingViewer } from '../support/stream-hub.ts';
import { until } from '../support/until.ts';

const STREAM = 'waits';
const dir = tempDir();
closeAtEnd('hub directory', () => removeDir(dir));

/** A hub in `region` whose viewer has joined; returns the fan-out delays it reports. */
async function hubIn(name: string, region: string | undefined) {
  const delays: number[] = [];
  const opened = await openTestHub(`${dir}/${name}`, {
    region,
    sampling: { rateOf: () => ({ perSecond: 0, sampling: false, keepRatio: 1 }), observeFanoutDelay: (_stream, delayMs) => void delays.push(delayMs) },
  });
  closeAtEnd('hub', () => opened.close());
  const viewer = new RecordingViewer(1);
  await opened.hub.join(STREAM, viewer, JOIN_LIVE, () => {});
  const show = async (line: Message): Promise<number> => {
    const before = delays.length;
    await opened.bus.publish(STREAM, { kind: 'msg', message: line });
    await until(() => delays.length > before, 'the fan-out delay');
    return delays.at(-1)!;
  };
  const globalOrder = () => opened.bus.publish(STREAM, { kind: 'state', state: { modes: { ...DEFAULT_MODES, ordering: 'global' } } });
  return { show, globalOrder };
}

const tenSecondsOld = (seq: number, origin?: string): Message => ({ ...message(STREAM, seq), ts: Date.now() - 10_000, ...(origin !== undefined ? { origin } : {}) });

test('in a region, a line of another origin counts from its arrival here; one of this region from its stamp', async () => {
  const { show } = await hubIn('eu', 'eu');
  assert.ok((await show(tenSecondsOld(1, 'us'))) < 5_000, 'a remote line stamped 10 s ago by its origin');
  assert.ok((await show(tenSecondsOld(2, 'eu'))) >= 10_000, 'a line of this region stamped 10 s ago');
});

test('in a region, a line of a stream in global order counts from its arrival here, its own region\'s too', async () => {
  const { show, globalOrder } = await hubIn('eu-global', 'eu');
  await globalOrder();
  assert.ok((await show(tenSecondsOld(1, 'eu'))) < 5_000, 'a line of this region held 10 s');
});

test('in one region, every line counts from its stamp', async () => {
  const { show } = await hubIn('single', undefined);
  assert.ok((await show(tenSecondsOld(1))) >= 10_000);
});
