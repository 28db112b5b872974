import { z } from 'zod';

/**
 * The bot's internal routes: the bot keeps no state, so the api stores where the bot can
 * reach people (Bot Framework conversation references) and tells it who the admins are.
 * The bot proves itself with the secret it shares with the api (`NOTIFY_SECRET`, sent in
 * the `x-notify-secret` header, the reverse direction of `/api/notify`).
 */
export const botInstallationScopeSchema = z.enum(['personal', 'team']).meta({ id: 'BotInstallationScope' });

const entraId = z.string().trim().min(1).max(128);

export const saveBotConversationSchema = z
  .object({
    tenantId: entraId,
    scope: botInstallationScopeSchema,
    /** The person's Entra object id (personal chat) or the team's id (team). */
    targetId: entraId,
    /** The Bot Framework conversation reference; only the bot reads it. */
    reference: z.record(z.string(), z.unknown()).refine((r) => JSON.stringify(r).length <= 16_384, 'A conversation reference is at most 16 kB'),
  })
  .meta({ id: 'SaveBotConversation' });
export type SaveBotConversation = z.infer<typeof saveBotConversationSchema>;

export const botConversationSchema = saveBotConversationSchema.extend({ installedAt: z.iso.datetime() }).meta({ id: 'BotConversation' });

export const adminConversationsSchema = z
  .object({
    conversations: z.array(botConversationSchema.extend({ role: z.enum(['owner', 'admin']), name: z.string() })),
  })
  .meta({ id: 'AdminConversations' });
export type AdminConversations = z.infer<typeof adminConversationsSchema>;

export const tenantAdminsSchema = z
  .object({
    /** False when nobody of this tenant has set Users Sync up yet. */
    organizationExists: z.boolean(),
    admins: z.array(z.object({ name: z.string(), email: z.string(), role: z.enum(['owner', 'admin']) })),
  })
  .meta({ id: 'TenantAdmins' });
export type TenantAdmins = z.infer<typeof tenantAdminsSchema>;

/**
 * Headers the bot adds when it calls a member route for a person in chat: taken from the
 * Bot-Framework-verified activity (`channelData.tenant.id`, `from.aadObjectId`), never
 * from the message text. Only with the shared secret do they mean anything.
 */
export const BOT_TENANT_HEADER = 'x-bot-tenant-id';
export const BOT_USER_HEADER = 'x-bot-user-object-id';

/** How the bot can reach one person: their personal chat with it, or at least the Bot Connector address of their tenant. */
export const personReachSchema = z
  .object({
    reference: z.record(z.string(), z.unknown()).nullable(),
    /** The Bot Connector address seen in the tenant, to open a new 1:1 chat when the person has none yet. */
    serviceUrl: z.string().nullable(),
  })
  .meta({ id: 'PersonReach' });
export type PersonReach = z.infer<typeof personReachSchema>;

/**
 * The api asks the bot (`POST {BOT_URL}/api/onboarding-instructions`, shared secret) to
 * send the Microsoft admin an onboarding link's instructions; the api found the person
 * in the tenant by email through Graph.
 */
export const onboardingInstructionsSchema = z
  .object({
    tenantId: entraId,
    recipientObjectId: entraId,
    recipientEmail: z.string().max(320),
    organizationName: z.string().max(256),
    sharedBy: z.object({ name: z.string().max(256), email: z.string().max(320) }),
    url: z.url(),
    expiresAt: z.iso.datetime(),
  })
  .meta({ id: 'OnboardingInstructions' });
export type OnboardingInstructions = z.infer<typeof onboardingInstructionsSchema>;

/** The bot's answer: whether the instructions reached the person, and if not why (for the tab: "copy the link"). */
export const onboardingInstructionsDeliverySchema = z
  .object({ delivered: z.boolean(), reason: z.string().nullable() })
  .meta({ id: 'OnboardingInstructionsDelivery' });
export type OnboardingInstructionsDelivery = z.infer<typeof onboardingInstructionsDeliverySchema>;
