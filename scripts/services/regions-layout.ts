// Where the local regions live: the ports each region's parts listen on,
// picked free at the first start and kept in layout.json with the link delay
// and the mirrors' placement, so a restart finds the same ports and data.
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { listenPort, portFree } from './free-port.ts';

export const DEFAULT_LINK_DELAY_MS = 80;

/**
 * Where the MirrorMaker of flow A->B runs, i.e. which side of it crosses the link:
 * `target` (in B, the usual deployment: it consumes from A across the link and
 * produces locally; one JVM for every flow) or `source` (in A: it consumes
 * locally and produces to B across the link; one JVM per region). See
 * docs/decisions.md for the latency each gives.
 */
export type MirrorPlacement = 'target' | 'source';

export interface LayoutRequest {
  regions: readonly string[];
  stateDir: string;
  delayMs?: number;
  mirrorAt?: MirrorPlacement;
}

export interface RegionPorts {
  redis: number;
  kafka: number;
  controller: number;
  /** Per peer: the broker's listener for that peer's MirrorMaker (behind the link). */
  mirrorListener: Record<string, number>;
  /** Per peer: the link that peer's MirrorMaker reaches this broker through. */
  link: Record<string, number>;
}

export interface Layout {
  regions: string[];
  delayMs: number;
  mirrorAt: MirrorPlacement;
  controlPort: number;
  ports: Record<string, RegionPorts>;
}

/**
 * The stored layout when it is for these regions (so a restart finds the
 * same ports and the brokers' data); fresh free ports otherwise, or when one
 * of the stored ports was taken meanwhile while nothing of ours runs.
 */
export async function currentLayout(options: LayoutRequest, running: (layout: Layout) => boolean): Promise<Layout> {
  const existing = readLayout(options.stateDir);
  const delayMs = options.delayMs ?? existing?.delayMs ?? DEFAULT_LINK_DELAY_MS;
  const mirrorAt = options.mirrorAt ?? 'target';
  if (existing !== undefined) {
    const same = existing.regions.join(',') === options.regions.join(',');
    const isRunning = running(existing);
    if (isRunning && !(same && existing.mirrorAt === mirrorAt)) {
      throw new Error(`regions ${existing.regions.join(',')} (mirrors at ${existing.mirrorAt}) are running in ${options.stateDir}: stop them first (npm run services -- stop --regions ${existing.regions.join(',')})`);
    }
    if (same && (isRunning || (await allFree(layoutPorts(existing))))) return { ...existing, delayMs, mirrorAt };
    for (const region of existing.regions) rmSync(regionDir(options.stateDir, region), { recursive: true, force: true });
  }
  const layout = await freshLayout(options.regions, delayMs, mirrorAt);
  writeFileSync(layoutFile(options.stateDir), `${JSON.stringify(layout, null, 2)}\n`);
  return layout;
}

async function freshLayout(regions: readonly string[], delayMs: number, mirrorAt: MirrorPlacement): Promise<Layout> {
  const taken = new Set<number>();
  const port = async (): Promise<number> => {
    const candidate = await listenPort(taken);
    taken.add(candidate);
    return candidate;
  };
  const ports: Record<string, RegionPorts> = {};
  for (const region of regions) {
    const regionPorts: RegionPorts = { redis: await port(), kafka: await port(), controller: await port(), mirrorListener: {}, link: {} };
    for (const peer of regions.filter((other) => other !== region)) {
      regionPorts.mirrorListener[peer] = await port();
      regionPorts.link[peer] = await port();
    }
    ports[region] = regionPorts;
  }
  return { regions: [...regions], delayMs, mirrorAt, controlPort: await port(), ports };
}

function layoutPorts(layout: Layout): number[] {
  return [layout.controlPort, ...Object.values(layout.ports).flatMap((p) => [p.redis, p.kafka, p.controller, ...Object.values(p.mirrorListener), ...Object.values(p.link)])];
}

async function allFree(ports: readonly number[]): Promise<boolean> {
  for (const port of ports) if (!(await portFree(port))) return false;
  return true;
}

export function readLayout(stateDir: string): Layout | undefined {
  const file = layoutFile(stateDir);
  if (!existsSync(file)) return undefined;
  // Layouts written before the placement was a choice had their mirrors at the target.
  return { mirrorAt: 'target', ...(JSON.parse(readFileSync(file, 'utf8')) as Omit<Layout, 'mirrorAt'>) };
}

function layoutFile(stateDir: string): string {
  return join(stateDir, 'layout.json');
}

export function regionDir(stateDir: string, region: string): string {
  return join(stateDir, region);
}
