import { timingSafeEqual } from 'node:crypto';
import type { Request } from 'restify';
import { z } from 'zod';
import { BOT_TENANT_HEADER, BOT_USER_HEADER, NOTIFY_SECRET_HEADER, routes, type RouteDefinition, type RouteId } from '../../contract';
import type { Store } from '../../store';
import { ApiProblem } from '../problem';
import type { Authenticate } from '../typed-routes';
import type { Principal } from './principal';

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

const personHeaders = z.object({
  [BOT_TENANT_HEADER]: z.string().trim().min(1).max(128),
  [BOT_USER_HEADER]: z.string().trim().min(1).max(128),
});

export interface BotCallerSettings {
  /** The secret shared by the api and the bot (`NOTIFY_SECRET`); without it the bot cannot call. */
  sharedSecret: string | undefined;
  store: Store;
}

/**
 * Adds the bot's two ways of calling to the members' authenticator: the bot as a service
 * (internal `bot` routes), and the bot acting for a person in chat on routes that allow
 * it (`botForPerson`). A request carrying the shared-secret header is the bot's and is
 * judged only as such; any other goes to the members' authenticator (Entra tokens).
 */
export function withBotCallers(authenticateMember: (req: Request, route: RouteId) => Promise<Principal>, settings: BotCallerSettings): Authenticate {
  const checkSecret = (req: Request): void => {
    const given = req.headers[NOTIFY_SECRET_HEADER];
    if (!settings.sharedSecret) throw new ApiProblem(503, 'BOT_NOT_CONFIGURED', 'The api has no NOTIFY_SECRET: set the same value for the api and the bot, then restart both.');
    if (typeof given !== 'string' || !sameSecret(given, settings.sharedSecret)) {
      throw new ApiProblem(401, 'BOT_SECRET_INVALID', `The ${NOTIFY_SECRET_HEADER} header does not carry the secret shared by the api and the bot.`);
    }
  };

  return async function authenticate(req, route) {
    const { access, botForPerson } = routes[route] as RouteDefinition;
    if (access === 'bot') {
      checkSecret(req);
      return { kind: 'bot-service' };
    }
    if (req.headers[NOTIFY_SECRET_HEADER] === undefined) return authenticateMember(req, route);
    checkSecret(req);
    if (!botForPerson) throw new ApiProblem(403, 'BOT_NOT_ALLOWED', 'The bot may not call this route for a person; sign in to the tab instead.');
    const headers = personHeaders.safeParse(req.headers);
    if (!headers.success) throw new ApiProblem(400, 'BOT_PERSON_MISSING', `A call from the bot for a person names the tenant (${BOT_TENANT_HEADER}) and the person (${BOT_USER_HEADER}).`);
    const tenantId = headers.data[BOT_TENANT_HEADER].toLowerCase();
    const userObjectId = headers.data[BOT_USER_HEADER];

    const organization = await settings.store.members.organizationOfTenant(tenantId);
    // Unlike the tab, a chat never creates the organization: that needs a verified Entra sign-in.
    if (!organization) throw new ApiProblem(403, 'ORGANIZATION_NOT_SET_UP', 'Nobody in your organization has set up Users Sync yet. Open the Users Sync tab in Teams to set it up.');
    const member = await settings.store.members.find(organization.id, userObjectId);
    if (!member) {
      const owner = await settings.store.members.owner(organization.id);
      throw new ApiProblem(403, 'NOT_A_MEMBER', `You are not an administrator of Users Sync for your organization. Ask ${owner?.email ?? 'the account owner'} to add you.`);
    }
    if (access === 'owner' && member.role !== 'owner') {
      throw new ApiProblem(403, 'OWNER_ONLY', 'Only the account owner can do this. Ask them to do it, or to make you the owner.');
    }
    // A chat carries no directory roles: what the person may do comes from their membership alone.
    return { kind: 'member', organizationId: organization.id, tenantId, userObjectId, name: member.name, email: member.email, role: member.role, directoryRoleIds: [] };
  };
}
