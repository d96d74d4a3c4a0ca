// The contract every viewer counter passes (exact in memory; HyperLogLog in Redis).
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, test } from 'node:test';
import type { ViewerCounter } from '../../src/viewers/viewer-count.ts';

const HLL_STANDARD_ERROR = 0.0081;

export interface ViewerContractOptions {
  /**
   * An exact counter drops a viewer on their last leave; an estimating one
   * (HyperLogLog with rotation) only counts distinct viewers within its error
   * and forgets leavers when its window rotates, so the leave tests are not defined for it
   * (they do not apply, so they are left out rather than skipped).
   */
  exact: boolean;
}

export function runViewerContract(name: string, make: () => Promise<ViewerCounter>, options: ViewerContractOptions): void {
  // Tests that do not apply to this implementation are not defined at all.
  const whenApplies = options.exact ? test : (): void => undefined;
  describe(`ViewerCounter contract: ${name}`, () => {
    let viewers: ViewerCounter;
    let s: string;
    let other: string;

    beforeEach(async () => {
      viewers = await make();
      s = `viewers-${randomUUID()}`;
      other = `viewers-${randomUUID()}`;
    });
    afterEach(() => viewers.close());

    function assertAbout(actual: number, expected: number): void {
      // HyperLogLog (Redis: 16,384 registers) has a standard error of 0.81 %; allow three of them.
      const tolerance = options.exact ? 0 : Math.ceil(expected * 3 * HLL_STANDARD_ERROR);
      assert.ok(Math.abs(actual - expected) <= tolerance, `count ${actual}, expected ${expected} ± ${tolerance}`);
    }

    test('a stream nobody watches has 0 viewers', async () => {
      assert.equal(await viewers.count(s), 0);
    });

    test('counts distinct viewers per stream', async () => {
      for (let i = 0; i < 1000; i++) viewers.join(s, `v${i}`);
      for (let i = 0; i < 10; i++) viewers.join(other, `v${i}`);
      assertAbout(await viewers.count(s), 1000);
      assertAbout(await viewers.count(other), 10);
    });

    test('a viewer who joins twice (two tabs) counts once', async () => {
      viewers.join(s, 'ann');
      viewers.join(s, 'ann');
      viewers.join(s, 'bo');
      assert.equal(await viewers.count(s), 2);
    });

    test('heartbeats keep joined viewers counted', async () => {
      viewers.join(s, 'ann');
      viewers.join(s, 'bo');
      viewers.heartbeat(s, ['ann', 'bo']);
      viewers.heartbeat(s, new Set(['ann']));
      assert.equal(await viewers.count(s), 2);
    });

    whenApplies('a viewer must leave as often as they joined', async () => {
      viewers.join(s, 'ann');
      viewers.join(s, 'ann');
      viewers.join(s, 'bo');
      viewers.leave(s, 'ann');
      assert.equal(await viewers.count(s), 2);
      viewers.leave(s, 'ann');
      assert.equal(await viewers.count(s), 1);
      viewers.leave(s, 'bo');
      assert.equal(await viewers.count(s), 0);
    });

    whenApplies('leaving a stream one never joined changes nothing', async () => {
      viewers.join(s, 'ann');
      viewers.leave(s, 'bo');
      viewers.leave(other, 'ann');
      assert.equal(await viewers.count(s), 1);
      assert.equal(await viewers.count(other), 0);
      viewers.leave(s, 'ann');
      viewers.leave(s, 'ann');
      assert.equal(await viewers.count(s), 0);
      // A stray extra leave must not make the next join count zero.
      viewers.join(s, 'ann');
      assert.equal(await viewers.count(s), 1);
    });
  });
}
