import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { ImageSets } from '../chat/image-sets.ts';
import { IMPORT_FORMATS } from '../chat/emote-import.ts';
import { ChatError } from '../protocol/errors.ts';
import { MAX_EMOTE_NAME_LENGTH } from '../protocol/schemas.ts';
import { MAX_EMOTE_IMAGES, MAX_IMAGE_URL_LENGTH } from '../protocol/stream-images.ts';
import { ROLES } from '../protocol/types.ts';
import * as S from './schemas.ts';

export interface ImageRoutesDeps {
  images: ImageSets;
}

/** An exported third-party set is large (a 7TV set of 500 emotes is about 1.5 MB with its file lists). */
const IMPORT_BODY_LIMIT = 4 * 1024 * 1024;

const ImageUrl = Type.String({ minLength: 1, maxLength: MAX_IMAGE_URL_LENGTH, description: 'https (http only on a loopback host)' });
const EmoteImage = Type.Object(
  { name: Type.String({ minLength: 1, maxLength: MAX_EMOTE_NAME_LENGTH }), url: ImageUrl, animated: Type.Boolean() },
  { additionalProperties: false },
);
const BadgeImage = Type.Object({ role: Type.Enum(ROLES), url: ImageUrl }, { additionalProperties: false });
const Images = Type.Object(
  { emotes: Type.Array(EmoteImage, { maxItems: MAX_EMOTE_IMAGES }), badges: Type.Array(BadgeImage, { maxItems: ROLES.length }) },
  { additionalProperties: false },
);
const Display = Type.Object({ links: Type.Boolean(), emotes: Type.Array(EmoteImage), badges: Type.Array(BadgeImage) });
const ImportBody = Type.Object(
  { format: Type.Enum(IMPORT_FORMATS, { description: 'whose export `data` is: 7TV (v3 emote set or user), BTTV (channel or global), FFZ (room, set or global)' }), data: Type.Union([Type.Object({}), Type.Array(Type.Unknown())], { description: "the service's JSON answer, as exported" }) },
  { additionalProperties: false },
);
const Imported = Type.Object({ emotes: Type.Array(EmoteImage), badges: Type.Array(BadgeImage), imported: Type.Integer(), skipped: Type.Integer() });

/**
 * A stream's emote and badge images (extension): the broadcaster replaces or
 * imports them, moderators read them, and the chat page reads the display
 * (links allowed or not, the images from allowed origins) without a token.
 */
export function registerImageRoutes(base: FastifyInstance, d: ImageRoutesDeps): void {
  const app = base.withTypeProvider<TypeBoxTypeProvider>();
  app.get('/api/streams/:s/display', {
    schema: { summary: "How the chat page draws the stream's lines: links allowed, images from allowed origins (extension)", tags: ['chat'], params: S.StreamParams, response: { 200: Display, '4xx': S.Refusal } },
  }, async (request) => d.images.display(request.params.s));

  app.get('/api/streams/:s/images', {
    schema: { summary: "Moderator: the stream's emote and badge images (extension)", tags: ['moderation'], security: S.bearer, params: S.StreamParams, response: { 200: Images, '4xx': S.Refusal } },
  }, async (request) => d.images.get(request.identity, request.params.s));

  app.put('/api/streams/:s/images', {
    schema: { summary: "Broadcaster: replace the stream's emote and badge images (extension)", tags: ['moderation'], security: S.bearer, params: S.StreamParams, body: Images, response: { 200: Images, '4xx': S.Refusal } },
  }, async (request) => d.images.set(request.identity, request.params.s, request.body));

  app.post('/api/streams/:s/images/import', {
    bodyLimit: IMPORT_BODY_LIMIT,
    // The large body is read only for a request that carries a token at all.
    onRequest: async (request) => {
      if (request.headers.authorization === undefined) throw new ChatError('unauthorized', 'sign in as the broadcaster to import emotes');
    },
    schema: { summary: 'Broadcaster: add an emote set exported from 7TV, BTTV or FFZ; same names are replaced (extension)', tags: ['moderation'], security: S.bearer, params: S.StreamParams, body: ImportBody, response: { 200: Imported, '4xx': S.Refusal } },
  }, async (request) => {
    const { images, imported, skipped } = await d.images.importSet(request.identity, request.params.s, request.body.format, request.body.data);
    return { ...images, imported, skipped };
  });
}
