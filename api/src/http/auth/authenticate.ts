import type { Request } from 'restify';
import type { Role } from '../../contract';
import { ApiProblem } from '../problem';
import type { EntraIdentity } from './entra-token';
import type { Principal } from './principal';

/**
 * Entra directory roles that may set up the sync (the guide's prerequisite: someone who
 * can authorize a third-party application): Global Administrator, Privileged Role
 * Administrator, Cloud Application Administrator, Application Administrator.
 */
export const microsoftAdminRoleIds = new Set([
  '62e90394-69f5-4237-9190-012177145e10',
  'e8611ab8-c189-46e8-94e1-60213ab1f814',
  '158c047a-c907-4556-b7ef-446551a6b5f7',
  '9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3',
]);

export interface Membership {
  organizationId: string;
  role: Role;
}

/** Who belongs to which organization; the store implements it. */
/** Global Administrator and Privileged Role Administrator: they may take ownership of their tenant's organization. */
export const ownershipRoleIds = new Set(['62e90394-69f5-4237-9190-012177145e10', 'e8611ab8-c189-46e8-94e1-60213ab1f814']);

export const holdsAny = (identity: { directoryRoleIds: readonly string[] }, roleIds: ReadonlySet<string>) => identity.directoryRoleIds.some((id) => roleIds.has(id));

export interface MemberDirectory {
  /** The organization a tenant's people sign in to, with this person's role in it if they have one. */
  membership(tenantId: string, userObjectId: string): Promise<{ organizationId: string; role: Role | null; fromDirectoryRole: boolean; ownerEmail: string } | undefined>;
  /** First sign-in from a tenant: the organization is created and this person owns it. */
  createOrganization(identity: EntraIdentity): Promise<Membership>;
  /** A Microsoft admin of the tenant joins as admin, for as long as their tokens carry the role. */
  addDirectoryAdmin(organizationId: string, identity: EntraIdentity): Promise<Membership>;
  removeDirectoryAdmin(organizationId: string, identity: EntraIdentity): Promise<void>;
}

const bearer = /^Bearer\s+([A-Za-z0-9\-_.~+/]+=*)$/;

/**
 * Authenticates a request: a valid Entra token, whose tenant selects the organization.
 * The first person of a tenant to sign in creates the organization and owns it;
 * Microsoft admins of that tenant join it as admins; anyone else is refused and told
 * who to ask.
 */
export function createAuthenticator(verify: (token: string) => Promise<EntraIdentity>, members: MemberDirectory) {
  return async function authenticate(req: Request, access: 'member' | 'owner'): Promise<Principal> {
    const header = req.headers.authorization;
    const match = typeof header === 'string' ? bearer.exec(header) : null;
    if (!match?.[1]) throw new ApiProblem(401, 'TOKEN_MISSING', 'Sign in to Users Sync: this request carried no access token.');
    const identity = await verify(match[1]);
    // Guests sign in from another organization: they never create, join or own this one (and learn nothing of who owns it).
    if (identity.guest) {
      throw new ApiProblem(403, 'GUEST_NOT_ALLOWED', 'Guest accounts cannot use Users Sync for this organization. Sign in with an account of the organization itself.');
    }

    let membership: Membership;
    const isMicrosoftAdmin = holdsAny(identity, microsoftAdminRoleIds);
    const known = await members.membership(identity.tenantId, identity.objectId);
    if (!known) {
      membership = await members.createOrganization(identity);
    } else if (known.role && !(known.fromDirectoryRole && !isMicrosoftAdmin)) {
      membership = { organizationId: known.organizationId, role: known.role };
    } else if (isMicrosoftAdmin) {
      membership = await members.addDirectoryAdmin(known.organizationId, identity);
    } else {
      // Rights an Entra role gave end with the role, at the first request after its removal.
      if (known.role) await members.removeDirectoryAdmin(known.organizationId, identity);
      throw new ApiProblem(403, 'NOT_A_MEMBER', `You are not an administrator of Users Sync for your organization. Ask ${known.ownerEmail} to add you.`);
    }

    if (access === 'owner' && membership.role !== 'owner') {
      throw new ApiProblem(403, 'OWNER_ONLY', 'Only the account owner can do this. Ask them to do it, or to make you the owner.');
    }
    return {
      kind: 'member',
      organizationId: membership.organizationId,
      tenantId: identity.tenantId,
      userObjectId: identity.objectId,
      name: identity.name,
      email: identity.email,
      role: membership.role,
      directoryRoleIds: identity.directoryRoleIds,
    };
  };
}
