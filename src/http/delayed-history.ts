import type { Identity } from '../auth/identity.ts';
import type { ModeratorActions } from '../chat/moderator-actions.ts';
import type { StreamSettings } from '../chat/stream-settings.ts';
import type { Message } from '../protocol/types.ts';

/**
 * The chat delay over HTTP: a reader other than the broadcaster and
 * moderators gets no line younger than the stream's `chatDelaySeconds`, so
 * polling or replaying cannot show a line a moderator may still delete. The
 * youngest time a line it is shown may have, or undefined when nothing is cut.
 */
export async function delayCutoff(settings: StreamSettings, moderation: ModeratorActions, identity: Identity | null, stream: string, now: number): Promise<number | undefined> {
  const { modes } = await settings.of(stream);
  if (modes.chatDelaySeconds === 0 || (await moderation.isModerator(identity, stream))) return undefined;
  return now - modes.chatDelaySeconds * 1000;
}

/** The page's lines up to the first one younger than `cutoff` (a prefix, so polling on from its last seq leaves no gap). */
export function olderThan(messages: Message[], cutoff: number): Message[] {
  const young = messages.findIndex((m) => m.ts > cutoff);
  return young === -1 ? messages : messages.slice(0, young);
}
