import { figuresDiffer, viewerFigures, type ViewerCounter, type ViewerFigures } from '../viewers/viewer-count.ts';
import type { Channel } from './channel.ts';

// Distributed viewer counters expire presence; refreshing it is rarer than counting.
const HEARTBEAT_EVERY_MS = 30_000;

/**
 * Viewer counts change without a bus event: every interval each gateway
 * reads them from the counter for the channels it carries (and now and then
 * renews its viewers' presence), and reports the counts that changed.
 */
export class ViewerCountRefresh {
  readonly #viewers: ViewerCounter;
  readonly #channels: ReadonlyMap<string, Channel>;
  readonly #onCount: (channel: Channel, figures: ViewerFigures) => void;
  readonly #onError: (err: unknown) => void;
  readonly #timer: NodeJS.Timeout;
  #lastHeartbeat = 0;

  constructor(viewers: ViewerCounter, channels: ReadonlyMap<string, Channel>, intervalMs: number, onCount: (channel: Channel, figures: ViewerFigures) => void, onError: (err: unknown) => void) {
    this.#viewers = viewers;
    this.#channels = channels;
    this.#onCount = onCount;
    this.#onError = onError;
    this.#timer = setInterval(() => this.#refresh(), intervalMs);
    this.#timer.unref();
  }

  stop(): void {
    clearInterval(this.#timer);
  }

  #refresh(): void {
    const now = performance.now();
    const heartbeat = now - this.#lastHeartbeat >= HEARTBEAT_EVERY_MS;
    if (heartbeat) this.#lastHeartbeat = now;
    for (const channel of this.#channels.values()) {
      if (channel.viewers.size + channel.joiners.size === 0) continue;
      if (heartbeat) {
        const ids = new Set(channel.viewers.values());
        for (const joiner of channel.joiners.values()) ids.add(joiner.viewerId);
        this.#viewers.heartbeat(channel.stream, ids);
      }
      viewerFigures(this.#viewers, channel.stream).then((figures) => {
        if (figuresDiffer(figures, channel.state)) this.#onCount(channel, figures);
      }, this.#onError);
    }
  }
}
