import type { TabSettings } from '@users-sync/api/contract';
import { ApiProblem, createApiClient } from '../api/api-client';

export type { TabSettings };

/** Settings that can sign someone in: a Microsoft app is configured. */
export type SignInSettings = TabSettings & { clientId: string; apiScope: string };

/**
 * The tab's public settings, served by the api so one build serves the emulator and the
 * real cloud: nothing about the tenant or the app is baked into the bundle.
 */
export async function loadTabSettings(): Promise<SignInSettings> {
  const settings = await createApiClient(undefined).call('tabSettings');
  if (!settings.clientId || !settings.apiScope)
    throw new ApiProblem(503, 'MICROSOFT_APP_NOT_CONFIGURED', 'Users Sync has no Microsoft app configured, so nobody can sign in yet. Set MICROSOFT_CLIENT_ID and MICROSOFT_CLIENT_SECRET for the api (see "A real Microsoft tenant" in the README), then reload.');
  return { ...settings, clientId: settings.clientId, apiScope: settings.apiScope };
}
