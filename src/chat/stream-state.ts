import type { StateStore } from '../state/state.ts';
import { viewerFigures, type ViewerCounter } from '../viewers/viewer-count.ts';
import type { GlobalOrderState, StateChange, StreamState } from '../protocol/types.ts';
import type { FanoutSampling } from './sampler.ts';

export interface StreamStateSources {
  state: StateStore;
  viewers: ViewerCounter;
  sampling: Pick<FanoutSampling, 'rateOf'>;
  /** Multi-region mode: where a stream in global order stands on this gateway. */
  globalOrder?: ((stream: string) => GlobalOrderState) | undefined;
}

/** The State object of PROTOCOL.md, read fresh from its sources; `pinned` only when a line is pinned, `globalOrder` only in global order. */
export async function readStreamState(sources: StreamStateSources, stream: string): Promise<StreamState> {
  const [modes, figures, pinned] = await Promise.all([sources.state.getModes(stream), viewerFigures(sources.viewers, stream), sources.state.getPin(stream, Date.now())]);
  const state: StreamState = { ...figures, modes, rate: sources.sampling.rateOf(stream) };
  if (pinned !== null) state.pinned = pinned;
  if (modes.ordering === 'global' && sources.globalOrder !== undefined) state.globalOrder = sources.globalOrder(stream);
  return state;
}

/** The state after a change: `pinned: null` unpins. */
export function changedState(state: StreamState, change: StateChange): StreamState {
  const { pinned, ...rest } = change;
  const next: StreamState = { ...state, ...rest };
  if (pinned === null) delete next.pinned;
  else if (pinned !== undefined) next.pinned = pinned;
  return next;
}
