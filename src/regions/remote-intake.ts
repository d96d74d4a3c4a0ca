import type { Draft } from '../broker/broker.ts';
import type { ClusterBroker } from '../broker/cluster-broker.ts';
import type { Hlc } from './hlc.ts';
import type { RemoteIntake } from './remote-lines.ts';
import type { StreamOrderings } from './stream-orderings.ts';
import type { GlobalOrdering } from './order-router.ts';

// A line admitted once within this long is not admitted again; it covers
// MirrorMaker 2's redelivery after a restart and a healed partition's
// replay (both minutes at most), at one small Redis key per remote line.
export const ONCE_MS = 15 * 60_000;

/**
 * Where a peer's line enters this region's order, by its stream's
 * `modes.ordering` here: on arrival (regional), or through the stream's
 * global order. Sampled lines are shown nowhere, so they never wait.
 */
export class RegionIntake implements RemoteIntake {
  readonly #orderings: StreamOrderings;
  readonly #global: GlobalOrdering;
  readonly #cluster: Pick<ClusterBroker, 'admit'>;

  constructor(orderings: StreamOrderings, global: GlobalOrdering, cluster: Pick<ClusterBroker, 'admit'>) {
    this.#orderings = orderings;
    this.#global = global;
    this.#cluster = cluster;
  }

  prepare(streams: string[]): Promise<void> {
    return this.#orderings.load(streams);
  }

  line(draft: Draft, sampled: boolean, hlc: Hlc | undefined): Promise<unknown> {
    if (this.#orderings.of(draft.stream) === 'global') {
      if (!sampled && hlc !== undefined) return this.#global.remote(draft, hlc);
    } else {
      this.#global.leave(draft.stream);
    }
    return this.#cluster.admit(draft, sampled, ONCE_MS);
  }

  watermark(hlc: Hlc, partition: number, partitions: number): void {
    this.#global.watermark(hlc, partition, partitions);
  }
}

/** Every peer line on arrival (regional order only): a region that routes no stream through a global order. */
export function admitOnArrival(cluster: Pick<ClusterBroker, 'admit'>): RemoteIntake {
  return {
    prepare: async () => {},
    line: (draft, sampled) => cluster.admit(draft, sampled, ONCE_MS),
    watermark: () => {},
  };
}
