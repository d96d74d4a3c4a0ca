// The regions of `npm run services -- --regions ... --json` (the pinned command) for a test file:
// started if they are not running, reused if they are (another test's), and stopped after the
// file only if this file started them.
import { execFileSync } from 'node:child_process';

/** The regions the files of test/regions share (started once for the whole pass by test/regions/shared-regions.ts). */
export const SHARED_REGIONS = ['us', 'eu', 'ap'] as const;

const SERVICES_SCRIPT = new URL('../../scripts/services.ts', import.meta.url).pathname;

export interface RegionServices {
  redisUrl: string;
  kafkaBrokers: string;
}

export interface RunningRegions<R extends string> {
  regions: Record<R, RegionServices>;
  /** Stops the regions if this call started them. */
  release(): void;
}

function services(args: string[], timeoutMs: number): string {
  return execFileSync(process.execPath, [SERVICES_SCRIPT, ...args], { encoding: 'utf8', timeout: timeoutMs, stdio: ['ignore', 'pipe', 'inherit'] });
}

export function startRegionServices<R extends string>(names: readonly R[]): RunningRegions<R> {
  const list = names.join(',');
  const status = JSON.parse(services(['status', '--regions', list, '--json'], 60_000)) as { regions: Record<string, { redis: boolean; kafka: boolean }>; mirrorMaker: boolean } | null;
  const running = status !== null && status.mirrorMaker && names.every((r) => status.regions[r]?.redis === true && status.regions[r]?.kafka === true);
  const out = services(['start', '--regions', list, '--json'], 900_000);
  return {
    regions: (JSON.parse(out) as { regions: Record<R, RegionServices> }).regions,
    release: () => {
      if (!running) services(['stop', '--regions', list], 120_000);
    },
  };
}
