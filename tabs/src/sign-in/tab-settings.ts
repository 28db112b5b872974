import { z } from 'zod';
import { problemFrom, unreachable } from '../api/api-client';

/**
 * The tab's public settings, served by the api so one build serves the emulator and the
 * real cloud: nothing about the tenant or the app is baked into the bundle.
 */
export const tabSettingsSchema = z.object({
  clientId: z.string().min(1),
  authority: z.url(),
  knownAuthorities: z.array(z.string()),
  apiScope: z.string().min(1),
  emulator: z.boolean(),
});
export type TabSettings = z.infer<typeof tabSettingsSchema>;

export async function loadTabSettings(path = '/api/tab/settings'): Promise<TabSettings> {
  let response: Response;
  try {
    response = await fetch(path, { headers: { accept: 'application/json' } });
  } catch {
    throw unreachable();
  }
  if (!response.ok) throw await problemFrom(response);
  return tabSettingsSchema.parse(await response.json());
}
