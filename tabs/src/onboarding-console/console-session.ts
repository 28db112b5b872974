import type { OnboardingLinkDescription } from '@users-sync/api/contract';
import { ApiProblem, createApiClient, type ApiClient } from '../api/api-client';

const SECRET_KEY = 'users-sync.onboarding.secret';
const SESSION_KEY = 'users-sync.onboarding.session';

/**
 * The link's secret arrives in the URL's fragment (`/onboarding#<secret>`), which no server
 * sees. It is kept in this tab's session storage and taken off the address bar, so it is
 * not left in the history; the console's session sits beside it, and survives the round
 * trips to Microsoft's sign-in and consent pages.
 */
export function takeSecretFromAddress(location: Location, storage: Storage): string | null {
  const fromHash = location.hash.replace(/^#/, '');
  if (fromHash) {
    if (storage.getItem(SECRET_KEY) !== fromHash) storage.removeItem(SESSION_KEY);
    storage.setItem(SECRET_KEY, fromHash);
    window.history.replaceState(null, '', `${location.pathname}${location.search}`);
  }
  return storage.getItem(SECRET_KEY);
}

export type ConsoleOpening = { kind: 'open'; api: ApiClient; renew: () => Promise<void> } | { kind: 'refused'; description: OnboardingLinkDescription; problem: ApiProblem | null };

/** Opens (or reopens) the console: a stored session is used while it lasts; else the secret is exchanged for one. */
export async function openConsole(secret: string, storage: Storage): Promise<ConsoleOpening> {
  const publicApi = createApiClient(undefined);
  const exchange = async () => {
    const session = await publicApi.call('openOnboardingConsole', { body: { token: secret } });
    storage.setItem(SESSION_KEY, session.sessionToken);
  };
  if (!storage.getItem(SESSION_KEY)) {
    try {
      await exchange();
    } catch (error) {
      const problem = error instanceof ApiProblem ? error : null;
      // The page that explains a link that no longer works, with whom to ask.
      const description = await publicApi.call('describeOnboardingLink', { body: { token: secret } }).catch(() => ({
        state: 'unknown' as const,
        organizationName: null,
        email: null,
        expiresAt: null,
        contact: null,
        message: problem?.detail ?? 'This onboarding link cannot be opened right now. Try again in a few minutes.',
      }));
      return { kind: 'refused', description: problem?.code === 'ONBOARDING_TOO_MANY_ATTEMPTS' ? { ...description, message: problem.detail } : description, problem };
    }
  }
  return { kind: 'open', api: createApiClient(async () => storage.getItem(SESSION_KEY) ?? '', '', 'Onboarding'), renew: exchange };
}

/** After the Microsoft sign-in, the api hands a session that carries the signed-in account. */
export function keepSession(storage: Storage, sessionToken: string): void {
  storage.setItem(SESSION_KEY, sessionToken);
}

export function forgetSession(storage: Storage): void {
  storage.removeItem(SESSION_KEY);
}
