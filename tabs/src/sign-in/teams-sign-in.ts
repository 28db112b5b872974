import { authentication } from '@microsoft/teams-js';
import type { SignInState } from './session';

/** The SSO failures that mean "this person has not consented to the app yet". */
const CONSENT_FAILURES = ['resourceRequiresConsent', 'consent_required', 'interaction_required', 'invalid_grant'];

function reasonOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function claimsOf(token: string): { name?: string; preferred_username?: string; upn?: string } {
  try {
    const payload = token.split('.')[1] ?? '';
    return JSON.parse(atob(payload.replace(/-/g, '+').replace(/_/g, '/'))) as { name?: string; preferred_username?: string; upn?: string };
  } catch {
    return {};
  }
}

/**
 * Inside Teams: the SSO token from `authentication.getAuthToken()` is the api's bearer
 * (https://learn.microsoft.com/microsoftteams/platform/tabs/how-to/authentication/tab-sso-code).
 * When the person has not consented yet, Teams cannot show Entra's consent page in its
 * frame, so the tab opens it in a pop-up through `authentication.authenticate`.
 */
export async function signInWithTeams(retry: () => void): Promise<SignInState> {
  try {
    const token = await authentication.getAuthToken();
    const claims = claimsOf(token);
    return {
      kind: 'signed-in',
      session: {
        host: 'teams',
        account: { name: claims.name ?? '', username: claims.preferred_username ?? claims.upn ?? '' },
        token: () => authentication.getAuthToken(),
      },
    };
  } catch (error) {
    const reason = reasonOf(error);
    if (CONSENT_FAILURES.some((failure) => reason.includes(failure))) {
      return {
        kind: 'consent-needed',
        grant: async () => {
          await authentication.authenticate({ url: `${window.location.origin}/?auth=consent`, width: 600, height: 640 });
          retry();
        },
      };
    }
    return { kind: 'failed', code: 'TEAMS_SSO_FAILED', message: `Teams could not sign you in to Users Sync (${reason}). Reload the tab; if it persists, ask your Teams administrator to check that the app is allowed.`, retry };
  }
}
