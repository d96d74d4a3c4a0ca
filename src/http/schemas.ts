import { Type } from 'typebox';
import { MAX_SLOW_SECONDS, MAX_TIMEOUT_SECONDS } from '../protocol/client-frames.ts';
import { ERROR_CODES, ROLES } from '../protocol/types.ts';

// JSON schemas of the HTTP API: Fastify validates requests with them and the
// OpenAPI page at /docs is generated from them.

export const StreamParams = Type.Object({ s: Type.String({ pattern: '^[A-Za-z0-9_-]{1,64}$', description: 'stream name' }) });

export const Refusal = Type.Object(
  {
    code: Type.Union(ERROR_CODES.map((c) => Type.Literal(c))),
    message: Type.String(),
    retryAfterMs: Type.Optional(Type.Integer()),
  },
  { description: 'refused; nothing was published' },
);

export const User = Type.Object({
  id: Type.String(),
  name: Type.String(),
  color: Type.Optional(Type.String()),
  badges: Type.Array(Type.Union(ROLES.map((r) => Type.Literal(r)))),
});

export const Message = Type.Object({
  id: Type.String(),
  stream: Type.String(),
  seq: Type.Integer(),
  ts: Type.Integer(),
  user: User,
  text: Type.String(),
  emotes: Type.Optional(Type.Array(Type.Object({ name: Type.String(), start: Type.Integer(), end: Type.Integer() }))),
});

export const Modes = Type.Object({
  slowSeconds: Type.Integer({ minimum: 0, maximum: MAX_SLOW_SECONDS }),
  subscribersOnly: Type.Boolean(),
  emoteOnly: Type.Boolean(),
});

export const PartialModes = Type.Partial(Modes, { additionalProperties: false });

export const State = Type.Object({
  viewers: Type.Integer(),
  modes: Modes,
  rate: Type.Object({ perSecond: Type.Number(), sampling: Type.Boolean(), keepRatio: Type.Number() }),
});

export const Rules = Type.Object(
  {
    blockedTerms: Type.Array(Type.String({ minLength: 1, maxLength: 100 }), { maxItems: 1000 }),
    blockLinks: Type.Boolean(),
    emotes: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 64 }), { maxItems: 500, description: "the stream's own emote set (extension)" })),
  },
  { additionalProperties: false },
);

export const Accepted = Type.Object({ id: Type.String(), seq: Type.Integer(), ts: Type.Integer(), sampled: Type.Boolean() });

export const BanBody = Type.Union([
  Type.Object({ seconds: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_TIMEOUT_SECONDS, description: 'a timeout; without it, a ban' })) }, { additionalProperties: false }),
  Type.Null(),
]);

export const Roles = Type.Record(Type.String({ pattern: '^[A-Za-z0-9_-]{1,64}$' }), Type.Array(Type.Union(ROLES.map((r) => Type.Literal(r)))));

export const bearer = [{ bearer: [] as string[] }];
/** A token is optional (`{}`), but one that is sent must be valid. */
export const optionalBearer: Array<Record<string, string[]>> = [{}, { bearer: [] }];
