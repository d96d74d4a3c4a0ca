import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { ClientAddresses, badAddressRanges, plainAddress } from '../../src/http/client-address.ts';

const request = (peer: string, forwardedFor?: string | string[]): IncomingMessage =>
  ({ socket: { remoteAddress: peer }, headers: forwardedFor === undefined ? {} : { 'x-forwarded-for': forwardedFor } }) as unknown as IncomingMessage;

test('without trusted proxies the peer is the client, whatever X-Forwarded-For says', () => {
  const addresses = new ClientAddresses([]);
  assert.equal(addresses.of(request('192.0.2.1', '203.0.113.9')), '192.0.2.1');
  assert.equal(addresses.of(request('::ffff:192.0.2.1')), '192.0.2.1');
  assert.equal(addresses.trusts('127.0.0.1'), false);
});

test('X-Forwarded-For is read from the right past trusted proxies; what the client wrote further left is ignored', () => {
  const addresses = new ClientAddresses(['10.0.0.0/8', '2001:db8::/32', '192.0.2.7']);
  // client wrote 6.6.6.6, edge proxy 10.1.1.1 appended the real client 203.0.113.9, inner proxy 10.2.2.2 appended 10.1.1.1
  assert.equal(addresses.of(request('10.2.2.2', '6.6.6.6, 203.0.113.9, 10.1.1.1')), '203.0.113.9');
  assert.equal(addresses.of(request('::ffff:192.0.2.7', ['6.6.6.6', '203.0.113.9'])), '203.0.113.9');
  assert.equal(addresses.of(request('2001:db8::1', '2001:db9::5')), '2001:db9::5');
  // Every hop trusted: the leftmost one is the best there is.
  assert.equal(addresses.of(request('10.2.2.2', '10.1.1.1')), '10.1.1.1');
  // A trusted proxy with no header, or garbage in it: the last address known for sure.
  assert.equal(addresses.of(request('10.2.2.2')), '10.2.2.2');
  assert.equal(addresses.of(request('10.2.2.2', 'not-an-address')), '10.2.2.2');
  assert.equal(addresses.of(request('203.0.113.1', '10.1.1.1')), '203.0.113.1');
  assert.equal(addresses.trusts('::ffff:10.9.9.9'), true);
});

test('trustedProxies entries are addresses or CIDR ranges', () => {
  assert.deepEqual(badAddressRanges(['10.0.0.0/8', '::1', '192.0.2.1', 'fd00::/8']), []);
  assert.deepEqual(badAddressRanges(['10.0.0.0/33', 'proxy.local', '10.0.0.0/8/1', '::/129', '1.2.3.4/']), ['10.0.0.0/33', 'proxy.local', '10.0.0.0/8/1', '::/129', '1.2.3.4/']);
  assert.equal(plainAddress('::ffff:127.0.0.1'), '127.0.0.1');
  assert.equal(plainAddress('::1'), '::1');
});
