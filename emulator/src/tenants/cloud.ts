import { randomBytes, randomUUID } from 'node:crypto';
import { type Tenant } from './tenant';

/** Application permissions the emulated Graph knows. */
export const GRAPH_APPLICATION_PERMISSIONS = [
  'User.Read.All',
  'User.ReadWrite.All',
  'Group.Read.All',
  'Group.ReadWrite.All',
  'GroupMember.Read.All',
  'Directory.Read.All',
  'Directory.ReadWrite.All',
  'Organization.Read.All',
] as const;

export const GRAPH_RESOURCE = 'https://graph.microsoft.com';
export const GRAPH_APP_ID = '00000003-0000-0000-c000-000000000000';

/** An app registration (multi-tenant): credentials, where users come back, what it asks for. */
export interface AppRegistration {
  clientId: string;
  displayName: string;
  secrets: string[];
  /** Exact redirect URIs; loopback URIs (localhost/127.0.0.1, any port) are also accepted when `allowLoopbackRedirects`. */
  redirectUris: string[];
  allowLoopbackRedirects: boolean;
  /** Graph application permissions the admin consent page asks for. */
  requiredPermissions: string[];
  /**
   * App ID URIs of the API this app exposes: Entra's default `api://{clientId}` (what the tab
   * asks tokens for outside Teams) and Teams SSO's `api://host/{clientId}`.
   */
  identifierUris: string[];
  /** Delegated scopes the API exposes (`access_as_user`). */
  exposedScopes: string[];
  /**
   * The access token version the API accepts (`api.requestedAccessTokenVersion` in the
   * manifest). Left unset (null), Entra issues v1.0 tokens (issuer `https://sts.windows.net/{tid}/`)
   * for it (access-tokens, "Token formats"); 2 gives v2.0 tokens.
   */
  accessTokenAcceptedVersion: 1 | 2 | null;
}

/** An app's standing in one tenant: a service principal exists once consent was ever given. */
export interface ConsentGrant {
  servicePrincipalId: string;
  /** Application permissions granted (the `roles` of app tokens). Empty after revocation. */
  roles: Set<string>;
  grantedAt: string;
  grantedBy: string | null;
}

export interface AppRegistrationInput {
  clientId?: string;
  displayName?: string;
  clientSecret?: string;
  redirectUris?: string[];
  allowLoopbackRedirects?: boolean;
  requiredPermissions?: string[];
  identifierUris?: string[];
  exposedScopes?: string[];
  accessTokenAcceptedVersion?: 1 | 2 | null;
}

export const DEFAULT_REQUIRED_PERMISSIONS = ['User.Read.All', 'Group.Read.All', 'GroupMember.Read.All', 'Directory.Read.All'];

/** The whole emulated cloud: tenants (found by id or verified domain), app registrations, consent. */
export class Cloud {
  private readonly tenantsById = new Map<string, Tenant>();
  private readonly tenantsByDomain = new Map<string, Tenant>();
  private readonly apps = new Map<string, AppRegistration>();
  private readonly consents = new Map<string, Map<string, ConsentGrant>>();
  private readonly tenantListeners = new Set<(tenant: Tenant) => void>();

  addTenant(tenant: Tenant): Tenant {
    if (this.tenantsById.has(tenant.id)) throw new Error(`Tenant ${tenant.id} already exists.`);
    for (const domain of tenant.domains) {
      if (this.tenantsByDomain.has(domain.name.toLowerCase())) throw new Error(`Domain ${domain.name} is already verified by another tenant.`);
    }
    this.tenantsById.set(tenant.id, tenant);
    for (const domain of tenant.domains) this.tenantsByDomain.set(domain.name.toLowerCase(), tenant);
    this.consents.set(tenant.id, new Map());
    for (const listener of this.tenantListeners) listener(tenant);
    return tenant;
  }

  onTenantAdded(listener: (tenant: Tenant) => void): void {
    this.tenantListeners.add(listener);
  }

  removeTenant(tenantId: string): boolean {
    const tenant = this.tenantsById.get(tenantId);
    if (!tenant) return false;
    this.tenantsById.delete(tenantId);
    for (const domain of tenant.domains) this.tenantsByDomain.delete(domain.name.toLowerCase());
    this.consents.delete(tenantId);
    return true;
  }

  /** By GUID or by any verified domain, as login.microsoftonline.com resolves `{tenant}`. */
  tenant(idOrDomain: string): Tenant | undefined {
    return this.tenantsById.get(idOrDomain.toLowerCase()) ?? this.tenantsByDomain.get(idOrDomain.toLowerCase());
  }

  tenants(): Tenant[] {
    return [...this.tenantsById.values()];
  }

  domainTaken(domain: string): boolean {
    return this.tenantsByDomain.has(domain.toLowerCase());
  }

  registerApp(input: AppRegistrationInput = {}): AppRegistration {
    const clientId = (input.clientId ?? randomUUID()).toLowerCase();
    if (this.apps.has(clientId)) throw new Error(`App ${clientId} is already registered.`);
    const app: AppRegistration = {
      clientId,
      displayName: input.displayName ?? 'Users Sync',
      secrets: [input.clientSecret ?? randomBytes(30).toString('base64url')],
      redirectUris: input.redirectUris ?? [],
      allowLoopbackRedirects: input.allowLoopbackRedirects ?? true,
      requiredPermissions: input.requiredPermissions ?? [...DEFAULT_REQUIRED_PERMISSIONS],
      // Entra's default App ID URI is api://{appId} (Graph's identifierUriConfiguration page calls it "the default URI").
      identifierUris: input.identifierUris ?? [`api://${clientId}`, `api://localhost/${clientId}`],
      exposedScopes: input.exposedScopes ?? ['access_as_user'],
      accessTokenAcceptedVersion: input.accessTokenAcceptedVersion ?? null,
    };
    this.apps.set(clientId, app);
    return app;
  }

  app(clientId: string): AppRegistration | undefined {
    return this.apps.get(clientId.toLowerCase());
  }

  appByIdentifierUri(uri: string): AppRegistration | undefined {
    const wanted = uri.replace(/\/$/, '').toLowerCase();
    for (const app of this.apps.values()) if (app.identifierUris.some((u) => u.replace(/\/$/, '').toLowerCase() === wanted)) return app;
    return undefined;
  }

  allApps(): AppRegistration[] {
    return [...this.apps.values()];
  }

  redirectAllowed(app: AppRegistration, redirectUri: string): boolean {
    if (app.redirectUris.includes(redirectUri)) return true;
    if (!app.allowLoopbackRedirects) return false;
    try {
      const url = new URL(redirectUri);
      return ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname);
    } catch {
      return false;
    }
  }

  consent(tenantId: string, clientId: string): ConsentGrant | undefined {
    return this.consents.get(tenantId)?.get(clientId.toLowerCase());
  }

  consentsOf(tenantId: string): Array<[string, ConsentGrant]> {
    return [...(this.consents.get(tenantId)?.entries() ?? [])];
  }

  /** Grants application permissions tenant-wide (what an admin's consent does). */
  grantConsent(tenantId: string, clientId: string, permissions: string[], grantedBy: string | null = null): ConsentGrant {
    const grants = this.consents.get(tenantId);
    if (!grants) throw new Error(`Unknown tenant ${tenantId}.`);
    const existing = grants.get(clientId.toLowerCase());
    const grant: ConsentGrant = {
      servicePrincipalId: existing?.servicePrincipalId ?? randomUUID(),
      roles: new Set([...(existing?.roles ?? []), ...permissions]),
      grantedAt: new Date().toISOString(),
      grantedBy,
    };
    grants.set(clientId.toLowerCase(), grant);
    return grant;
  }

  /** Takes the permissions back; the service principal stays, so tokens are issued without roles. */
  revokeConsent(tenantId: string, clientId: string): boolean {
    const grant = this.consents.get(tenantId)?.get(clientId.toLowerCase());
    if (!grant) return false;
    grant.roles = new Set();
    return true;
  }
}
