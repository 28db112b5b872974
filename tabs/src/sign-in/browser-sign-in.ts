import { BrowserAuthError, InteractionRequiredAuthError, PublicClientApplication, type AccountInfo } from '@azure/msal-browser';
import type { SignInState } from './session';
import type { SignInSettings as TabSettings } from './tab-settings';

/**
 * Entra sends the browser back to the registered SPA address (the api's PUBLIC_URL); when
 * the tab is opened on another address of this machine (127.0.0.1 for localhost), it comes
 * back where it started, since MSAL keeps its state per origin.
 */
const redirectUriFor = (settings: TabSettings) => (new URL(settings.redirectUri).origin === window.location.origin ? settings.redirectUri : `${window.location.origin}/`);

export async function createMsal(settings: TabSettings): Promise<PublicClientApplication> {
  const redirectUri = () => redirectUriFor(settings);
  const msal = new PublicClientApplication({
    auth: {
      clientId: settings.clientId,
      authority: settings.authority,
      // Known authorities skip Microsoft's instance discovery, so the emulator works as an authority.
      knownAuthorities: settings.knownAuthorities,
      redirectUri: redirectUri(),
      postLogoutRedirectUri: redirectUri(),
    },
    cache: { cacheLocation: 'sessionStorage' },
  });
  await msal.initialize();
  return msal;
}

function describe(error: unknown): string {
  if (error instanceof Error && 'errorMessage' in error && typeof error.errorMessage === 'string' && error.errorMessage) return error.errorMessage;
  return error instanceof Error ? error.message : String(error);
}

/**
 * In a browser (or the onboarding console): MSAL signs in with a redirect to Entra (the
 * emulator in development) and gives tokens with `acquireTokenSilent`, falling back to a
 * redirect when Entra wants the person back.
 */
export async function signInWithBrowser(settings: TabSettings): Promise<SignInState> {
  const scopes = [settings.apiScope];
  let msal: PublicClientApplication;
  let account: AccountInfo | null;
  try {
    msal = await createMsal(settings);
    const redirected = await msal.handleRedirectPromise();
    account = redirected?.account ?? msal.getActiveAccount() ?? msal.getAllAccounts()[0] ?? null;
  } catch (error) {
    const signIn = async () => {
      const fresh = await createMsal(settings);
      await fresh.loginRedirect({ scopes, redirectStartPage: window.location.href });
    };
    return { kind: 'signed-out', signIn, message: `Sign-in did not complete: ${describe(error)}` };
  }
  const signIn = () => msal.loginRedirect({ scopes, redirectStartPage: window.location.href, prompt: 'select_account' });
  if (!account) return { kind: 'signed-out', signIn };
  msal.setActiveAccount(account);
  const signedIn = account;
  return {
    kind: 'signed-in',
    session: {
      host: 'browser',
      account: { name: signedIn.name ?? signedIn.username, username: signedIn.username },
      token: async () => {
        try {
          return (await msal.acquireTokenSilent({ scopes, account: signedIn })).accessToken;
        } catch (error) {
          if (error instanceof InteractionRequiredAuthError || error instanceof BrowserAuthError) {
            await msal.acquireTokenRedirect({ scopes, account: signedIn, redirectStartPage: window.location.href });
          }
          throw error;
        }
      },
      signOut: () => msal.logoutRedirect({ account: signedIn }),
    },
  };
}

/**
 * The consent pop-up Teams opens (`/?auth=consent`): sign in with MSAL asking for the api's
 * scope with `prompt=consent`, then hand the outcome back to the tab in Teams.
 */
export async function runConsentPopup(settings: TabSettings): Promise<'redirecting' | { ok: true } | { ok: false; reason: string }> {
  const msal = await createMsal(settings);
  try {
    const result = await msal.handleRedirectPromise();
    if (result) return { ok: true };
  } catch (error) {
    return { ok: false, reason: describe(error) };
  }
  await msal.loginRedirect({ scopes: [settings.apiScope], prompt: 'consent', redirectStartPage: window.location.href });
  return 'redirecting';
}
