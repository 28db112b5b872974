import type { Role } from '../../contract';

/** Who is calling: a signed-in member of one organization (onboarding-link sessions come later). */
export interface Principal {
  kind: 'member';
  organizationId: string;
  tenantId: string;
  userObjectId: string;
  name: string;
  email: string;
  role: Role;
  /** The Entra directory roles (template ids) the token carries, checked on this request. */
  directoryRoleIds: readonly string[];
}

/** The bot as a service, proven by the secret it shares with the api. */
export interface BotServicePrincipal {
  kind: 'bot-service';
}
