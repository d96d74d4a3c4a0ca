import type { StateStore } from '../state/state.ts';
import type { ViewerCounter } from '../viewers/viewer-count.ts';
import type { RateState, StreamState } from '../protocol/types.ts';

export interface StreamStateSources {
  state: StateStore;
  viewers: ViewerCounter;
  currentRate: (stream: string) => RateState;
}

/** The State object of PROTOCOL.md, read fresh from its three sources. */
export async function readStreamState(sources: StreamStateSources, stream: string): Promise<StreamState> {
  const [modes, viewers] = await Promise.all([sources.state.getModes(stream), sources.viewers.count(stream)]);
  return { viewers, modes, rate: sources.currentRate(stream) };
}
