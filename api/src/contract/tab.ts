import { z } from 'zod';

/**
 * What the tab needs to sign in before it can call anything else; served publicly so one
 * built bundle works against the emulator and the real cloud alike.
 */
export const tabSettingsSchema = z
  .object({
    /** The Users Sync app registration; null when the api has no Microsoft app configured (the tab explains it). */
    clientId: z.string().nullable(),
    /** msal-browser's `auth.authority`: the multi-tenant `organizations` endpoint of Entra (or of the emulator). */
    authority: z.url(),
    /** msal-browser's `auth.knownAuthorities`: host names (with port) trusted without Microsoft's instance discovery. */
    knownAuthorities: z.array(z.string()),
    /** The delegated scope of our api to ask tokens for (`api://…/access_as_user`); null without a client id. */
    apiScope: z.string().nullable(),
    /** Where Entra sends the browser back after sign-in: the tab's own address. */
    redirectUri: z.url(),
    /** True when sign-in and Graph are the Microsoft 365 emulator (development and tests), not Microsoft's cloud. */
    emulator: z.boolean(),
  })
  .meta({ id: 'TabSettings' });
export type TabSettings = z.infer<typeof tabSettingsSchema>;
