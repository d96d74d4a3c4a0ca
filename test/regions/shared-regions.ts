// The regions pass's global setup (package.json "test"): the regions that
// several files share (`npm run services -- --regions us,eu,ap`) are started
// once before the pass and stopped after it, so no file stops them under
// another and none pays their start again.
import { SHARED_REGIONS, startRegionServices, type RunningRegions } from '../support/regions.ts';

let shared: RunningRegions<string> | undefined;

export function globalSetup(): void {
  shared = startRegionServices(SHARED_REGIONS);
}

export function globalTeardown(): void {
  shared?.release();
}
