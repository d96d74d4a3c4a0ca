import { Type } from 'typebox';
import { ModReason, Modes, StreamName, TimeoutSeconds } from '../protocol/schemas.ts';
import { ANNOUNCEMENT_COLORS, ERROR_CODES, NOTICE_KINDS, ROLES, SUB_PLANS } from '../protocol/types.ts';

// JSON schemas of the HTTP API: Fastify validates requests with them and the
// OpenAPI page at /docs is generated from them. What a client sends is built
// from src/protocol/schemas.ts, the schemas the WebSocket frames are checked by.

export const StreamParams = Type.Object({ s: StreamName });

export const Refusal = Type.Object(
  {
    code: Type.Enum(ERROR_CODES),
    message: Type.String(),
    retryAfterMs: Type.Optional(Type.Integer()),
  },
  { description: 'refused; nothing was published' },
);

export const User = Type.Object({
  id: Type.String(),
  name: Type.String(),
  color: Type.Optional(Type.String()),
  badges: Type.Array(Type.Enum(ROLES)),
});

export const Emote = Type.Object({ name: Type.String(), start: Type.Integer(), end: Type.Integer() });
const UserRef = Type.Object({ id: Type.String(), name: Type.String() });

export const Message = Type.Object({
  id: Type.String(),
  stream: Type.String(),
  seq: Type.Integer(),
  ts: Type.Integer(),
  user: User,
  text: Type.String(),
  emotes: Type.Optional(Type.Array(Emote)),
  reply: Type.Optional(Type.Object({ id: Type.String(), user: UserRef, text: Type.String(), thread: Type.Object({ id: Type.String(), user: UserRef }) }, { description: 'the line this one replies to (extension)' })),
  announcement: Type.Optional(Type.Enum(ANNOUNCEMENT_COLORS, { description: "a moderator's announcement, in this colour (extension)" })),
  notice: Type.Optional(Type.Object({
    kind: Type.Enum(NOTICE_KINDS),
    system: Type.String(),
    months: Type.Optional(Type.Integer()),
    plan: Type.Optional(Type.Enum(SUB_PLANS)),
    recipient: Type.Optional(UserRef),
    count: Type.Optional(Type.Integer()),
    viewers: Type.Optional(Type.Integer()),
  }, { description: "the host site's system notice (extension)" })),
  first: Type.Optional(Type.Literal(true, { description: "the user's first line in this stream (extension)" })),
  returning: Type.Optional(Type.Literal(true, { description: "a returning chatter's first line after a long silence (extension)" })),
  reviewed: Type.Optional(Type.Literal(true, { description: 'held for review and approved by a moderator (extension)' })),
});

export const State = Type.Object({
  viewers: Type.Integer(),
  modes: Modes,
  rate: Type.Object({ perSecond: Type.Number(), sampling: Type.Boolean(), keepRatio: Type.Number() }),
  pinned: Type.Optional(Type.Object({ message: Message, by: UserRef, at: Type.Integer(), until: Type.Optional(Type.Integer()) }, { description: 'the pinned line (extension)' })),
  globalOrder: Type.Optional(Type.Object({ degraded: Type.Boolean(), leftOut: Type.Array(Type.String()) }, { description: 'multi-region mode, global ordering: whether some region is left out of the wait (extension)' })),
});

/** A stream's rules as the server answers them (a change is RulesChange). */
export const Rules = Type.Object({
  blockedTerms: Type.Array(Type.String()),
  blockLinks: Type.Boolean(),
  emotes: Type.Optional(Type.Array(Type.String(), { description: "the stream's own emote set (extension)" })),
});

export const Accepted = Type.Object({ id: Type.String(), seq: Type.Integer(), ts: Type.Integer(), sampled: Type.Boolean() });

export const BanBody = Type.Union([
  Type.Object({ seconds: Type.Optional(TimeoutSeconds), reason: ModReason }, { additionalProperties: false, description: 'with seconds, a timeout; without, a ban; reason is kept in the audit log' }),
  Type.Null(),
]);

export const Roles = Type.Record(Type.String({ pattern: '^[A-Za-z0-9_-]{1,64}$' }), Type.Array(Type.Enum(ROLES)));

export const bearer = [{ bearer: [] as string[] }];
/** A token is optional (`{}`), but one that is sent must be valid. */
export const optionalBearer: Array<Record<string, string[]>> = [{}, { bearer: [] }];
