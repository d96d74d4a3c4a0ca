import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Authenticator } from '../auth/tokens.ts';
import { USER_NAME, profileOf } from '../auth/identity.ts';
import { encodeIrcToken } from '../auth/irc-token.ts';
import * as S from './schemas.ts';

const DevTokenBody = Type.Object(
  {
    name: Type.String({ pattern: USER_NAME.source, description: '1-25 of A-Z a-z 0-9 _; the same name always gets the same user id' }),
    roles: Type.Optional(S.Roles),
    color: Type.Optional(Type.String({ pattern: '^#[0-9a-fA-F]{6}$' })),
  },
  { additionalProperties: false },
);

/** POST /api/dev/token: registered only in development mode. */
export function registerDevRoutes(base: FastifyInstance, auth: Authenticator): void {
  const app = base.withTypeProvider<TypeBoxTypeProvider>();
  app.post('/api/dev/token', {
    schema: {
      summary: 'Development mode only: a token for any name and roles',
      tags: ['development'],
      body: DevTokenBody,
      response: { 200: Type.Object({ token: Type.String(), ircToken: Type.String({ description: 'the same token as an IRC password (PASS oauth:<ircToken>)' }), user: S.User }) },
    },
  }, async (request) => {
    const { name, roles = {}, color } = request.body;
    const { token, identity } = await auth.issueDevToken(name, roles, color);
    return { token, ircToken: encodeIrcToken(token), user: profileOf(identity) };
  });
}
