import { z } from 'zod';
import { microsoftConnectionSchema } from './microsoft-connection';

export const onboardingLinkStateSchema = z.enum(['pending', 'opened', 'completed', 'expired', 'revoked']).meta({ id: 'OnboardingLinkState' });

/** Whether the bot reached the person in Teams: `pending` until it answers. */
export const onboardingLinkDeliverySchema = z
  .object({
    status: z.enum(['pending', 'delivered', 'not_delivered']),
    /** Why it was not delivered (the person is not reachable in Teams, no bot…), for the dialog. */
    reason: z.string().nullable(),
    at: z.iso.datetime().nullable(),
  })
  .meta({ id: 'OnboardingLinkDelivery' });

export const onboardingLinkSchema = z
  .object({
    id: z.string(),
    /** The Microsoft admin the link was made for. */
    email: z.string(),
    state: onboardingLinkStateSchema,
    createdBy: z.object({ name: z.string(), email: z.string() }),
    createdAt: z.iso.datetime(),
    expiresAt: z.iso.datetime(),
    openedAt: z.iso.datetime().nullable(),
    /** The Microsoft work account that signed in through the console. */
    signedInEmail: z.string().nullable(),
    consentedAt: z.iso.datetime().nullable(),
    completedAt: z.iso.datetime().nullable(),
    revokedAt: z.iso.datetime().nullable(),
    revokedBy: z.string().nullable(),
    delivery: onboardingLinkDeliverySchema,
  })
  .meta({ id: 'OnboardingLink' });
export type OnboardingLink = z.infer<typeof onboardingLinkSchema>;

export const createOnboardingLinkBodySchema = z
  .object({ email: z.email('Enter the Microsoft admin’s email address, like name@company.com.').trim().toLowerCase().max(320) })
  .meta({ id: 'CreateOnboardingLink' });

export const createdOnboardingLinkSchema = z
  .object({
    link: onboardingLinkSchema,
    /** `${PUBLIC_URL}/onboarding#<secret>`: shown once, never stored (only its hash is). */
    url: z.url(),
  })
  .meta({ id: 'CreatedOnboardingLink' });
export type CreatedOnboardingLink = z.infer<typeof createdOnboardingLinkSchema>;

export const onboardingLinkListSchema = z.object({ links: z.array(onboardingLinkSchema) }).meta({ id: 'OnboardingLinkList' });

/** The secret from the link's URL fragment. */
export const onboardingSecretBodySchema = z.object({ token: z.string().trim().min(1).max(200) }).meta({ id: 'OnboardingSecret' });

/** Whom a person holding a link should ask when it no longer works. */
export const onboardingContactSchema = z.object({ name: z.string(), email: z.string() }).meta({ id: 'OnboardingContact' });

/** What a link is, for the page shown when it cannot be used (and for the console's first screen). */
export const onboardingLinkDescriptionSchema = z
  .object({
    state: z.enum(['usable', 'completed', 'expired', 'revoked', 'unknown']),
    organizationName: z.string().nullable(),
    email: z.string().nullable(),
    expiresAt: z.iso.datetime().nullable(),
    /** The account owner; null for an unknown link (then ask whoever sent it). */
    contact: onboardingContactSchema.nullable(),
    message: z.string(),
  })
  .meta({ id: 'OnboardingLinkDescription' });
export type OnboardingLinkDescription = z.infer<typeof onboardingLinkDescriptionSchema>;

export const onboardingSessionSchema = z
  .object({
    /** Send as `Authorization: Onboarding <sessionToken>`. */
    sessionToken: z.string(),
    /** The session ends then (or earlier, when the link is revoked); open the link again for a new one. */
    expiresAt: z.iso.datetime(),
  })
  .meta({ id: 'OnboardingSession' });

export const onboardingConsoleSchema = z
  .object({
    organization: z.object({ name: z.string(), tenantId: z.string().nullable() }),
    link: z.object({ email: z.string(), expiresAt: z.iso.datetime(), state: onboardingLinkStateSchema }),
    /** setup: the Microsoft setup can be done; read_only: it is done, results can be read until the link expires. */
    mode: z.enum(['setup', 'read_only']),
    /** The Microsoft work account signed in to this session, once it has. */
    microsoftAccount: z.object({ name: z.string(), email: z.string(), tenantId: z.string() }).nullable(),
    connection: microsoftConnectionSchema,
    /** The sync runs this link's console started, newest first. */
    runIds: z.array(z.string()),
    contact: onboardingContactSchema,
  })
  .meta({ id: 'OnboardingConsole' });
export type OnboardingConsole = z.infer<typeof onboardingConsoleSchema>;

/** A Microsoft sign-in renews the session: the new one carries the signed-in work account. */
export const onboardingSignedInSchema = z.object({ session: onboardingSessionSchema, console: onboardingConsoleSchema }).meta({ id: 'OnboardingSignedIn' });

/** The Entra access token for Users Sync (MSAL sign-in with a work account) the console presents before consent. */
export const onboardingSignInBodySchema = z.object({ accessToken: z.string().min(1).max(16_384) }).meta({ id: 'OnboardingSignIn' });

/**
 * What the bot reports after trying to deliver a link in Teams (see
 * `recordOnboardingLinkDelivery` in api/src/onboarding).
 */
export const onboardingLinkDeliveryReportSchema = z
  .object({
    organizationId: z.string(),
    linkId: z.string(),
    delivered: z.boolean(),
    reason: z.string().max(500).nullable().default(null),
  })
  .meta({ id: 'OnboardingLinkDeliveryReport' });
export type OnboardingLinkDeliveryReport = z.input<typeof onboardingLinkDeliveryReportSchema>;
