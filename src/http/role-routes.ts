import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { ModeratorActions } from '../chat/moderator-actions.ts';
import { GrantableRole, StreamName, UserId } from '../protocol/schemas.ts';
import { GRANTABLE_ROLES } from '../protocol/types.ts';
import * as S from './schemas.ts';

export interface RoleRoutesDeps {
  moderation: ModeratorActions;
}

const Grant = Type.Object({ user: Type.String(), roles: Type.Array(GrantableRole) });
const RolesBody = Type.Object({ roles: Type.Array(GrantableRole, { maxItems: GRANTABLE_ROLES.length }) }, { additionalProperties: false });
const UserParams = Type.Object({ s: StreamName, user: UserId });

/** Roles granted on the server (extension): the broadcaster grants moderator and VIP; moderators see who has them. */
export function registerRoleRoutes(base: FastifyInstance, d: RoleRoutesDeps): void {
  const app = base.withTypeProvider<TypeBoxTypeProvider>();
  app.get('/api/streams/:s/roles', {
    schema: { summary: 'Moderator: users with roles granted on the server (extension)', tags: ['moderation'], security: S.bearer, params: S.StreamParams, response: { 200: Type.Object({ grants: Type.Array(Grant) }), '4xx': S.Refusal } },
  }, async (request) => {
    const grants = await d.moderation.listRoles(request.identity, request.params.s);
    return { grants: [...grants].map(([user, roles]) => ({ user, roles })) };
  });

  app.put('/api/streams/:s/roles/:user', {
    schema: { summary: "Broadcaster: set a user's granted roles; an empty list revokes them (extension)", tags: ['moderation'], security: S.bearer, params: UserParams, body: RolesBody, response: { 204: Type.Null(), '4xx': S.Refusal } },
  }, async (request, reply) => {
    await d.moderation.setRoles(request.identity, request.params.s, request.params.user, request.body.roles);
    return reply.code(204).send(null);
  });
}
