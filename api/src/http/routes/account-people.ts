import type { Server } from 'restify';
import type { MemberGrant, OrganizationMember } from '../../store';
import { ApiProblem } from '../problem';
import { serveRoute, type Authenticate } from '../typed-routes';
import type { ApiServices } from '../api-services';

const grantWords = { creator: 'created_the_account', directory_role: 'microsoft_admin', owner: 'added_by_owner', ownership: 'became_owner' } as const satisfies Record<MemberGrant, string>;

const personRepresentation = (member: OrganizationMember) => ({
  id: member.userObjectId,
  name: member.name,
  email: member.email,
  role: member.role,
  grantedBy: grantWords[member.grantedBy],
  invited: member.invited,
  since: member.createdAt,
});

/** The account's owner and admins; the owner adds and removes admins. */
export function serveAccountPeople(server: Server, authenticate: Authenticate, services: ApiServices): void {
  const { store } = services;
  const people = async (organizationId: string) => ({ people: (await store.members.people(organizationId)).map(personRepresentation) });

  serveRoute(server, 'listAccountPeople', authenticate, async ({ principal }) => people(principal.organizationId));

  serveRoute(server, 'addAccountAdmin', authenticate, async ({ principal, body }) => {
    if (!(await store.members.addAdminByEmail(principal.organizationId, body.email))) {
      throw new ApiProblem(409, 'ALREADY_A_MEMBER', `${body.email} is already an owner or admin of this account.`);
    }
    return people(principal.organizationId);
  });

  serveRoute(server, 'removeAccountAdmin', authenticate, async ({ principal, params }) => {
    const personId = params.personId ?? '';
    if (personId === principal.userObjectId) throw new ApiProblem(409, 'CANNOT_REMOVE_OWNER', 'The owner cannot be removed. Ownership moves only by a transfer.');
    if (!(await store.members.removeAdmin(principal.organizationId, personId))) {
      throw new ApiProblem(404, 'ADMIN_NOT_FOUND', 'This person is not an admin of your account. Reload the list of people.');
    }
    return people(principal.organizationId);
  });
}
