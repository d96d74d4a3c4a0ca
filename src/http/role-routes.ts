import type { FastifyInstance } from 'fastify';
import { Type, type Static } from 'typebox';
import type { Authenticator } from '../auth/tokens.ts';
import type { ModeratorActions } from '../chat/moderator-actions.ts';
import { GRANTABLE_ROLES } from '../protocol/types.ts';
import { identityOf } from './context.ts';
import * as S from './schemas.ts';

export interface RoleRoutesDeps {
  auth: Authenticator;
  moderation: ModeratorActions;
}

const GrantableRole = Type.Union(GRANTABLE_ROLES.map((role) => Type.Literal(role)));
const Grant = Type.Object({ user: Type.String(), roles: Type.Array(GrantableRole) });
const RolesBody = Type.Object({ roles: Type.Array(GrantableRole, { maxItems: GRANTABLE_ROLES.length }) }, { additionalProperties: false });
const UserParams = Type.Object({ s: S.StreamParams.properties.s, user: Type.String({ minLength: 1, maxLength: 128 }) });

/** Roles granted on the server (extension): the broadcaster grants moderator and VIP; moderators see who has them. */
export function registerRoleRoutes(app: FastifyInstance, d: RoleRoutesDeps): void {
  app.get<{ Params: Static<typeof S.StreamParams> }>('/api/streams/:s/roles', {
    schema: { summary: 'Moderator: users with roles granted on the server (extension)', tags: ['moderation'], security: S.bearer, params: S.StreamParams, response: { 200: Type.Object({ grants: Type.Array(Grant) }), '4xx': S.Refusal } },
  }, async (request) => {
    const grants = await d.moderation.listRoles(await identityOf(d.auth, request), request.params.s);
    return { grants: [...grants].map(([user, roles]) => ({ user, roles })) };
  });

  app.put<{ Params: Static<typeof UserParams>; Body: Static<typeof RolesBody> }>('/api/streams/:s/roles/:user', {
    schema: { summary: "Broadcaster: set a user's granted roles; an empty list revokes them (extension)", tags: ['moderation'], security: S.bearer, params: UserParams, body: RolesBody, response: { 204: Type.Null(), '4xx': S.Refusal } },
  }, async (request, reply) => {
    await d.moderation.setRoles(await identityOf(d.auth, request), request.params.s, request.params.user, request.body.roles);
    return reply.code(204).send();
  });
}
