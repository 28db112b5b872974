import { z } from 'zod';

export const connectionStatusSchema = z.enum(['not_connected', 'connected', 'consent_revoked']).meta({ id: 'ConnectionStatus' });
export type ConnectionStatus = z.infer<typeof connectionStatusSchema>;

export const microsoftConnectionSchema = z
  .object({
    status: connectionStatusSchema,
    tenantId: z.string().nullable(),
    /** The tenant's display name, read from Graph `/organization` when the connection was proven. */
    tenantName: z.string().nullable(),
    connectedAt: z.iso.datetime().nullable(),
    /** The application permissions the app asks for, in the guide's words. */
    permissions: z.array(z.object({ name: z.string(), description: z.string() })),
  })
  .meta({ id: 'MicrosoftConnection' });
export type MicrosoftConnection = z.infer<typeof microsoftConnectionSchema>;

export const startConsentResponseSchema = z
  .object({ consentUrl: z.url(), expiresAt: z.iso.datetime() })
  .meta({ id: 'StartConsentResponse' });

/** What Entra sends back to the consent callback; every field is untrusted. */
export const consentCallbackQuerySchema = z.object({
  admin_consent: z.string().optional(),
  tenant: z.string().optional(),
  scope: z.string().optional(),
  state: z.string().optional(),
  error: z.string().optional(),
  error_description: z.string().optional(),
});

export const groupSchema = z
  .object({
    id: z.string(),
    displayName: z.string(),
    description: z.string().nullable(),
    /** Direct members, as Graph counts them; nested groups' people come on top. */
    memberCount: z.number().int().nullable(),
  })
  .meta({ id: 'Group' });
export type Group = z.infer<typeof groupSchema>;

export const groupSearchQuerySchema = z.object({
  search: z.string().trim().max(256).optional(),
  cursor: z.string().max(4096).optional(),
  /** Chosen groups to name, by id (comma-separated, at most 50): the picker shows names a search page did not bring. */
  ids: z
    .string()
    .max(50 * 40)
    .transform((text) => [...new Set(text.split(',').map((id) => id.trim()).filter(Boolean))])
    .refine((ids) => ids.length <= 50, 'Ask for at most 50 groups at once')
    .refine((ids) => ids.every((id) => /^[0-9A-Za-z-]{1,64}$/.test(id)), 'Group ids are GUIDs')
    .optional(),
});

export const groupPageSchema = z
  .object({ groups: z.array(groupSchema), nextCursor: z.string().nullable() })
  .meta({ id: 'GroupPage' });

export const requestedPermissions = [
  { name: 'Directory.Read.All', description: 'Read directory data (users, groups)' },
  { name: 'User.Read', description: 'Sign in and read user profile' },
  { name: 'User.Read.All', description: 'Read all user profiles' },
  { name: 'Group.Read.All', description: 'Read properties of all groups' },
  { name: 'GroupMember.Read.All', description: 'Read membership of all groups' },
] as const;
