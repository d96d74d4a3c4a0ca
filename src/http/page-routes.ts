import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { extname, join } from 'node:path';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { Type } from 'typebox';
import type { Logger } from 'pino';
import { STREAM_NAME } from '../protocol/types.ts';

export interface PageRoutesDeps {
  /** The bundler's output (web/dist): HTML pages, scripts and styles. */
  assetsDir: string;
  dev: boolean;
  /** The chat page's CSP img-src: this origin, data: and the operator's imageOrigins (emote and badge images). */
  imageSources: string;
  liveStreams: (limit: number) => Array<{ stream: string; viewers: number }>;
  logger: Logger;
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
};

// Scripts and styles only from this origin, nothing inline, nothing eval'd;
// sockets and fetches only to this origin; images from this origin and, on
// the chat page, the origins the operator allows for emotes and badges. The
// chat page may be framed by a host site (that is how it is embedded, and
// how OBS shows the overlay); the picker and the operator page not.
const cspFrameable = (imageSources: string): string =>
  `default-src 'none'; script-src 'self'; style-src 'self'; img-src ${imageSources}; connect-src 'self'; base-uri 'none'; form-action 'self'`;
const CSP_TOP_LEVEL = `${cspFrameable("'self' data:")}; frame-ancestors 'none'`;

const LIVE_STREAMS_SHOWN = 50;

/**
 * The browser pages: `/` (stream picker), `/s/:stream` (chat), `/ops`
 * (operator charts) and their bundled assets, all held in memory from the
 * build output. Without a build the pages answer 503 saying how to build.
 */
export function registerPageRoutes(app: FastifyInstance, d: PageRoutesDeps): void {
  const assets = loadAssets(d.assetsDir, d.dev);
  const chatCsp = cspFrameable(d.imageSources);
  if (assets.size === 0) d.logger.warn({ assetsDir: d.assetsDir }, 'web page assets are not built; run `npm run build:web`');

  const send = (reply: FastifyReply, name: string, csp: string): FastifyReply => {
    const asset = assets.get(name);
    reply.header('content-security-policy', csp).header('x-content-type-options', 'nosniff').header('referrer-policy', 'no-referrer');
    if (asset === undefined) return reply.code(503).type('text/plain; charset=utf-8').send('The web page is not built: run `npm run build:web` (npm install does it).');
    return reply.header('cache-control', 'no-cache').type(asset.type).send(asset.body);
  };

  const page = { hide: true };
  app.get('/', { schema: page }, async (_request, reply) => send(reply, 'index.html', CSP_TOP_LEVEL));
  app.get('/ops', { schema: page }, async (_request, reply) => send(reply, 'ops.html', CSP_TOP_LEVEL));
  app.get<{ Params: { stream: string } }>('/s/:stream', { schema: page }, async (request, reply) => {
    if (!STREAM_NAME.test(request.params.stream)) return reply.code(404).type('text/plain; charset=utf-8').send('No such stream name: 1-64 of A-Z a-z 0-9 _ -');
    return send(reply, 'chat.html', chatCsp);
  });
  app.get<{ Params: { file: string } }>('/assets/:file', { schema: page }, async (request, reply) => {
    // Only names the build produced are served: a lookup, never a path join.
    if (!assets.has(request.params.file) || request.params.file.endsWith('.html')) return reply.code(404).send({ code: 'invalid', message: 'no such asset' });
    return send(reply, request.params.file, CSP_TOP_LEVEL);
  });

  app.get('/api/streams', {
    schema: {
      summary: 'Streams someone signed in watches on this server, most signed-in viewers first (the stream picker)',
      description: 'viewers counts every viewer here, anonymous ones included; anonymous viewers alone never list a stream.',
      tags: ['chat'],
      response: { 200: Type.Object({ streams: Type.Array(Type.Object({ stream: Type.String(), viewers: Type.Integer() })) }) },
    },
  }, async () => ({ streams: d.liveStreams(LIVE_STREAMS_SHOWN) }));
}

function loadAssets(dir: string, dev: boolean): Map<string, { type: string; body: Buffer | string }> {
  const assets = new Map<string, { type: string; body: Buffer | string }>();
  if (!existsSync(dir)) return assets;
  for (const name of readdirSync(dir)) {
    const type = CONTENT_TYPES[extname(name)];
    if (type === undefined) continue;
    const body = readFileSync(join(dir, name));
    // Pages learn whether the development login is offered from one attribute, set here once.
    assets.set(name, { type, body: name.endsWith('.html') ? body.toString('utf8').replace('data-dev="false"', `data-dev="${dev}"`) : body });
  }
  return assets;
}
