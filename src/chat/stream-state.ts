import type { StateStore } from '../state/state.ts';
import type { ViewerCounter } from '../viewers/viewer-count.ts';
import type { StreamState } from '../protocol/types.ts';
import type { FanoutSampling } from './sampler.ts';

export interface StreamStateSources {
  state: StateStore;
  viewers: ViewerCounter;
  sampling: Pick<FanoutSampling, 'rateOf'>;
}

/** The State object of PROTOCOL.md, read fresh from its three sources. */
export async function readStreamState(sources: StreamStateSources, stream: string): Promise<StreamState> {
  const [modes, viewers] = await Promise.all([sources.state.getModes(stream), sources.viewers.count(stream)]);
  return { viewers, modes, rate: sources.sampling.rateOf(stream) };
}
