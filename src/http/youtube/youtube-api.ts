import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import type { ErrorObject } from 'ajv';
import type { ModeratorActions } from '../../chat/moderator-actions.ts';
import { asRefusal } from '../../chat/backend-error.ts';
import { ChatError } from '../../protocol/errors.ts';
import { registerMessageRoutes, type MessageRoutesDeps } from './message-routes.ts';
import { registerBanRoutes } from './ban-routes.ts';
import { registerModeratorRoutes } from './moderator-routes.ts';
import { bodyOf, fromChatError, fromValidation, YouTubeError, type Resource } from './youtube-errors.ts';

export interface YouTubeApiDeps extends MessageRoutesDeps {
  moderation: ModeratorActions;
  /** Where a backing service's failure is logged; the client gets its reference (backend-error.ts). */
  logger: Logger;
}

/** Where Google's clients find the API below their root URL (discovery's servicePath). */
export const YOUTUBE_PREFIX = '/youtube/v3';

/**
 * The YouTube Data API v3 live-chat layer (docs/youtube.md): Chorus streams,
 * lines and moderation in YouTube's shapes, so a tool built on Google's
 * client pointed here by its root URL works unchanged. Every rule is Chorus's
 * (ChatService for a send, ModeratorActions for the rest); only the words
 * differ, down to the error envelope, which this scope's own handlers answer.
 */
export function registerYouTubeApi(app: FastifyInstance, d: YouTubeApiDeps): void {
  void app.register(async (yt) => {
    yt.setErrorHandler((err, request, reply) => {
      const refusal = youTubeErrorOf(err, request, d.logger);
      if (refusal.retryAfterMs !== undefined) reply.header('retry-after', Math.ceil(refusal.retryAfterMs / 1000));
      return reply.code(refusal.status).send(bodyOf(refusal));
    });
    yt.setNotFoundHandler((_request, reply) => reply.code(404).send(bodyOf(new YouTubeError(404, 'global', 'notFound', 'no such resource in this API'))));
    registerMessageRoutes(yt, d);
    registerBanRoutes(yt, d.moderation);
    registerModeratorRoutes(yt, d.moderation);
  }, { prefix: YOUTUBE_PREFIX });
}

function youTubeErrorOf(err: unknown, request: FastifyRequest, logger: Logger): YouTubeError {
  if (err instanceof YouTubeError) return err;
  const e = err as { validation?: ErrorObject[]; validationContext?: string; statusCode?: number; message?: string };
  if (e.validation !== undefined && e.validation.length > 0) return fromValidation(e.validation, e.validationContext);
  if (!(err instanceof ChatError) && e.statusCode !== undefined && e.statusCode >= 400 && e.statusCode < 500) {
    // Fastify's own refusals (a body over its limit, malformed JSON): the client's, in its words.
    return new YouTubeError(e.statusCode === 413 ? 413 : 400, 'global', e.statusCode === 413 ? 'messageTextInvalid' : 'parseError', e.message ?? 'bad request');
  }
  return fromChatError(asRefusal(logger, err, { method: request.method, url: request.url }), resourceOf(request));
}

function resourceOf(request: FastifyRequest): Resource {
  const url = request.routeOptions.url ?? '';
  return url.endsWith('/bans') ? 'bans' : url.endsWith('/moderators') ? 'moderators' : 'messages';
}
