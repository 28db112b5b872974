import { errors as joseErrors } from 'jose';
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
 * permissions are the token's roles that the tenant still grants: the emulator applies a
 * revocation at once, where Graph would wait for the token to expire.
 */
export async function authenticate(request: EmulatorRequest, keys: SigningKeys, cloud: Cloud): Promise<GraphPrincipal | Reply> {
  const header = request.headers.authorization ?? '';
  const m = /^Bearer\s+(\S+)$/i.exec(header);
  if (!m) return unauthorized(request, header ? 'IDX14100: JWT is not well formed, there are no dots (.).' : 'Access token is empty.');
  let claims: Record<string, unknown>;
  try {
    claims = (await keys.verify(m[1]!)) as Record<string, unknown>;
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
  const granted = cloud.consent(tenant.id, appId)?.roles ?? new Set<string>();
  const roles = Array.isArray(claims.roles) ? (claims.roles as unknown[]).map(String) : [];
  return { tenant, appId, kind: 'app', permissions: new Set(roles.filter((r) => granted.has(r))) };
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
