import { decodeJwt, errors as joseErrors } from 'jose';
import type { EmulatorRequest } from '../http/request';
import { graphError, type Reply } from '../http/reply';
import type { SigningKeys } from '../entra/signing-keys';
import { GRAPH_APP_ID, GRAPH_RESOURCE, type Cloud } from '../tenants/cloud';
import type { Tenant } from '../tenants/tenant';

/** Who is calling Graph: an app (application permissions) or a user through an app (delegated scopes). */
export interface GraphPrincipal {
  tenant: Tenant;
  appId: string;
  kind: 'app' | 'delegated';
  /** Application permissions still granted (token roles that consent has not taken back), or delegated scopes. */
  permissions: ReadonlySet<string>;
  userId?: string;
}

const WWW_AUTHENTICATE = 'Bearer realm="", authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize", client_id="00000003-0000-0000-c000-000000000000"';

function unauthorized(request: EmulatorRequest, message: string): Reply {
  return graphError(401, 'InvalidAuthenticationToken', message, request, { 'www-authenticate': WWW_AUTHENTICATE });
}

/**
 * Checks the bearer token as Graph does (signature, lifetime, audience, tenant). App
 * permissions are the token's roles: a consent revoked after the token was issued does not
 * take them back; only new tokens come without them (access-tokens: a token stays valid
 * until it expires). The tenant's clock can be moved forward to let issued tokens expire.
 */
export async function authenticate(request: EmulatorRequest, keys: SigningKeys, cloud: Cloud): Promise<GraphPrincipal | Reply> {
  const header = request.headers.authorization ?? '';
  const m = /^Bearer\s+(\S+)$/i.exec(header);
  if (!m) return unauthorized(request, header ? 'IDX14100: JWT is not well formed, there are no dots (.).' : 'Access token is empty.');
  let claims: Record<string, unknown>;
  try {
    // Lifetime is checked on the clock of the token's tenant (tests can move it forward).
    const unverified = decodeJwt(m[1]!);
    const offset = cloud.tenant(String(unverified.tid ?? ''))?.clockOffsetMs ?? 0;
    claims = (await keys.verify(m[1]!, new Date(Date.now() + offset))) as Record<string, unknown>;
  } catch (error) {
    if (error instanceof joseErrors.JWTExpired) return unauthorized(request, 'Lifetime validation failed, the token is expired.');
    return unauthorized(request, 'Access token validation failure. Invalid signature or malformed token.');
  }
  if (claims.aud !== GRAPH_RESOURCE && claims.aud !== GRAPH_APP_ID && claims.aud !== `${GRAPH_RESOURCE}/`)
    return unauthorized(request, 'Access token validation failure. Invalid audience.');
  const tenant = cloud.tenant(String(claims.tid ?? ''));
  if (!tenant) return unauthorized(request, 'Access token validation failure. The tenant of the token no longer exists.');
  const appId = String(claims.appid ?? claims.azp ?? '');
  if (typeof claims.scp === 'string') {
    return { tenant, appId, kind: 'delegated', permissions: new Set(claims.scp.split(' ')), userId: String(claims.oid) };
  }
  const roles = Array.isArray(claims.roles) ? (claims.roles as unknown[]).map(String) : [];
  return { tenant, appId, kind: 'app', permissions: new Set(roles) };
}

/** The permissions (application roles or delegated scopes) any one of which lets a call through. */
export const PERMISSIONS = {
  readUsers: ['User.Read.All', 'User.ReadWrite.All', 'User.ReadBasic.All', 'Directory.Read.All', 'Directory.ReadWrite.All'],
  readGroups: ['Group.Read.All', 'Group.ReadWrite.All', 'GroupMember.Read.All', 'Directory.Read.All', 'Directory.ReadWrite.All'],
  readMembers: ['GroupMember.Read.All', 'Group.Read.All', 'Group.ReadWrite.All', 'Directory.Read.All', 'Directory.ReadWrite.All'],
  readOrganization: ['Organization.Read.All', 'Directory.Read.All', 'Directory.ReadWrite.All', 'User.Read', 'User.Read.All'],
  me: ['User.Read', 'User.ReadWrite', 'User.Read.All', 'Directory.Read.All'],
} as const;

export function allows(principal: GraphPrincipal, any: readonly string[]): boolean {
  return any.some((p) => principal.permissions.has(p));
}

export function insufficientPrivileges(request: EmulatorRequest): Reply {
  return graphError(403, 'Authorization_RequestDenied', 'Insufficient privileges to complete the operation.', request);
}
