import type { Request } from 'restify';
import { consoleAccess, routes, type ConsoleAccess, type Role, type RouteId } from '../../contract';
import { ApiProblem } from '../problem';
import type { EntraIdentity } from './entra-token';
import type { ConsolePrincipal, MemberPrincipal, Principal } from './principal';

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

/** Global Administrator and Privileged Role Administrator: they may take ownership of their tenant's organization. */
export const ownershipRoleIds = new Set(['62e90394-69f5-4237-9190-012177145e10', 'e8611ab8-c189-46e8-94e1-60213ab1f814']);

export const holdsAny = (identity: { directoryRoleIds: readonly string[] }, roleIds: ReadonlySet<string>) => identity.directoryRoleIds.some((id) => roleIds.has(id));

/** Who belongs to which organization; the store implements it. */
export interface MemberDirectory {
  /** The organization a tenant's people sign in to, with this person's role in it if they have one. */
  membership(tenantId: string, userObjectId: string): Promise<{ organizationId: string; role: Role | null; fromDirectoryRole: boolean; ownerEmail: string } | undefined>;
  /** First sign-in from a tenant: the organization is created and this person owns it. */
  createOrganization(identity: EntraIdentity): Promise<Membership>;
  /** A Microsoft admin of the tenant joins as admin, for as long as their tokens carry the role. */
  addDirectoryAdmin(organizationId: string, identity: EntraIdentity): Promise<Membership>;
  removeDirectoryAdmin(organizationId: string, identity: EntraIdentity): Promise<void>;
  /** The owner removed this person: signing in as a Microsoft admin does not bring them back. */
  wasRemoved(organizationId: string, userObjectId: string): Promise<boolean>;
  /** The owner added this person by email: their first sign-in makes them an admin. */
  acceptInvitation(organizationId: string, identity: EntraIdentity): Promise<Membership | undefined>;
}

/** Onboarding console sessions (`Authorization: Onboarding <session>`), checked against their link. */
export interface ConsoleSessionCheck {
  principal(sessionToken: string): Promise<ConsolePrincipal>;
}

const bearer = /^Bearer\s+([A-Za-z0-9\-_.~+/]+=*)$/;
const onboarding = /^Onboarding\s+([A-Za-z0-9\-_.~+/]+=*)$/;

/**
 * Authenticates a request: a valid Entra token, whose tenant selects the organization.
 * The first person of a tenant to sign in creates the organization and owns it;
 * Microsoft admins of that tenant join it as admins; anyone else is refused and told
 * who to ask.
 */
export function createAuthenticator(verify: (token: string) => Promise<EntraIdentity>, members: MemberDirectory, consoles?: ConsoleSessionCheck) {
  /**
   * An onboarding console reaches only what `consoleAccess` lets it: 403 elsewhere, and
   * 403 on the setup's own steps once the setup completed (read-only until the link expires).
   */
  async function authenticateConsole(sessionToken: string, route: RouteId): Promise<ConsolePrincipal> {
    if (!consoles) throw new ApiProblem(401, 'ONBOARDING_SESSION_INVALID', 'Onboarding consoles are not served here.');
    const principal = await consoles.principal(sessionToken);
    const allowed: ConsoleAccess = (consoleAccess as Partial<Record<RouteId, ConsoleAccess>>)[route] ?? 'refused';
    if (allowed === 'refused') {
      throw new ApiProblem(403, 'ONBOARDING_CONSOLE_NOT_ALLOWED', 'An onboarding link opens only the Microsoft setup. To do this, sign in to Users Sync as an owner or admin.');
    }
    if (allowed === 'setup' && principal.mode === 'read_only') {
      throw new ApiProblem(403, 'ONBOARDING_SETUP_COMPLETED', 'The Microsoft setup is done: this console can only show the results now.');
    }
    return principal;
  }

  return async function authenticate(req: Request, route: RouteId): Promise<Principal> {
    const header = req.headers.authorization;
    const consoleSession = typeof header === 'string' ? onboarding.exec(header) : null;
    if (consoleSession?.[1]) return authenticateConsole(consoleSession[1], route);
    const access = routes[route].access;
    if (access === 'console') throw new ApiProblem(401, 'ONBOARDING_SESSION_MISSING', 'Open your onboarding link to use this console.');
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
    } else if (await members.wasRemoved(known.organizationId, identity.objectId)) {
      throw new ApiProblem(403, 'MEMBER_REMOVED', `The account owner removed your access to Users Sync. Ask ${known.ownerEmail} to add you again.`);
    } else {
      // An admin the owner added by hand stays until removed; rights an Entra role gave end with the role.
      const invited = await members.acceptInvitation(known.organizationId, identity);
      if (invited) membership = invited;
      else if (isMicrosoftAdmin) membership = await members.addDirectoryAdmin(known.organizationId, identity);
      else {
        if (known.role) await members.removeDirectoryAdmin(known.organizationId, identity);
        throw new ApiProblem(403, 'NOT_A_MEMBER', `You are not an administrator of Users Sync for your organization. Ask ${known.ownerEmail} to add you.`);
      }
    }

    if (access === 'owner' && membership.role !== 'owner') {
      throw new ApiProblem(403, 'OWNER_ONLY', 'Only the account owner can do this. Ask them to do it, or to make you the owner.');
    }
    const member: MemberPrincipal = {
      kind: 'member',
      organizationId: membership.organizationId,
      tenantId: identity.tenantId,
      userObjectId: identity.objectId,
      name: identity.name,
      email: identity.email,
      role: membership.role,
      directoryRoleIds: identity.directoryRoleIds,
    };
    return member;
  };
}
