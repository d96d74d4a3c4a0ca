// The load generator's source ports: each worker's own, in turn per address, never a listener's.
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { test } from 'node:test';
import { listeningPorts, portSliceOf, SourcePorts } from '../../bench/loadgen/source-ports.ts';

test('workers get disjoint slices that together stay within 1024-65535', () => {
  const slices = Array.from({ length: 9 }, (_, w) => portSliceOf(w, 9));
  for (let w = 1; w < slices.length; w++) assert.equal(slices[w]!.first, slices[w - 1]!.first + slices[w - 1]!.count);
  assert.equal(slices[0]!.first, 1_024);
  const last = slices[slices.length - 1]!;
  assert.ok(last.first + last.count - 1 <= 65_535);
  assert.ok(last.count >= 7_000);
});

test('ports go in turn per address, skip excluded ones and start over at the end of the slice', () => {
  const ports = new SourcePorts({ first: 2_000, count: 4 }, new Set([2_001]));
  assert.deepEqual([ports.take('127.0.0.2'), ports.take('127.0.0.2'), ports.take('127.0.0.2')], [2_000, 2_002, 2_003]);
  assert.equal(ports.take('127.0.0.3'), 2_000, 'each address has the whole slice');
  assert.equal(ports.take('127.0.0.2'), 2_000, 'round again after the last port');
});

test('a slice with every port excluded says so', () => {
  const ports = new SourcePorts({ first: 3_000, count: 2 }, new Set([3_000, 3_001]));
  assert.throws(() => ports.take('127.0.0.2'), /no usable source port/);
});

test('a port something listens on is found in /proc/net/tcp', async () => {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const { port } = server.address() as { port: number };
    assert.ok(listeningPorts().has(port));
  } finally {
    server.close();
  }
});
