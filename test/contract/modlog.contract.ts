// The contract every audit log passes (SQLite embedded, a Kafka topic in
// cluster mode). Each test opens fresh storage; `open` may be called again
// after `close` to simulate a restart. The clock is the test's.
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, test } from 'node:test';
import type { ModlogStore, ModlogStoreOptions } from '../../src/modlog/modlog-store.ts';
import type { ModlogAction, ModlogEntry } from '../../src/protocol/modlog-entry.ts';

export interface ModlogHarness {
  open(options: ModlogStoreOptions): Promise<ModlogStore>;
  cleanup(): Promise<void>;
}

const HOUR = 3_600_000;

function entry(stream: string, action: ModlogAction, ts: number, user?: string): Omit<ModlogEntry, 'cursor'> {
  return { action, ...(user === undefined ? {} : { user: { id: user, name: user } }), stream, ts, seq: ts, actor: { id: 'm', name: 'mod' } };
}

export function runModlogContract(name: string, createHarness: () => Promise<ModlogHarness>): void {
  describe(`Modlog contract: ${name}`, () => {
    let harness: ModlogHarness;
    let modlog: ModlogStore;
    const clock = { now: 1_000_000 };
    const options = (overrides: Partial<ModlogStoreOptions> = {}): ModlogStoreOptions => ({ retentionMs: HOUR, maxPerStream: 100, now: () => clock.now, ...overrides });

    beforeEach(async () => {
      harness = await createHarness();
      clock.now = Date.now();
    });
    afterEach(async () => {
      await modlog.close();
      await harness.cleanup();
    });

    test('an entry is stored whole, with a cursor; pages run newest first by cursor; kept across a reopen', async () => {
      modlog = await harness.open(options());
      const t = clock.now;
      const first = await modlog.append({ ...entry('s', 'timeout', t, 'u1'), message: 'm1', reason: 'rude', detail: '600 s' });
      assert.deepEqual(first, { cursor: first.cursor, ...entry('s', 'timeout', t, 'u1'), message: 'm1', reason: 'rude', detail: '600 s' });
      const cursors = [first.cursor];
      for (const action of ['ban', 'unban', 'modes', 'pin'] as const) cursors.push((await modlog.append(entry('s', action, t + cursors.length, 'u2'))).cursor);
      await modlog.append(entry('other', 'ban', t, 'u1'));
      assert.deepEqual([...cursors].sort((a, b) => a - b), cursors, 'cursors grow');
      const page1 = await modlog.page('s', { limit: 2 });
      assert.deepEqual(page1.map((e) => e.action), ['pin', 'modes']);
      const page2 = await modlog.page('s', { limit: 2, before: page1[1]!.cursor });
      assert.deepEqual(page2.map((e) => e.action), ['unban', 'ban']);
      const page3 = await modlog.page('s', { limit: 2, before: page2[1]!.cursor });
      assert.deepEqual(page3, [first]);
      assert.deepEqual(await modlog.page('s', { limit: 2, before: first.cursor }), []);
      await modlog.close();
      modlog = await harness.open(options());
      assert.deepEqual(await modlog.page('s', { limit: 10 }), [...page1, ...page2, ...page3]);
      assert.deepEqual(await modlog.page('nobody', { limit: 10 }), []);
    });

    test('a page may be about one user only', async () => {
      modlog = await harness.open(options());
      const t = clock.now;
      await modlog.append(entry('s', 'timeout', t, 'u1'));
      await modlog.append(entry('s', 'modes', t + 1));
      await modlog.append(entry('s', 'ban', t + 2, 'u2'));
      await modlog.append(entry('s', 'unban', t + 3, 'u1'));
      await modlog.append(entry('other', 'ban', t + 4, 'u1'));
      assert.deepEqual((await modlog.page('s', { limit: 10, user: 'u1' })).map((e) => e.action), ['unban', 'timeout']);
      const [newest] = await modlog.page('s', { limit: 1, user: 'u1' });
      assert.deepEqual((await modlog.page('s', { limit: 10, user: 'u1', before: newest!.cursor })).map((e) => e.action), ['timeout']);
    });

    test('bounded: a stream keeps its newest maxPerStream, and nothing older than the retention is read', async () => {
      modlog = await harness.open(options({ maxPerStream: 3 }));
      const t = clock.now;
      for (let i = 0; i < 5; i++) await modlog.append(entry('s', 'ban', t + i, `u${i}`));
      assert.deepEqual((await modlog.page('s', { limit: 10 })).map((e) => e.user?.id), ['u4', 'u3', 'u2']);
      await modlog.close();
      modlog = await harness.open(options({ maxPerStream: 3 }));
      assert.deepEqual((await modlog.page('s', { limit: 10 })).map((e) => e.user?.id), ['u4', 'u3', 'u2'], 'the bound holds after a reopen');
      clock.now = t + HOUR + 4; // u2 (t+2) and u3 (t+3) are older than the retention now
      assert.deepEqual((await modlog.page('s', { limit: 10 })).map((e) => e.user?.id), ['u4']);
    });
  });
}
