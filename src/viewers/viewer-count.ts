import type { StreamState } from '../protocol/types.ts';

/**
 * Live viewer counts per stream. `viewerId` identifies a person (user id, or a
 * connection id for anonymous viewers) so one person with two tabs counts once.
 */
export interface ViewerCounter {
  join(stream: string, viewerId: string): void;
  leave(stream: string, viewerId: string): void;
  /** Refreshes presence; the distributed counter expires viewers that stop. */
  heartbeat(stream: string, viewerIds: Iterable<string>): void;
  count(stream: string): Promise<number>;
  /** Multi-region mode: the count over every region and each region's (src/regions/viewer-exchange.ts). */
  countByRegion?(stream: string): Promise<{ viewers: number; byRegion: Record<string, number> }>;
  close(): Promise<void>;
}

export type ViewerFigures = Pick<StreamState, 'viewers' | 'viewersByRegion'>;

/** What `state` says of a stream's viewers: the count, and in multi-region mode the breakdown. */
export async function viewerFigures(counter: ViewerCounter, stream: string): Promise<ViewerFigures> {
  if (counter.countByRegion === undefined) return { viewers: await counter.count(stream) };
  const { viewers, byRegion } = await counter.countByRegion(stream);
  return { viewers, viewersByRegion: byRegion };
}

/** Whether two readings differ (so a `state` change is sent). */
export function figuresDiffer(a: ViewerFigures, b: ViewerFigures): boolean {
  if (a.viewers !== b.viewers) return true;
  const x = a.viewersByRegion ?? {};
  const y = b.viewersByRegion ?? {};
  const regions = new Set([...Object.keys(x), ...Object.keys(y)]);
  return [...regions].some((r) => x[r] !== y[r]);
}
