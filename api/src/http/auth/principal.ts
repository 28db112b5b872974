import type { Role } from '../../contract';

/** A signed-in owner or admin of one organization (Entra token). */
export interface MemberPrincipal {
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

/** The Microsoft work account signed in to an onboarding console, checked against the organization's tenant. */
export interface ConsoleMicrosoftAccount {
  tenantId: string;
  objectId: string;
  name: string;
  email: string;
}

/**
 * Someone holding an onboarding link: a console session confined to the Microsoft setup
 * of one organization, until the link expires or is revoked (read-only once it completed).
 */
export interface ConsolePrincipal {
  kind: 'onboarding_console';
  organizationId: string;
  linkId: string;
  mode: 'setup' | 'read_only';
  microsoftAccount: ConsoleMicrosoftAccount | null;
  /** The sync runs this link's console started: the only ones it may read. */
  runIds: readonly string[];
}

/** Who is calling. */
export type Principal = MemberPrincipal | ConsolePrincipal;

/** The bot as a service, proven by the secret it shares with the api. */
export interface BotServicePrincipal {
  kind: 'bot-service';
}
