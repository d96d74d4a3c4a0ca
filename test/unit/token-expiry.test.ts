import { mock, test } from 'node:test';
import assert from 'node:assert/strict';
import { TokenExpiry } from '../../src/session/token-expiry.ts';

test('a token expiry fires once at exp, also past the longest setTimeout delay; re-arming replaces it, clearing stops it', (t) => {
  mock.timers.enable({ apis: ['setTimeout', 'Date'], now: 1_000_000 });
  t.after(() => mock.timers.reset());
  let fired = 0;
  const expiry = new TokenExpiry(() => fired++);

  const thirtyDays = 30 * 86_400_000;
  expiry.arm(Date.now() + thirtyDays);
  mock.timers.tick(2_147_483_647);
  assert.equal(fired, 0, 'a delay over 2^31-1 ms must not fire at once or early');
  mock.timers.tick(thirtyDays - 2_147_483_647);
  assert.equal(fired, 1);

  expiry.arm(Date.now() + 1_000);
  expiry.arm(Date.now() + 5_000);
  mock.timers.tick(1_000);
  assert.equal(fired, 1, 'the renewal replaced the first expiry');
  mock.timers.tick(4_000);
  assert.equal(fired, 2);

  expiry.arm(Date.now() + 1_000);
  expiry.clear();
  expiry.arm(undefined);
  mock.timers.tick(10_000);
  assert.equal(fired, 2);
});
