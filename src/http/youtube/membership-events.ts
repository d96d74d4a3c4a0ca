import type { SystemNotice } from '../../protocol/types.ts';
import type { LiveChatMessage } from './youtube-schemas.ts';

type Snippet = NonNullable<LiveChatMessage['snippet']>;
/** What a notice sets in a snippet besides the fields every item has. */
export type EventFields = Pick<Snippet, 'type' | 'newSponsorDetails' | 'memberMilestoneChatDetails' | 'membershipGiftingDetails'>;

/**
 * The host site's subscription notices as YouTube's membership events (a
 * subscriber is a channel member, `isChatSponsor`); the plan is the level's
 * name. A gift to one user and a raid have no YouTube event of their own:
 * undefined, and they stay text (docs/youtube.md).
 */
export function membershipEvent(notice: SystemNotice, userComment: string): EventFields | undefined {
  const memberLevelName = notice.plan ?? '';
  switch (notice.kind) {
    case 'sub':
      return { type: 'newSponsorEvent', newSponsorDetails: { memberLevelName, isUpgrade: false } };
    case 'resub':
      return { type: 'memberMilestoneChatEvent', memberMilestoneChatDetails: { memberLevelName, memberMonth: notice.months ?? 1, userComment } };
    case 'submysterygift':
      return { type: 'membershipGiftingEvent', membershipGiftingDetails: { giftMembershipsCount: notice.count ?? 1, giftMembershipsLevelName: memberLevelName } };
    default:
      return undefined;
  }
}
