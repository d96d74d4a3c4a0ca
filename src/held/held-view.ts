import type { BusEvent, HeldView, ReviewOutcome } from '../bus/bus.ts';
import type { HeldMessage } from './held-store.ts';

/** What moderators are shown of a held line (v1 `held` frame, GET .../held), in every region that holds it. */
export function heldView(held: HeldMessage, ttlMs: number): HeldView {
  const view: HeldView = { id: held.id, user: held.user, text: held.text, reason: held.reason, heldAt: held.heldAt, expiresAt: held.heldAt + ttlMs };
  if (held.emotes !== undefined && held.emotes.length > 0) view.emotes = held.emotes;
  return view;
}

/** What moderators and the author are told of a held line's outcome; `seq` is an approved line's (where it was published). */
export function reviewedEvent(held: HeldMessage, outcome: ReviewOutcome, seq?: number): BusEvent {
  return { kind: 'reviewed', id: held.id, user: held.user.id, text: held.text, outcome, ...(seq !== undefined ? { seq } : {}) };
}
