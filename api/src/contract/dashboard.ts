import { z } from 'zod';
import { connectionStatusSchema } from './microsoft-connection';
import { syncRunSchema } from './sync-runs';

const statusCountsSchema = z.object({ active: z.number().int(), inactive: z.number().int() });

/** The dashboard in one answer: the directory's figures, the connection, the last and next syncs. */
export const dashboardSchema = z
  .object({
    employees: z.object({
      active: z.number().int(),
      inactive: z.number().int(),
      /** Where employees came from: Microsoft Users Sync, a CSV import, or added by hand. */
      bySource: z.object({ microsoft: statusCountsSchema, csv: statusCountsSchema, manual: statusCountsSchema }),
    }),
    connection: z.object({ status: connectionStatusSchema, tenantName: z.string().nullable() }),
    /** The newest sync that ended or waits for approval (dry runs aside), with its outcome; null before the first one. */
    lastRun: syncRunSchema.nullable(),
    /** A sync (or dry run) queued or running now. */
    runningRun: syncRunSchema.nullable(),
    /** When the schedule starts the next sync (checked every minute); null when not connected or the schedule is off. */
    nextScheduledSyncAt: z.iso.datetime().nullable(),
    scheduleIntervalMinutes: z.number().int().nullable(),
  })
  .meta({ id: 'Dashboard' });
export type Dashboard = z.infer<typeof dashboardSchema>;
