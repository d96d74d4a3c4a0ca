// What MemoryBus does beyond the Bus contract.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { BusEvent } from '../../src/bus/bus.ts';
import { MemoryBus } from '../../src/bus/memory-bus.ts';

const event: BusEvent = { kind: 'retract', ids: ['a'], reason: 'deleted' };

test('a throwing handler is reported with its stream', async () => {
  const reported: Array<[unknown, string]> = [];
  const bus = new MemoryBus({ onHandlerError: (error, stream) => reported.push([error, stream]) });
  const failure = new Error('handler bug');
  await bus.subscribe('s', () => {
    throw failure;
  });
  await bus.publish('s', event);
  assert.deepEqual(reported, [[failure, 's']]);
  await bus.close();
});

test('delivery is synchronous, so a subscriber has the event when publish resolves', async () => {
  const bus = new MemoryBus();
  const seen: BusEvent[] = [];
  await bus.subscribe('s', (_stream, e) => seen.push(e));
  const published = bus.publish('s', event);
  assert.deepEqual(seen, [event]);
  await published;
  await bus.close();
});

test('a handler unsubscribed by an earlier handler of the same event does not get it', async () => {
  const bus = new MemoryBus();
  const seen: string[] = [];
  let unsubscribeSecond = async (): Promise<void> => {};
  await bus.subscribe('s', () => {
    seen.push('first');
    void unsubscribeSecond();
  });
  unsubscribeSecond = await bus.subscribe('s', () => seen.push('second'));
  await bus.publish('s', event);
  assert.deepEqual(seen, ['first']);
  await bus.close();
});
