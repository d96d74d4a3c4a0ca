import type { BusEvent } from '../bus/bus.ts';
import type { Metrics } from '../observability/metrics.ts';
import type { Message, Modes } from '../protocol/types.ts';
import { changedState } from '../chat/stream-state.ts';
import type { Channel } from './channel.ts';
import type { FrameContent } from './outbound-frame.ts';

// Events a stream may have waiting for its next flush. They pile up only
// while a fan-out is being written (broadcast lines arrive at the stream's
// sampled rate, so normally a few hundred); past this, a stalled gateway drops
// further lines for its viewers (counted; a seq gap, as sampling leaves)
// instead of holding them without bound. Retractions and state are kept.
const MAX_PENDING = 10_000;

/**
 * Puts one bus event into the channel's next flush; false when it adds
 * nothing (a line a re-read already put in, or one over the pending cap).
 */
export function takeEvent(channel: Channel, event: BusEvent, metrics: Metrics, region: string | undefined): boolean {
  switch (event.kind) {
    case 'msg':
      // The bus carries a stream in seq order, so a line at or below what a re-read put in is that line again.
      if (event.message.seq <= channel.resyncedUpTo) return false;
      if (event.message.seq > channel.newestSeq) channel.newestSeq = event.message.seq;
      if (channel.pending.length >= MAX_PENDING) {
        metrics.fanoutDropped.inc();
        return false;
      }
      channel.pending.push({ kind: 'msg', message: event.message });
      channel.waitingSince ??= waitStart(channel, event.message, region);
      return true;
    case 'retract': {
      const ids = new Set(event.ids);
      const known = channel.window.remove((m) => ids.has(m.id));
      const content: FrameContent = { kind: 'retract', stream: channel.stream, ids: event.ids, reason: event.reason, known, ...(event.by !== undefined ? { by: event.by } : {}) };
      channel.pending.push({ kind: 'frame', content });
      return true;
    }
    case 'clear': {
      const name = channel.window.remove((m) => m.user.id === event.user)[0]?.user.name;
      const content: FrameContent = { kind: 'clear', stream: channel.stream, user: event.user, name, reason: event.reason, seconds: event.seconds };
      channel.pending.push({ kind: 'frame', content });
      return true;
    }
    case 'clearAll':
      // The window keeps its lines: /clear empties screens, not history (docs/protocol.md).
      channel.pending.push({ kind: 'frame', content: { kind: 'clearAll', stream: channel.stream } });
      return true;
    case 'state':
      channel.state = changedState(channel.state, event.state);
      channel.stateDirty = true;
      // Mode changes and pins are a moderator's deliberate act (or a pin's end), and a global order that degrades or heals
      // changes what viewers see: show them now, not at the next tick.
      if (event.state.pinned !== undefined || event.state.globalOrder !== undefined) channel.lastStateAt = -Infinity;
      if (event.state.modes !== undefined) {
        channel.lastStateAt = -Infinity;
        noteModeChanges(channel, event.state.modes);
      }
      return true;
    case 'held':
    case 'reviewed':
    case 'modlog':
    case 'restricted':
    case 'warned':
      // Not part of any flush: delivered at once, to their few viewers (moderator-frames.ts).
      return false;
  }
}

/**
 * When a line began to wait on this gateway: its stamp; or its arrival here
 * for a line that entered this region's order later than its stamp (another
 * region's line, or any line of a stream in global order, held first).
 */
function waitStart(channel: Channel, message: Message, region: string | undefined): number {
  if (region === undefined) return message.ts;
  return message.origin !== region || channel.state.modes.ordering === 'global' ? Date.now() : message.ts;
}

function noteModeChanges(channel: Channel, modes: Modes): void {
  for (const mode of Object.keys(modes) as Array<keyof Modes>) {
    if (modes[mode] !== channel.announcedModes[mode] && !channel.changedModes.includes(mode)) channel.changedModes.push(mode);
  }
  channel.announcedModes = modes;
}
