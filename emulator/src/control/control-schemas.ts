import { z } from 'zod';
import { tenantShape } from '../generator/tenant-generator';
import { faultSettings } from '../faults/tenant-faults';
import { consistencySettings } from '../tenants/consistency';

/** Request bodies of the control API (`/_emulator/…`); the README documents each. */
export const createTenantBody = tenantShape.extend({
  /** The company-like demo tenant instead of a generated one (other shape fields are ignored, except `seed`). */
  demo: z.boolean().optional(),
  /** App registrations (client ids) granted admin consent in the new tenant; default: the emulator's default app. */
  consentedApps: z.array(z.string()).optional(),
});
export type CreateTenantBody = z.input<typeof createTenantBody>;

const nullableString = z.string().nullable();

export const userFields = z.object({
  displayName: z.string().min(1),
  givenName: nullableString,
  surname: nullableString,
  userPrincipalName: z.string().regex(/^[^@\s]+@[^@\s]+$/, 'must look like name@domain'),
  mail: nullableString,
  jobTitle: nullableString,
  department: nullableString,
  officeLocation: nullableString,
  mobilePhone: nullableString,
  businessPhones: z.array(z.string()),
  preferredLanguage: nullableString,
  employeeId: nullableString,
  companyName: nullableString,
  country: nullableString,
  city: nullableString,
  usageLocation: nullableString,
  userType: z.enum(['Member', 'Guest']),
  accountEnabled: z.boolean(),
  onPremisesSyncEnabled: z.boolean().nullable(),
  proxyAddresses: z.array(z.string()),
  managerId: nullableString,
});

export const createUserBody = userFields.partial().extend({
  displayName: z.string().min(1),
  id: z.string().uuid().optional(),
  /** Directory roles, e.g. `Global Administrator` (lets the user grant admin consent). */
  roles: z.array(z.string()).optional(),
});
export type CreateUserBody = z.input<typeof createUserBody>;

export const updateUserBody = userFields.partial().extend({ roles: z.array(z.string()).optional() });
export type UpdateUserBody = z.input<typeof updateUserBody>;

export const groupFields = z.object({
  displayName: z.string().min(1),
  description: nullableString,
  mail: nullableString,
  mailNickname: z.string().min(1),
  mailEnabled: z.boolean(),
  securityEnabled: z.boolean(),
  groupTypes: z.array(z.string()),
  visibility: nullableString,
});

export const createGroupBody = groupFields.partial().extend({
  displayName: z.string().min(1),
  id: z.string().uuid().optional(),
  /** Initial members: user ids/UPNs or group ids (nesting). */
  memberIds: z.array(z.string()).optional(),
});
export type CreateGroupBody = z.input<typeof createGroupBody>;

export const updateGroupBody = groupFields.partial();
export type UpdateGroupBody = z.input<typeof updateGroupBody>;

/** A device, organizational contact or service principal (members of security groups; a contact can be a manager). */
export const createDirectoryObjectBody = z.object({
  kind: z.enum(['device', 'orgContact', 'servicePrincipal']),
  displayName: z.string().min(1),
  mail: z.string().nullable().optional(),
  id: z.string().uuid().optional(),
});
export type CreateDirectoryObjectBody = z.input<typeof createDirectoryObjectBody>;

export const addMembersBody = z.object({ memberIds: z.array(z.string().min(1)).min(1) });

export const clockAdvanceBody = z.object({ seconds: z.number().int().min(1).max(30 * 86_400) });

export const consentBody = z.object({ permissions: z.array(z.string()).optional(), grantedBy: z.string().optional() });

export const registerAppBody = z.object({
  clientId: z.string().uuid().optional(),
  displayName: z.string().min(1).optional(),
  clientSecret: z.string().min(8).optional(),
  redirectUris: z.array(z.string().url()).optional(),
  allowLoopbackRedirects: z.boolean().optional(),
  requiredPermissions: z.array(z.string()).optional(),
  identifierUris: z.array(z.string()).optional(),
  exposedScopes: z.array(z.string()).optional(),
  /** Unset: Entra issues v1.0 access tokens for this app's API; 2: v2.0. */
  accessTokenAcceptedVersion: z.union([z.literal(1), z.literal(2)]).nullable().optional(),
});
export type RegisterAppBody = z.input<typeof registerAppBody>;

export const faultsBody = faultSettings;

export const consistencyBody = consistencySettings;
export type ConsistencyBody = z.input<typeof consistencySettings>;
export type FaultsBody = z.input<typeof faultSettings>;

export const throttlingBody = z.object({
  enabled: z.boolean().optional(),
  resourceUnitsPer10Seconds: z.number().int().min(1).nullable().optional(),
});
export type ThrottlingBody = z.input<typeof throttlingBody>;

export const tokenBody = z.union([
  z.object({
    /** A user token (Teams SSO style) for `audience` with `scopes`. */
    user: z.string().min(1),
    clientId: z.string().optional(),
    audience: z.string().optional(),
    scopes: z.array(z.string()).optional(),
    roles: z.array(z.string()).optional(),
    lifetimeSeconds: z.number().int().min(-86_400).max(86_400).optional(),
  }),
  z.object({
    /** An app-only Graph token for `app` (client id), with the roles consented in the tenant. */
    app: z.string().min(1),
    lifetimeSeconds: z.number().int().min(-86_400).max(86_400).optional(),
  }),
]);
export type TokenBody = z.input<typeof tokenBody>;

export const lifecycleBody = z.object({ event: z.enum(['reauthorizationRequired', 'subscriptionRemoved', 'missed']) });

export const resetBody = z.object({ tenantId: z.string().optional() });
