import { z } from 'zod';

export const emailProviderSchema = z.enum(['microsoft', 'google', 'other', 'unknown']).meta({ id: 'EmailProvider' });
export type EmailProvider = z.infer<typeof emailProviderSchema>;

export const roleSchema = z.enum(['owner', 'admin']).meta({ id: 'Role' });
export type Role = z.infer<typeof roleSchema>;

export const providerDetectionSchema = z
  .object({
    provider: emailProviderSchema,
    domain: z.string(),
    /** What made us decide: an MX host, the OpenID discovery answer… */
    evidence: z.string().optional(),
    detectedAt: z.iso.datetime(),
  })
  .meta({ id: 'ProviderDetection' });

export const meSchema = z
  .object({
    user: z.object({
      id: z.string().describe('Entra object id (oid)'),
      name: z.string(),
      email: z.string(),
      role: roleSchema,
    }),
    organization: z.object({
      id: z.string(),
      name: z.string(),
      tenantId: z.string(),
      providerDetection: providerDetectionSchema.nullable(),
    }),
  })
  .meta({ id: 'Me' });
export type Me = z.infer<typeof meSchema>;

export const ownerSchema = z.object({ userObjectId: z.string(), email: z.string(), name: z.string() }).meta({ id: 'Owner' });
export type Owner = z.infer<typeof ownerSchema>;

/** The owner hands ownership to another member of the organization. */
export const transferOwnershipBodySchema = z.object({ userObjectId: z.string().trim().min(1).max(100) }).meta({ id: 'TransferOwnership' });

export const auditLogSchema = z
  .object({
    entries: z.array(
      z.object({
        at: z.iso.datetime(),
        action: z.enum(['ownership_taken', 'ownership_transferred', 'directory_admin_removed']),
        actorEmail: z.string(),
        detail: z.string(),
      }),
    ),
  })
  .meta({ id: 'AuditLog' });
