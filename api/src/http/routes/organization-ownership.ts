import type { Server } from 'restify';
import { ApiProblem } from '../problem';
import { holdsAny, ownershipRoleIds } from '../auth/authenticate';
import { serveRoute, type Authenticate } from '../typed-routes';
import type { ApiServices } from '../api-services';

/** Who owns an organization: taken by a tenant's Global or Privileged Role Administrator, or handed over by the owner. */
export function serveOrganizationOwnership(server: Server, authenticate: Authenticate, services: ApiServices): void {
  const { members } = services.store;

  serveRoute(server, 'takeOwnership', authenticate, async ({ principal }) => {
    if (!holdsAny(principal, ownershipRoleIds)) {
      throw new ApiProblem(403, 'OWNERSHIP_ROLE_REQUIRED', 'Only a Global Administrator or Privileged Role Administrator of your tenant can take ownership. Ask the owner to hand it to you instead.');
    }
    const me = { userObjectId: principal.userObjectId, email: principal.email, name: principal.name };
    await members.changeOwner(principal.organizationId, me, 'ownership_taken', me);
    services.logger.warn({ organizationId: principal.organizationId, userObjectId: principal.userObjectId }, 'ownership taken by a tenant administrator');
    return me;
  });

  serveRoute(server, 'transferOwnership', authenticate, async ({ principal, body }) => {
    const next = await members.find(principal.organizationId, body.userObjectId);
    if (!next) throw new ApiProblem(404, 'MEMBER_NOT_FOUND', 'This person is not a member of your organization in Users Sync. They sign in once first, then you can hand ownership to them.');
    const to = { userObjectId: next.userObjectId, email: next.email, name: next.name };
    await members.changeOwner(principal.organizationId, to, 'ownership_transferred', { userObjectId: principal.userObjectId, email: principal.email, name: principal.name });
    return to;
  });

  serveRoute(server, 'auditLog', authenticate, async ({ principal }) => ({
    entries: (await members.auditLog(principal.organizationId)).map(({ at, action, actorEmail, detail }) => ({ at, action, actorEmail, detail })),
  }));
}
