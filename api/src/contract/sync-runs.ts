import { z } from 'zod';
import { syncConfigurationSchema } from './sync-configuration';

export const syncRunStatusSchema = z
  .enum(['queued', 'running', 'succeeded', 'failed', 'awaiting_approval', 'rejected', 'cancelled'])
  .meta({ id: 'SyncRunStatus' });
export type SyncRunStatus = z.infer<typeof syncRunStatusSchema>;

export const syncRunTriggerSchema = z.enum(['manual', 'schedule', 'webhook', 'scope_change', 'cli', 'csv']).meta({ id: 'SyncRunTrigger' });

export const syncCountsSchema = z
  .object({
    created: z.number().int(),
    updated: z.number().int(),
    deactivated: z.number().int(),
    reactivated: z.number().int(),
    unchanged: z.number().int(),
    skipped: z.number().int(),
  })
  .meta({ id: 'SyncCounts' });
export type SyncCounts = z.infer<typeof syncCountsSchema>;

export const syncProgressSchema = z
  .object({
    phase: z.string().nullable().describe('resolving_scope, taking_delta_links, reading_users, reading_changes, reading_groups, applying, deactivating, done'),
    usersRead: z.number().int(),
    pages: z.number().int(),
    graphRequests: z.number().int(),
  })
  .meta({ id: 'SyncProgress' });

export const syncRunSchema = z
  .object({
    id: z.string(),
    trigger: syncRunTriggerSchema,
    mode: z.enum(['full', 'incremental']),
    dryRun: z.boolean(),
    status: syncRunStatusSchema,
    progress: syncProgressSchema,
    counts: syncCountsSchema,
    error: z.object({ code: z.string(), message: z.string() }).nullable(),
    queuedAt: z.iso.datetime(),
    startedAt: z.iso.datetime().nullable(),
    finishedAt: z.iso.datetime().nullable(),
    durationMs: z.number().int().nullable(),
    /** A preview of settings sent with it and not saved (the drawer's "Preview changes" before "Save"), not of the saved ones. */
    unsavedSettings: z.boolean().default(false),
  })
  .meta({ id: 'SyncRun' });
export type SyncRun = z.infer<typeof syncRunSchema>;

export const startSyncRunBodySchema = z
  .object({
    dryRun: z.boolean().default(false),
    full: z.boolean().default(false),
    /** Settings to preview instead of the saved ones (a dry run only); nothing is saved. */
    configuration: syncConfigurationSchema.optional(),
  })
  .refine((body) => !body.configuration || body.dryRun, {
    path: ['configuration'],
    message: 'Only a preview (dryRun: true) can use settings that are not saved. Save them with "Save changes and sync users" to sync with them.',
  })
  .meta({ id: 'StartSyncRun' });

export const syncRunPageSchema = z
  .object({ runs: z.array(syncRunSchema), nextCursor: z.string().nullable() })
  .meta({ id: 'SyncRunPage' });

export const pageQuerySchema = z.object({
  cursor: z.string().max(512).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(25),
});

const reportEntrySchema = z
  .object({
    entraObjectId: z.string().nullable(),
    email: z.string().nullable(),
    displayName: z.string().nullable(),
    reason: z.string().optional(),
  })
  .meta({ id: 'SyncReportEntry' });

/** Who a run created, updated, deactivated, reactivated or skipped (or would, for a dry or held run); lists are capped, counts are not. */
export const syncReportSchema = z
  .object({
    counts: syncCountsSchema,
    created: z.array(reportEntrySchema),
    updated: z.array(reportEntrySchema),
    deactivated: z.array(reportEntrySchema),
    reactivated: z.array(reportEntrySchema),
    skipped: z.array(reportEntrySchema),
    /** True when a list was cut to its cap. */
    truncated: z.boolean(),
  })
  .meta({ id: 'SyncReport' });

/** Server-Sent Events on a run: `progress` while it runs, then one `finished`. */
export const syncRunEventSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('progress'), run: syncRunSchema }),
  z.object({ type: z.literal('finished'), run: syncRunSchema }),
]);
export type SyncRunEvent = z.infer<typeof syncRunEventSchema>;

/** What saving answers: the configuration as stored, and the sync it started (absent when Microsoft 365 is not connected yet). */
export const savedConfigurationSchema = z
  .object({ configuration: syncConfigurationSchema, run: syncRunSchema.nullable() })
  .meta({ id: 'SavedConfiguration' });
