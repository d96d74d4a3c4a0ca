// The generated connect-mirror-maker.properties: clusters, one enabled flow per
// pair, per-flow source addresses (the delayed links), the features that stay off.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mirrorMakerProperties } from '../../scripts/services/mirror-maker.ts';

function parse(text: string): Map<string, string> {
  const entries = text.split('\n').filter((line) => line !== '' && !line.startsWith('#')).map((line) => line.split(' = ') as [string, string]);
  return new Map(entries);
}

const clusters = { us: '127.0.0.1:1000', eu: '127.0.0.1:2000' };

test('each flow is enabled, and its source clients go to the address the flow names', () => {
  const props = parse(mirrorMakerProperties({
    name: 'mirror-maker', clusters, topics: 'chorus\\..*', stateDir: '/unused',
    flows: [{ source: 'us', target: 'eu', sourceBrokers: '127.0.0.1:1001' }, { source: 'eu', target: 'us', sourceBrokers: '127.0.0.1:2001' }],
  }));
  assert.equal(props.get('clusters'), 'us, eu');
  assert.equal(props.get('us.bootstrap.servers'), '127.0.0.1:1000');
  assert.equal(props.get('topics'), 'chorus\\..*');
  for (const [flow, address] of [['us->eu', '127.0.0.1:1001'], ['eu->us', '127.0.0.1:2001']] as const) {
    assert.equal(props.get(`${flow}.enabled`), 'true');
    for (const client of ['source.cluster', 'source.consumer', 'source.admin', 'source.producer']) assert.equal(props.get(`${flow}.${client}.bootstrap.servers`), address);
  }
  assert.equal(props.get('us.producer.max.in.flight.requests.per.connection'), '5');
});

test('a flow without its own source address uses the cluster address; switched-off features name none of their settings', () => {
  const props = parse(mirrorMakerProperties({ name: 'mirror-maker-us', clusters, topics: 'chorus\\..*', stateDir: '/unused', flows: [{ source: 'us', target: 'eu' }] }));
  assert.equal(props.get('us->eu.enabled'), 'true');
  assert.equal(props.has('eu->us.enabled'), false);
  assert.equal([...props.keys()].some((key) => key.startsWith('us->eu.source.')), false);
  assert.equal(props.get('emit.offset-syncs.enabled'), 'false');
  assert.equal(props.get('emit.checkpoints.enabled'), 'false');
  // MirrorMaker refuses a source connector config that sets offset-sync options while they are off (seen: it never replicated).
  assert.equal([...props.keys()].some((key) => key.startsWith('offset-syncs.') || key.startsWith('checkpoints.') || key.startsWith('heartbeats.')), false);
});
