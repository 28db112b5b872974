import { z } from 'zod';

export const syncScopeSchema = z
  .discriminatedUnion('kind', [
    z.object({ kind: z.literal('all') }).describe('All users in the tenant'),
    z
      .object({ kind: z.literal('group_name'), groupName: z.string().trim().min(1, 'Enter the name of the group').max(256) })
      .describe('All users in the group with this name (created beforehand in Entra ID)'),
    z
      .object({
        kind: z.literal('groups'),
        groupIds: z.array(z.string().trim().min(1)).min(1, 'Choose at least one group').max(50, 'Choose at most 50 groups'),
      })
      .describe('Users of one or several Entra groups, nested groups included'),
  ])
  .meta({ id: 'SyncScope' });
export type SyncScope = z.infer<typeof syncScopeSchema>;

const exclusionSchema = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^([^@\s]+@)?[a-z0-9.-]+\.[a-z]{2,}$/, 'Enter an email address (ann@contoso.com) or a domain (contoso.com)');

export const syncConfigurationSchema = z
  .object({
    scope: syncScopeSchema,
    includeGuests: z.boolean().default(false),
    /** Emails and whole domains never synced. */
    exclusions: z.array(exclusionSchema).max(1000).default([]),
    /** How often changes are read from Entra between webhook notifications; null turns the schedule off. */
    schedule: z
      .object({
        intervalMinutes: z.number().int().min(5, 'Sync at most every 5 minutes').max(24 * 60, 'Sync at least once a day'),
      })
      .nullable()
      .default({ intervalMinutes: 60 }),
    deletionGuard: z
      .object({
        enabled: z.boolean().default(true),
        /** Hold a run that would deactivate more than this share of active employees… */
        maxShare: z.number().min(0, 'Enter a share from 0 to 1').max(1, 'Enter a share from 0 to 1').default(0.2),
        /** …and at least this many people. */
        minCount: z.number().int().min(1, 'Enter at least 1').default(10),
      })
      .default({ enabled: true, maxShare: 0.2, minCount: 10 }),
  })
  .meta({ id: 'SyncConfiguration' });
export type SyncConfiguration = z.infer<typeof syncConfigurationSchema>;
