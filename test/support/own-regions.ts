// Three regions of a test file's own, as `npm run services -- --regions`
// starts them (startRegions, in a state directory of the file's own, so
// cutting a link or killing a broker disturbs no other file), with one
// gateway per region (two in one if asked) on a topic of the file's own,
// all stopped after the file's last test.
import { randomUUID } from 'node:crypto';
import { LinksControl } from '../../scripts/services/links-control.ts';
import { startRegions, stopRegions } from '../../scripts/services/regions.ts';
import { closeAtEnd } from './file-end.ts';
import { uniquePrefix } from './redis.ts';
import { startTestServer, type TestServer } from './servers.ts';
import { removeDir, tempDir } from './temp-dir.ts';

export interface OwnRegions<R extends string> {
  gateways: Map<R, TestServer>;
  /** Cuts and heals the links between the regions. */
  control: LinksControl;
  /** Where the regions live: `startRegions` on it starts what was stopped (a killed broker). */
  stateDir: string;
  /** The second gateway of `twoGatewaysIn`, sharing its region's Redis keys and topic. */
  second: TestServer | undefined;
}

export interface OwnRegionsOptions<R extends string> {
  /** Names the state directory. */
  name: string;
  /** One-way delay of every link (80 ms unless given). */
  delayMs?: number;
  /** Each region's gateway flags beside the regions' own (its Redis, Kafka, topic, region and peers) and generous rate limits. */
  flags?: (region: R) => string[];
  /** A region that runs a second gateway beside the first. */
  twoGatewaysIn?: R;
}

export async function ownRegionsForFile<R extends string>(regions: readonly R[], options: OwnRegionsOptions<R>): Promise<OwnRegions<R>> {
  const stateDir = tempDir(`chorus-regions-${options.name}-`);
  closeAtEnd('regions', async () => {
    await stopRegions(stateDir);
    removeDir(stateDir);
  });
  const info = await startRegions({ regions: [...regions], stateDir, delayMs: options.delayMs ?? 80 });
  // MirrorMaker 2 copies the topics named `chorus.*`.
  const topic = `chorus.test-${randomUUID()}`;
  const gateways = new Map<R, TestServer>();
  const start = async (region: R, prefix: string, name: string): Promise<TestServer> => {
    const { redisUrl, kafkaBrokers } = info.regions[region]!;
    const gateway = await startTestServer([
      '--redis-url', redisUrl, '--kafka-brokers', kafkaBrokers, '--kafka-topic', topic, '--kafka-partitions', '3',
      '--redis-key-prefix', prefix, '--region', region, '--region-peers', regions.filter((r) => r !== region).join(','),
      '--rate-limit-messages', '1000', '--rate-limit-user-messages', '1000',
      ...(options.flags?.(region) ?? []),
    ]);
    // Registered after the regions: closed before them.
    closeAtEnd(name, () => gateway.stop());
    return gateway;
  };
  let second: TestServer | undefined;
  // One after another: three gateways loading at once on a busy two-core machine outlast the start timeout.
  for (const region of regions) {
    const prefix = uniquePrefix();
    gateways.set(region, await start(region, prefix, `gateway ${region}`));
    if (region === options.twoGatewaysIn) second = await start(region, prefix, `second gateway ${region}`);
  }
  return { gateways, control: new LinksControl(info.links.controlUrl), stateDir, second };
}
