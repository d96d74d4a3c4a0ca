// What the regions scenario runs against: each region's Redis and Kafka, the
// delayed links and MirrorMaker 2 between them (scripts/services/regions.ts,
// what `npm run services -- --regions` runs, in a state directory of the
// bench's own so cutting a link disturbs no one else's), and the gateways
// of each region (one in the documented shape: the two cores hold little
// more beside the load; several share their region's Redis keys and order
// alike: docs/regions.md, "Several gateways in a region").
import { randomUUID } from 'node:crypto';
import { cpSync, existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Authenticator } from '../../src/auth/tokens.ts';
import { LinksControl } from '../../scripts/services/links-control.ts';
import { runningPid } from '../../scripts/services/processes.ts';
import { readLayout, regionDir } from '../../scripts/services/regions-layout.ts';
import { startRegions, stopRegions } from '../../scripts/services/regions.ts';
import { uniquePrefix } from '../../test/support/redis.ts';
import { spawnServer, TEST_SECRET, type ChildServer } from '../../test/support/servers.ts';
import { removeDir, tempDir } from '../../test/support/temp-dir.ts';
import type { RegionName, RegionsShape } from './regions-scenario.ts';
import { keepLogs, LOAD_TEST_FLAGS } from './servers.ts';

export const STREAM = 'bench';

export interface RegionsTarget {
  /** Each region's gateways. */
  gateways: Map<RegionName, ChildServer[]>;
  links: LinksControl;
  pids: { gateways: number[]; redis: number[]; kafka: number[] };
  /** A token for a sender `name` (signed with the gateways' secret, as an identity provider would). */
  token(name: string, roles?: Record<string, Array<'broadcaster'>>): Promise<string>;
  /** The stream's `modes.ordering`, set by its broadcaster in every region at once. */
  setOrdering(ordering: 'regional' | 'global'): Promise<void>;
  crashes(): number;
  stop(): Promise<void>;
}

export async function startRegionsTarget(shape: RegionsShape): Promise<RegionsTarget> {
  const stateDir = tempDir('chorus-bench-regions-');
  const gateways = new Map<RegionName, ChildServer[]>();
  const all = (): ChildServer[] => [...gateways.values()].flat();
  const stop = async (): Promise<void> => {
    await Promise.all(all().map((g) => g.stop()));
    const logs = keepLogs(all());
    await stopRegions(stateDir);
    // MirrorMaker's logs too (a flow that does not recover from a cut shows there), before the state directory goes.
    for (const entry of readdirSync(stateDir).filter((name) => name.startsWith('mirror-maker') && existsSync(join(stateDir, name, 'mirror-maker.log')))) {
      cpSync(join(stateDir, entry, 'mirror-maker.log'), join(logs, `${entry}.log`));
    }
    removeDir(stateDir);
  };
  try {
    const started = Date.now();
    const services = await startRegions({ regions: [...shape.regions], stateDir, delayMs: shape.delayMs, mirrorAt: shape.mirrorAt });
    console.error(`bench: regions ${shape.regions.join(', ')} up in ${Date.now() - started} ms (${shape.delayMs} ms links, mirrors at the ${shape.mirrorAt})`);
    // MirrorMaker 2 copies the topics named `chorus.*`; a topic of this run's own starts empty.
    const topic = `chorus.bench-${randomUUID()}`;
    // One after another: three gateways loading at once on a busy two-core machine outlast the start timeout.
    for (const region of shape.regions) {
      const { redisUrl, kafkaBrokers } = services.regions[region]!;
      const prefix = uniquePrefix();
      const started: ChildServer[] = [];
      gateways.set(region, started);
      for (let g = 0; g < shape.gatewaysPerRegion; g++) {
        started.push(await spawnServer(['--dev', '--port', '0', '--host', '127.0.0.1', '--irc-port', '-1', '--data-dir', join(stateDir, `gateway-${region}-${g}`), ...LOAD_TEST_FLAGS,
          '--redis-url', redisUrl, '--kafka-brokers', kafkaBrokers, '--kafka-topic', topic, '--kafka-partitions', '3', '--redis-key-prefix', prefix,
          '--region', region, '--region-peers', shape.regions.filter((r) => r !== region).join(','),
          // Ten senders share each region's third of the rate: 3.3 messages a second each, over the per-user defaults (20 per 30 s).
          '--rate-limit-messages', '1000', '--rate-limit-user-messages', '1000',
          // The stream's rate counts every region's lines, and a healed partition delivers 30 s of a region's lines at once:
          // sampling would hide lines from every region, and this scenario counts every line (sampling is explosion's subject).
          '--sampling-threshold', '100000',
        ]));
      }
    }
  } catch (err) {
    await stop();
    throw err;
  }
  const layout = readLayout(stateDir)!;
  const pid = (file: string): number[] => {
    const found = runningPid(file);
    return found === undefined ? [] : [found];
  };
  const tokens = new Authenticator({ dev: true, jwtSecret: TEST_SECRET, jwksUrl: '', jwtIssuer: '', jwtAudience: '', jwtAllowNoExp: false });
  const token = async (name: string, roles: Record<string, Array<'broadcaster'>> = {}): Promise<string> => (await tokens.issueDevToken(name, roles)).token;
  return {
    gateways,
    links: new LinksControl(`http://127.0.0.1:${layout.controlPort}`),
    pids: {
      gateways: all().map((g) => g.child.pid!),
      redis: shape.regions.flatMap((r) => pid(join(regionDir(stateDir, r), 'redis.pid'))),
      // MirrorMaker 2 is Kafka's part of the deployment: counted with the brokers.
      kafka: [
        ...shape.regions.flatMap((r) => pid(join(regionDir(stateDir, r), `kafka-${layout.ports[r]!.kafka}.pid`))),
        // One MirrorMaker at the target placement, one per region at the source (scripts/services/regions.ts).
        ...(shape.mirrorAt === 'target' ? pid(join(stateDir, 'mirror-maker.pid')) : shape.regions.flatMap((r) => pid(join(stateDir, `mirror-maker-${r}.pid`)))),
      ],
    },
    token,
    setOrdering: async (ordering) => {
      const bearer = await token('bench_broadcaster', { [STREAM]: ['broadcaster'] });
      // On one gateway of each region: the stream's modes are the region's.
      await Promise.all([...gateways.values()].map(async ([g]) => {
        const res = await fetch(`${g!.url}/api/streams/${STREAM}/modes`, {
          method: 'PATCH', headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/json' }, body: JSON.stringify({ ordering }),
        });
        if (!res.ok) throw new Error(`ordering not set on ${g!.url}: ${res.status} ${await res.text()}`);
      }));
    },
    crashes: () => all().filter((g) => g.child.exitCode !== null || g.child.signalCode !== null).length,
    stop,
  };
}
