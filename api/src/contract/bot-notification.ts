import { z } from 'zod';
import { syncRunSchema } from './sync-runs';

/** What the api tells the bot (`POST {BOT_URL}/api/notify`, authenticated with the shared secret). */
export const botNotificationSchema = z
  .discriminatedUnion('kind', [
    z.object({
      kind: z.literal('sync_finished'),
      organizationId: z.string(),
      tenantId: z.string(),
      run: syncRunSchema,
    }),
    z.object({
      kind: z.literal('approval_needed'),
      organizationId: z.string(),
      tenantId: z.string(),
      run: syncRunSchema,
      /** How many active employees the held run would deactivate, and the share that is. */
      wouldDeactivate: z.number().int(),
      activeEmployees: z.number().int(),
    }),
  ])
  .meta({ id: 'BotNotification' });
export type BotNotification = z.infer<typeof botNotificationSchema>;

/** The header carrying the secret shared by the api and the bot. */
export const NOTIFY_SECRET_HEADER = 'x-notify-secret';
