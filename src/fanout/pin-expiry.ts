import type { Channel } from './channel.ts';

/**
 * Ends a pinned line's time on this gateway: at its `until`, `unpin` runs
 * (the hub turns it into a state change for every viewer here). Every
 * gateway arms its own timer from the same `until`, and the state store
 * stops answering the pin at that moment too, so no gateway has to tell the
 * others. Call whenever the channel's state may have changed its pin; a pin
 * lasts at most a day (MAX_PIN_SECONDS), well within a timer's range.
 */
export function armPinExpiry(channel: Channel, unpin: () => void, now: number): void {
  const until = channel.state.pinned?.until;
  if (until === channel.pinTimerUntil) return;
  clearPinExpiry(channel);
  if (until === undefined) return;
  channel.pinTimerUntil = until;
  channel.pinTimer = setTimeout(() => {
    channel.pinTimer = undefined;
    channel.pinTimerUntil = undefined;
    if (channel.state.pinned?.until === until) unpin();
  }, Math.max(0, until - now));
  channel.pinTimer.unref();
}

export function clearPinExpiry(channel: Channel): void {
  clearTimeout(channel.pinTimer);
  channel.pinTimer = undefined;
  channel.pinTimerUntil = undefined;
}
