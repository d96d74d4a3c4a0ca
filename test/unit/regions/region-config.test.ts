import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError, loadConfig } from '../../../src/config/load.ts';

const CLUSTER = { CHORUS_JWT_SECRET: 'x'.repeat(32), CHORUS_REDIS_URL: 'redis://127.0.0.1:6379', CHORUS_KAFKA_BROKERS: '127.0.0.1:9092' };

function problemsOf(env: Record<string, string>, argv: string[] = []): string[] {
  try {
    loadConfig(argv, env);
    return [];
  } catch (err) {
    assert.ok(err instanceof ConfigError);
    return err.problems;
  }
}

test('one region with no list: the region settings are empty and nothing is refused', () => {
  const config = loadConfig([], { CHORUS_JWT_SECRET: 'x'.repeat(32) });
  assert.equal(config.region, '');
  assert.deepEqual(config.regionPeers, []);
});

test('CHORUS_REGION and CHORUS_REGION_PEERS, or their flags, name the region and its peers', () => {
  const fromEnv = loadConfig([], { ...CLUSTER, CHORUS_REGION: 'us', CHORUS_REGION_PEERS: 'eu, ap' });
  assert.equal(fromEnv.region, 'us');
  assert.deepEqual(fromEnv.regionPeers, ['eu', 'ap']);
  const fromFlags = loadConfig(['--region', 'eu', '--region-peers', 'us,ap-south-1'], CLUSTER);
  assert.equal(fromFlags.region, 'eu');
  assert.deepEqual(fromFlags.regionPeers, ['us', 'ap-south-1']);
});

test('a region name is lower-case letters, digits and hyphens, starting with a letter (it becomes part of a Kafka topic name)', () => {
  for (const bad of ['US', 'eu.west', '1us', 'a'.repeat(33), 'e u']) {
    assert.match(problemsOf({ ...CLUSTER, CHORUS_REGION: bad }).join('\n'), /region \(--region, CHORUS_REGION\).*must be/, bad);
  }
  assert.match(problemsOf({ ...CLUSTER, CHORUS_REGION: 'us', CHORUS_REGION_PEERS: 'eu,Ap.x' }).join('\n'), /regionPeers .*"Ap\.x"/);
});

test('peers must not include the region itself, nor one twice, and need a region', () => {
  assert.match(problemsOf({ ...CLUSTER, CHORUS_REGION: 'us', CHORUS_REGION_PEERS: 'eu,us' }).join('\n'), /regionPeers .*must not include this region "us"/);
  assert.match(problemsOf({ ...CLUSTER, CHORUS_REGION: 'us', CHORUS_REGION_PEERS: 'eu,eu' }).join('\n'), /regionPeers .*"eu" twice/);
  assert.match(problemsOf({ ...CLUSTER, CHORUS_REGION_PEERS: 'eu' }).join('\n'), /regionPeers .*needs CHORUS_REGION/);
});

test('regions need cluster mode', () => {
  const problems = problemsOf({ CHORUS_JWT_SECRET: 'x'.repeat(32), CHORUS_REGION: 'us', CHORUS_REGION_PEERS: 'eu' });
  assert.match(problems.join('\n'), /region .*needs cluster mode/);
});

test('the global order bounds are settings with bounds', () => {
  const config = loadConfig(['--region-hold-max-ms', '800', '--region-heartbeat-ms', '60', '--region-hold-max-lines', '500'], { ...CLUSTER, CHORUS_REGION: 'us', CHORUS_REGION_PEERS: 'eu' });
  assert.equal(config.regionHoldMaxMs, 800);
  assert.equal(config.regionHeartbeatMs, 60);
  assert.equal(config.regionHoldMaxLines, 500);
  assert.match(problemsOf({ ...CLUSTER, CHORUS_REGION_HEARTBEAT_MS: '0' }).join('\n'), /regionHeartbeatMs .*between/);
  // The hold must outlast a few heartbeats, or an idle region would be dropped between two of them.
  assert.match(problemsOf({ ...CLUSTER, CHORUS_REGION: 'us', CHORUS_REGION_HOLD_MAX_MS: '100', CHORUS_REGION_HEARTBEAT_MS: '100' }).join('\n'), /regionHoldMaxMs .*at least 3 times regionHeartbeatMs/);
});
