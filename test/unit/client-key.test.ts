import assert from 'node:assert/strict';
import { test } from 'node:test';
import { clientKey } from '../../src/http/client-address.ts';

test('IPv4 addresses are their own key; IPv6 ones share their /64; IPv4-mapped ones are the IPv4 address', () => {
  assert.equal(clientKey('203.0.113.7'), '203.0.113.7');
  assert.equal(clientKey('::ffff:203.0.113.7'), '203.0.113.7');
  assert.equal(clientKey('2001:db8:1:2:aaaa::1'), '2001:db8:1:2::/64');
  assert.equal(clientKey('2001:0DB8:0001:0002:ffff:ffff:ffff:ffff'), '2001:db8:1:2::/64');
  assert.equal(clientKey('2001:db8::1'), '2001:db8:0:0::/64');
  assert.equal(clientKey('2001:db8:0:0:1::'), '2001:db8:0:0::/64');
  assert.equal(clientKey('::1'), '0:0:0:0::/64');
  assert.equal(clientKey('fe80::1:2:3:4'), 'fe80:0:0:0::/64');
});
