import type { Bus } from '../bus/bus.ts';
import type { DurableLog } from '../log/log.ts';
import type { Pin } from '../protocol/types.ts';
import type { DecisionState } from './decision-state.ts';
import type { Hlc } from './hlc.ts';
import type { SharedPin } from './shared-records.ts';
import { WaitingForLines } from './waiting-for-lines.ts';

export interface RemotePinsOptions {
  log: Pick<DurableLog, 'message'>;
  bus: Pick<Bus, 'publish'>;
  decisions: Pick<DecisionState, 'pin'>;
  onError: (err: unknown) => void;
  /** How often a pin whose line is not here yet is tried again, and for how long. */
  retryMs?: number;
  keepMs?: number;
  now?: () => number;
}

const RETRY_MS = 1_000;
// The line crosses through its origin's mirror, the pin through the pinning region's: the pin may come first.
const KEEP_MS = 5 * 60_000;
// One pin per stream waits (a newer pin replaces it), so this bounds the streams.
const MAX_WAITING = 10_000;

/**
 * Pins made in a peer, applied here. A pin names its line by id: the line
 * shown here is this region's copy (its seq is this region's), read from
 * this region's log. A pin whose line has not reached this region yet waits
 * (waiting-for-lines.ts, the newest per stream); an unpin applies at once.
 * Either goes through the conflict rule (one register per stream) and, if
 * it holds, reaches viewers as the `state` frame a local pin sends.
 */
export class RemotePins {
  readonly #o: RemotePinsOptions;
  readonly #waiting: WaitingForLines<string, { pin: SharedPin; hlc: Hlc }>;

  constructor(options: RemotePinsOptions) {
    this.#o = options;
    this.#waiting = new WaitingForLines({
      everyMs: options.retryMs ?? RETRY_MS, keepMs: options.keepMs ?? KEEP_MS, max: MAX_WAITING, now: options.now, onError: options.onError,
      retry: async (waiting) => {
        const done: string[] = [];
        for (const [stream, { pin, hlc }] of waiting) if (await this.#applyPin(stream, pin, hlc)) done.push(stream);
        return done;
      },
    });
  }

  async apply(stream: string, pin: SharedPin | null, hlc: Hlc): Promise<void> {
    this.#waiting.delete(stream);
    if (pin === null) await this.#decide(stream, null, hlc);
    else if (!(await this.#applyPin(stream, pin, hlc))) this.#waiting.add(stream, { pin, hlc });
  }

  close(): void {
    this.#waiting.close();
  }

  /** False while this region has no copy of the pinned line. */
  async #applyPin(stream: string, pin: SharedPin, hlc: Hlc): Promise<boolean> {
    const message = await this.#o.log.message(stream, pin.id);
    if (message === undefined) return false;
    const local: Pin = { message, by: pin.by, at: pin.at };
    if (pin.until !== undefined) local.until = pin.until;
    await this.#decide(stream, local, hlc);
    return true;
  }

  async #decide(stream: string, pin: Pin | null, hlc: Hlc): Promise<void> {
    if (await this.#o.decisions.pin(stream, pin, hlc)) await this.#o.bus.publish(stream, { kind: 'state', state: { pinned: pin } });
  }
}
