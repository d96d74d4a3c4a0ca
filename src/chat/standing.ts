import type { Bus } from '../bus/bus.ts';
import type { Draft } from '../broker/broker.ts';
import { ChatError } from '../protocol/errors.ts';

// What a user's standing (a moderator's warning or restriction, state.ts's
// Standing) does to their sends, apart from the send path itself.

/** A send while a warning waits for acknowledgement; the reason is the moderator's own words. */
export function warnedRefusal(reason: string): ChatError {
  return new ChatError('warned', `a moderator warned you: ${reason}. Acknowledge the warning to chat again`);
}

/**
 * A restricted user's line (a shadow ban): never stamped, stored or put in the
 * stream's order (it has no seq: 0), and never part of a flush. The bus
 * carries it as a `restricted` event, which each gateway hands only to the
 * stream's moderators and the author's own connections (moderator-frames.ts),
 * so the shared bytes every other viewer gets never hold it.
 */
export async function publishRestricted(bus: Bus, draft: Draft): Promise<void> {
  await bus.publish(draft.stream, { kind: 'restricted', message: { ...draft, seq: 0 } });
}
