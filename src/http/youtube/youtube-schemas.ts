import { Type, type Static } from 'typebox';
import { MAX_TIMEOUT_SECONDS, SendText, StreamName, UserId } from '../../protocol/schemas.ts';
import { MAX_RESOURCE_ID_LENGTH } from './resource-ids.ts';

// The YouTube Data API v3 live-chat shapes this layer reads and writes
// (docs/youtube.md). Request fields reuse the schemas of the v1 frames, so a
// stream name, a user id or a text is bounded here as everywhere.

/** A liveChatId is a Chorus stream name. */
export const LiveChatId = StreamName;

/** `part=snippet,authorDetails` or the parameter repeated, as Google's clients send an array. */
export const Part = Type.Array(Type.String({ maxLength: 100, examples: ['snippet'] }), { minItems: 1, maxItems: 10 });
const PageToken = Type.String({ maxLength: 64 });

export const MessageListQuery = Type.Object({
  liveChatId: LiveChatId,
  part: Part,
  pageToken: Type.Optional(PageToken),
  maxResults: Type.Optional(Type.Integer({ minimum: 200, maximum: 2000, description: 'default 500; also bounded by the history read limits (replayMax, anonymousReadMax)', 'x-refusal': 'maxResults must be an integer from 200 to 2000' })),
});

export const PartQuery = Type.Object({ part: Part });
export const IdQuery = Type.Object({ id: Type.String({ minLength: 1, maxLength: MAX_RESOURCE_ID_LENGTH, description: 'an id this layer gave: <liveChatId>.<Chorus id>', examples: ['demo.abc'] }) });

export const MessageInsert = Type.Object({
  snippet: Type.Object({
    liveChatId: LiveChatId,
    type: Type.Literal('textMessageEvent', { description: 'the only type a client may post here', 'x-refusal': 'type must be textMessageEvent' }),
    textMessageDetails: Type.Object({ messageText: SendText }),
  }),
});

/** uint64 as Google's JSON carries it (a decimal string), or a plain integer. */
const Seconds = Type.Union([Type.Integer({ minimum: 1, maximum: MAX_TIMEOUT_SECONDS }), Type.String({ pattern: '^[1-9][0-9]{0,6}$' })], { 'x-refusal': `banDurationSeconds must be an integer from 1 to ${MAX_TIMEOUT_SECONDS}` });

export const BanInsert = Type.Object({
  snippet: Type.Object({
    liveChatId: LiveChatId,
    type: Type.Union([Type.Literal('permanent'), Type.Literal('temporary')], { 'x-refusal': 'type must be permanent or temporary' }),
    banDurationSeconds: Type.Optional(Seconds),
    bannedUserDetails: Type.Object({ channelId: UserId }),
  }),
});
export type BanInsert = Static<typeof BanInsert>;

export const ModeratorListQuery = Type.Object({
  liveChatId: LiveChatId,
  part: Part,
  pageToken: Type.Optional(PageToken),
  maxResults: Type.Optional(Type.Integer({ minimum: 0, maximum: 50, description: 'default 5', 'x-refusal': 'maxResults must be an integer from 0 to 50' })),
});

const PageInfo = Type.Object({ totalResults: Type.Integer(), resultsPerPage: Type.Integer() });
const ChannelProfile = Type.Object({ channelId: Type.String(), displayName: Type.Optional(Type.String()) });

export const AuthorDetails = Type.Object({
  channelId: Type.String(),
  displayName: Type.String(),
  isVerified: Type.Boolean(),
  isChatOwner: Type.Boolean(),
  isChatSponsor: Type.Boolean(),
  isChatModerator: Type.Boolean(),
});

export const LiveChatMessage = Type.Object({
  kind: Type.Literal('youtube#liveChatMessage'),
  id: Type.String(),
  snippet: Type.Optional(Type.Object({
    type: Type.Union([Type.Literal('textMessageEvent'), Type.Literal('newSponsorEvent'), Type.Literal('memberMilestoneChatEvent'), Type.Literal('membershipGiftingEvent')]),
    liveChatId: Type.String(),
    authorChannelId: Type.String(),
    publishedAt: Type.String({ format: 'date-time' }),
    hasDisplayContent: Type.Boolean(),
    displayMessage: Type.String(),
    textMessageDetails: Type.Optional(Type.Object({ messageText: Type.String() })),
    newSponsorDetails: Type.Optional(Type.Object({ memberLevelName: Type.String(), isUpgrade: Type.Boolean() })),
    memberMilestoneChatDetails: Type.Optional(Type.Object({ memberLevelName: Type.String(), memberMonth: Type.Integer(), userComment: Type.String() })),
    membershipGiftingDetails: Type.Optional(Type.Object({ giftMembershipsCount: Type.Integer(), giftMembershipsLevelName: Type.String() })),
  })),
  authorDetails: Type.Optional(AuthorDetails),
});
export type LiveChatMessage = Static<typeof LiveChatMessage>;

export const MessageList = Type.Object({
  kind: Type.Literal('youtube#liveChatMessageListResponse'),
  nextPageToken: Type.String(),
  pollingIntervalMillis: Type.Integer(),
  offlineAt: Type.Optional(Type.String({ format: 'date-time', description: 'never set: a Chorus stream does not end' })),
  pageInfo: PageInfo,
  items: Type.Array(LiveChatMessage),
});

export const LiveChatBan = Type.Object({
  kind: Type.Literal('youtube#liveChatBan'),
  id: Type.String(),
  snippet: Type.Object({
    liveChatId: Type.String(),
    type: Type.Union([Type.Literal('permanent'), Type.Literal('temporary')]),
    banDurationSeconds: Type.Optional(Type.String()),
    bannedUserDetails: ChannelProfile,
  }),
});

export const LiveChatModerator = Type.Object({
  kind: Type.Literal('youtube#liveChatModerator'),
  id: Type.String(),
  snippet: Type.Optional(Type.Object({ liveChatId: Type.String(), moderatorDetails: ChannelProfile })),
});

export const ModeratorList = Type.Object({
  kind: Type.Literal('youtube#liveChatModeratorListResponse'),
  nextPageToken: Type.Optional(Type.String()),
  pageInfo: PageInfo,
  items: Type.Array(LiveChatModerator),
});

export const ErrorBody = Type.Object({
  error: Type.Object({
    code: Type.Integer(),
    message: Type.String(),
    errors: Type.Array(Type.Object({ domain: Type.String(), reason: Type.String(), message: Type.String() })),
  }),
}, { description: "Google's error envelope (docs/youtube.md)" });
