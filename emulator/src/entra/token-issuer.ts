import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { DirectoryUser } from '../tenants/directory-objects';
import type { AppRegistration, ConsentGrant } from '../tenants/cloud';
import { GRAPH_RESOURCE } from '../tenants/cloud';
import type { Tenant } from '../tenants/tenant';
import type { SigningKeys } from './signing-keys';

/**
 * Entra gives access tokens a lifetime chosen at random between 60 and 90 minutes
 * (https://learn.microsoft.com/entra/identity-platform/access-tokens, "Token lifetime"), so
 * a client must read `expires_in` and never assume an hour.
 */
export function accessTokenLifetimeSeconds(random: () => number = Math.random): number {
  return 3600 + Math.floor(random() * 1801);
}

/** Mints Entra-shaped v2.0 tokens, signed with the emulator's key. */
export class TokenIssuer {
  constructor(
    private readonly keys: SigningKeys,
    private readonly base: () => string,
  ) {}

  issuer(tenantId: string, version: 1 | 2 = 2): string {
    // v1.0 tokens name Entra's security token service whatever host issued them (access-tokens).
    return version === 1 ? `https://sts.windows.net/${tenantId}/` : `${this.base()}/${tenantId}/v2.0`;
  }

  /** An app-only token for Graph: `roles` are the application permissions consented in the tenant. */
  appToken(tenant: Tenant, app: AppRegistration, grant: ConsentGrant, lifetimeSeconds = accessTokenLifetimeSeconds()): Promise<string> {
    // On the tenant's clock, which tests may move forward to let earlier tokens expire.
    const now = Math.floor((Date.now() + tenant.clockOffsetMs) / 1000);
    const roles = [...grant.roles].sort();
    return this.keys.sign({
      aud: GRAPH_RESOURCE,
      iss: this.issuer(tenant.id),
      iat: now,
      nbf: now,
      exp: now + lifetimeSeconds,
      aio: randomBytes(24).toString('base64url'),
      app_displayname: app.displayName,
      appid: app.clientId,
      appidacr: '1',
      azp: app.clientId,
      azpacr: '1',
      idp: this.issuer(tenant.id),
      idtyp: 'app',
      oid: grant.servicePrincipalId,
      rh: randomBytes(16).toString('base64url'),
      ...(roles.length > 0 ? { roles } : {}),
      sub: grant.servicePrincipalId,
      tid: tenant.id,
      uti: randomBytes(16).toString('base64url'),
      ver: '2.0',
    });
  }

  /**
   * A delegated (user) access token for `audience` (Graph or one of our APIs) with `scp`.
   * Version 1 is the v1.0 shape an API gets when its registration leaves
   * `accessTokenAcceptedVersion` unset: issuer `https://sts.windows.net/{tid}/`, `appid`
   * instead of `azp`, `upn`/`unique_name` instead of `preferred_username`, `ver` 1.0.
   */
  userToken(p: { tenant: Tenant; user: DirectoryUser; clientId: string; audience: string; scopes: string[]; roles?: string[]; lifetimeSeconds?: number; version?: 1 | 2 }): Promise<string> {
    const now = Math.floor(Date.now() / 1000);
    if (p.version === 1) {
      return this.keys.sign({
        aud: p.audience,
        iss: this.issuer(p.tenant.id, 1),
        iat: now,
        nbf: now,
        exp: now + (p.lifetimeSeconds ?? accessTokenLifetimeSeconds()),
        aio: randomBytes(24).toString('base64url'),
        amr: ['pwd'],
        appid: p.clientId,
        appidacr: '0',
        // Both versions name a guest's home identity provider (access-token-claims-reference, `idp`).
        idp: guestIdentityProvider(p.user),
        name: p.user.displayName,
        oid: p.user.id,
        rh: randomBytes(16).toString('base64url'),
        ...(p.roles && p.roles.length > 0 ? { roles: p.roles } : {}),
        scp: p.scopes.join(' '),
        sub: pairwiseSubject(p.user.id, p.clientId),
        tid: p.tenant.id,
        unique_name: p.user.userPrincipalName,
        upn: p.user.userPrincipalName,
        uti: randomBytes(16).toString('base64url'),
        ver: '1.0',
        ...(directoryRoleIds(p.user).length > 0 ? { wids: directoryRoleIds(p.user) } : {}),
      });
    }
    return this.keys.sign({
      aud: p.audience,
      iss: this.issuer(p.tenant.id),
      iat: now,
      nbf: now,
      exp: now + (p.lifetimeSeconds ?? accessTokenLifetimeSeconds()),
      aio: randomBytes(24).toString('base64url'),
      azp: p.clientId,
      azpacr: '0',
      idp: guestIdentityProvider(p.user),
      name: p.user.displayName,
      oid: p.user.id,
      preferred_username: p.user.userPrincipalName,
      rh: randomBytes(16).toString('base64url'),
      ...(p.roles && p.roles.length > 0 ? { roles: p.roles } : {}),
      scp: p.scopes.join(' '),
      sub: pairwiseSubject(p.user.id, p.clientId),
      tid: p.tenant.id,
      uti: randomBytes(16).toString('base64url'),
      ver: '2.0',
      // Directory roles as Entra's `wids` (template ids), as an app with groupMembershipClaims "DirectoryRole" gets them.
      ...(directoryRoleIds(p.user).length > 0 ? { wids: directoryRoleIds(p.user) } : {}),
    });
  }

  idToken(p: { tenant: Tenant; user: DirectoryUser; clientId: string; nonce?: string; email?: boolean }): Promise<string> {
    const now = Math.floor(Date.now() / 1000);
    return this.keys.sign({
      aud: p.clientId,
      iss: this.issuer(p.tenant.id),
      iat: now,
      nbf: now,
      exp: now + 3600,
      ...(p.nonce ? { nonce: p.nonce } : {}),
      name: p.user.displayName,
      oid: p.user.id,
      preferred_username: p.user.userPrincipalName,
      ...(p.email && p.user.mail ? { email: p.user.mail } : {}),
      rh: randomBytes(16).toString('base64url'),
      sub: pairwiseSubject(p.user.id, p.clientId),
      tid: p.tenant.id,
      uti: randomUUID(),
      ver: '2.0',
    });
  }
}

/** Entra's role template ids, which are the same in every tenant. */
const roleTemplateIds: Record<string, string> = {
  'Global Administrator': '62e90394-69f5-4237-9190-012177145e10',
  'Privileged Role Administrator': 'e8611ab8-c189-46e8-94e1-60213ab1f814',
  'Cloud Application Administrator': '158c047a-c907-4556-b7ef-446551a6b5f7',
  'Application Administrator': '9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3',
  'User Administrator': 'fe930be7-5e62-47db-91af-98c3a49a38b1',
};

function directoryRoleIds(user: DirectoryUser): string[] {
  return user.roles.map((role) => roleTemplateIds[role]).filter((id): id is string => id !== undefined);
}

/**
 * Entra's `idp`: absent when the tenant itself signed the person in (then `iss` stands for it);
 * for a guest, the home identity provider, `live.com` for a personal Microsoft account
 * (https://learn.microsoft.com/entra/identity-platform/access-token-claims-reference).
 */
function guestIdentityProvider(user: DirectoryUser): string | undefined {
  return user.userType === 'Guest' ? 'live.com' : undefined;
}

/** Entra's `sub` is pairwise: stable per user and app, different across apps. */
function pairwiseSubject(oid: string, clientId: string): string {
  return createHash('sha256').update(`${oid}:${clientId}`).digest('base64url').slice(0, 43);
}

/** MSAL builds accounts from `client_info` (base64url JSON of uid and utid). */
export function clientInfo(user: DirectoryUser, tenant: Tenant): string {
  return Buffer.from(JSON.stringify({ uid: user.id, utid: tenant.id })).toString('base64url');
}
