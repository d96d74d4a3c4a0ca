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
  close(): Promise<void>;
}
