// npm run services [-- start|stop|status]: Redis (unless one already answers)
// and a single-node KRaft Kafka broker for cluster mode, on 127.0.0.1.
// npm run services -- [start|stop|status] --regions us,eu,ap [--json] [--delay-ms 80] [--mirror-at target|source]:
// one Redis and one broker per region, delayed links and MirrorMaker 2 between them;
// `kill-broker REGION --regions ...` crashes one region's broker, and `start` brings it back.
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { kafkaAnswers, startKafka, stopKafka } from './services/kafka-broker.ts';
import { KAFKA_PORT, REDIS_PORT, SERVICES_DIR } from './services/defaults.ts';
import { redisAnswers, startRedis, stopRedis } from './services/redis-server.ts';
import { killRegionBroker, parseRegions, regionsStatus, startRegions, stopRegions, type MirrorPlacement } from './services/regions.ts';

const USAGE = 'usage: npm run services [-- start|stop|status] [--regions us,eu,ap [--json] [--delay-ms 80] [--mirror-at target|source]], or -- kill-broker REGION --regions us,eu,ap';
const redis = { port: REDIS_PORT, stateDir: SERVICES_DIR };
const kafka = { port: KAFKA_PORT, stateDir: SERVICES_DIR };
/** Regions live beside the single broker's state, in a directory of their own. */
const REGIONS_DIR = join(SERVICES_DIR, 'regions');

async function single(command: string): Promise<void> {
  switch (command) {
    case 'start': {
      const started = Date.now();
      console.log(`redis 127.0.0.1:${REDIS_PORT}: ${await startRedis(redis)}`);
      console.log(`kafka 127.0.0.1:${KAFKA_PORT}: ${await startKafka(kafka)}`);
      console.log(`ready in ${Date.now() - started} ms (state in ${SERVICES_DIR})`);
      return;
    }
    case 'stop':
      // Only what this script started (its pid files); a Redis that was already running is left alone.
      console.log(`kafka: ${(await stopKafka(kafka)) ? 'stopped' : 'not started by services'}`);
      console.log(`redis: ${(await stopRedis(redis)) ? 'stopped' : 'not started by services'}`);
      return;
    case 'status':
      console.log(`redis 127.0.0.1:${REDIS_PORT}: ${(await redisAnswers(REDIS_PORT)) ? 'up' : 'down'}`);
      console.log(`kafka 127.0.0.1:${KAFKA_PORT}: ${(await kafkaAnswers(KAFKA_PORT)) ? 'up' : 'down'}`);
      return;
    default:
      throw new Error(`${USAGE}, not "${command}"`);
  }
}

async function regions(command: string, names: string[], json: boolean, delayMs: number | undefined, mirrorAt: MirrorPlacement | undefined, target: string | undefined): Promise<void> {
  if ((command === 'kill-broker') !== (target !== undefined)) throw new Error(`kill-broker takes one region, and only it takes one; ${USAGE}`);
  switch (command) {
    case 'start': {
      const started = Date.now();
      const info = await startRegions({ regions: names, stateDir: REGIONS_DIR, delayMs, mirrorAt });
      if (json) {
        console.log(JSON.stringify(info));
        return;
      }
      for (const [name, region] of Object.entries(info.regions)) {
        console.log(`region ${name}: redis ${region.redisUrl}, kafka ${region.kafkaBrokers}, mirrors ${region.peers.map((peer) => `${peer}.*`).join(' ')}`);
      }
      console.log(`links: ${info.links.delayMs} ms one way, control ${info.links.controlUrl}/links; each flow's MirrorMaker runs at its ${info.links.mirrorAt}`);
      console.log(`ready in ${Date.now() - started} ms (state in ${REGIONS_DIR})`);
      return;
    }
    case 'stop':
      console.log(`regions: ${(await stopRegions(REGIONS_DIR)) ? 'stopped' : 'not running'}`);
      return;
    case 'kill-broker':
      // SIGKILL, as a crash would: `start` starts it again on its data (docs/regions.md, "Failure modes").
      console.log(`kafka of ${target}: ${(await killRegionBroker(REGIONS_DIR, target!)) ? 'killed' : 'not running'}`);
      return;
    case 'status': {
      const status = await regionsStatus(REGIONS_DIR);
      if (json || status === undefined) {
        console.log(JSON.stringify(status ?? null));
        return;
      }
      for (const [name, region] of Object.entries(status.regions)) console.log(`region ${name}: redis ${region.redis ? 'up' : 'down'}, kafka ${region.kafka ? 'up' : 'down'}`);
      console.log(`mirrormaker: ${status.mirrorMaker ? 'up' : 'down'}`);
      for (const link of status.links?.links ?? []) console.log(`link ${link.from}->${link.to}: ${link.cut ? 'cut' : 'up'}, ${status.links!.delayMs} ms`);
      if (status.links === undefined) console.log('links: down');
      return;
    }
    default:
      throw new Error(`${USAGE}, not "${command}"`);
  }
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { regions: { type: 'string' }, json: { type: 'boolean', default: false }, 'delay-ms': { type: 'string' }, 'mirror-at': { type: 'string' } },
  });
  const [command = 'start', target, ...rest] = positionals;
  if (rest.length > 0) throw new Error(`${USAGE}, not "${positionals.join(' ')}"`);
  if (values.regions === undefined) {
    if (target !== undefined) throw new Error(`${USAGE}, not "${positionals.join(' ')}"`);
    if (values.json || values['delay-ms'] !== undefined || values['mirror-at'] !== undefined) throw new Error(`--json, --delay-ms and --mirror-at go with --regions; ${USAGE}`);
    return single(command);
  }
  const mirrorAt = values['mirror-at'];
  if (mirrorAt !== undefined && mirrorAt !== 'target' && mirrorAt !== 'source') throw new Error(`--mirror-at ${mirrorAt}: target or source`);
  const delay = values['delay-ms'] === undefined ? undefined : Number(values['delay-ms']);
  if (delay !== undefined && !(Number.isInteger(delay) && delay >= 0 && delay <= 10_000)) throw new Error(`--delay-ms ${values['delay-ms']}: a whole number of milliseconds, 0 to 10000`);
  return regions(command, parseRegions(values.regions), values.json, delay, mirrorAt, target);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
