import type { ViewerCounter } from './viewer-count.ts';

/**
 * The embedded viewer count: exact distinct viewers per stream. A viewer is
 * reference-counted, so one person with two tabs counts once and stops
 * counting only when the last tab leaves. Entries exist only for connected
 * viewers, so memory follows the live connections.
 */
export class ExactViewerCounter implements ViewerCounter {
  readonly #streams = new Map<string, Map<string, number>>();

  join(stream: string, viewerId: string): void {
    let viewers = this.#streams.get(stream);
    if (viewers === undefined) {
      viewers = new Map();
      this.#streams.set(stream, viewers);
    }
    viewers.set(viewerId, (viewers.get(viewerId) ?? 0) + 1);
  }

  leave(stream: string, viewerId: string): void {
    const viewers = this.#streams.get(stream);
    const refs = viewers?.get(viewerId);
    if (viewers === undefined || refs === undefined) return;
    if (refs > 1) {
      viewers.set(viewerId, refs - 1);
      return;
    }
    viewers.delete(viewerId);
    if (viewers.size === 0) this.#streams.delete(stream);
  }

  /** Nothing to refresh: this counter sees every join and leave, so no viewer goes stale. */
  heartbeat(): void {}

  count(stream: string): Promise<number> {
    return Promise.resolve(this.#streams.get(stream)?.size ?? 0);
  }

  close(): Promise<void> {
    this.#streams.clear();
    return Promise.resolve();
  }
}
