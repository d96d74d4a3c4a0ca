import type { Message, User } from '../../protocol/types.ts';
import type { LiveChatMessage } from './youtube-schemas.ts';
import { resourceId } from './resource-ids.ts';
import { YouTubeError } from './youtube-errors.ts';
import { membershipEvent } from './membership-events.ts';

// Chorus objects as YouTube's live-chat resources (the mapping table is in
// docs/youtube.md). A user id is a channelId; roles are the is* flags.

/** The parts a request names (`part`), each comma-separated list read; one outside `known` is refused as YouTube does. */
export function partsOf(part: readonly string[], known: readonly string[]): Set<string> {
  const parts = new Set(part.flatMap((p) => p.split(',')).map((p) => p.trim()).filter((p) => p !== ''));
  for (const p of parts) {
    if (!known.includes(p)) throw new YouTubeError(400, 'youtube.part', 'unknownPart', `part must name only ${known.join(', ')}; got ${JSON.stringify(p.slice(0, 32))}`);
  }
  if (parts.size === 0) throw new YouTubeError(400, 'youtube.parameter', 'missingRequiredParameter', 'part must name at least one part');
  return parts;
}

export const MESSAGE_PARTS = ['id', 'snippet', 'authorDetails'] as const;

export function authorDetails(user: User): NonNullable<LiveChatMessage['authorDetails']> {
  return {
    channelId: user.id,
    displayName: user.name,
    isVerified: false,
    isChatOwner: user.badges.includes('broadcaster'),
    isChatSponsor: user.badges.includes('subscriber'),
    isChatModerator: user.badges.includes('moderator'),
  };
}

/**
 * A line as a textMessageEvent; a host site's subscription notice as its
 * membership event (membership-events.ts), any other notice (a gift to one
 * user, a raid) as text showing its sentence. A reply or an announcement
 * shows its text (YouTube has neither).
 */
export function liveChatMessage(message: Message, parts: ReadonlySet<string>): LiveChatMessage {
  const item: LiveChatMessage = { kind: 'youtube#liveChatMessage', id: resourceId(message.stream, message.id) };
  if (parts.has('snippet')) {
    const display = message.notice === undefined ? message.text : `${message.notice.system} ${message.text}`.trim();
    const event = message.notice === undefined ? undefined : membershipEvent(message.notice, message.text);
    item.snippet = {
      liveChatId: message.stream,
      authorChannelId: message.user.id,
      publishedAt: new Date(message.ts).toISOString(),
      hasDisplayContent: true,
      displayMessage: display,
      ...(event ?? { type: 'textMessageEvent', textMessageDetails: { messageText: message.text === '' ? display : message.text } }),
    };
  }
  if (parts.has('authorDetails')) item.authorDetails = authorDetails(message.user);
  return item;
}
