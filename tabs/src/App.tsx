import { authentication } from '@microsoft/teams-js';
import { Body1, Button, FluentProvider, Spinner, Title2, makeStyles, tokens } from '@fluentui/react-components';
import { useCallback, useEffect, useMemo, useState } from 'react';
import { ApiProblem, createApiClient } from './api/api-client';
import { TabContext } from './api/api-context';
import { asProblem } from './api/use-resource';
import { AppShell } from './shell/app-shell';
import { ProblemMessage } from './shell/problem-message';
import type { SignInState } from './sign-in/session';
import { loadTabSettings, type SignInSettings as TabSettings } from './sign-in/tab-settings';
import { connectToTeams, type TeamsHost } from './sign-in/teams-host';
import { signInWithTeams } from './sign-in/teams-sign-in';
import { fluentThemeFor } from './theme/teams-theme';
import { useHostTheme } from './theme/host-theme';
import type { Me } from '@users-sync/api/contract';

const useStyles = makeStyles({
  center: { minHeight: '100vh', display: 'flex', flexDirection: 'column', alignItems: 'center', justifyContent: 'center', gap: tokens.spacingVerticalL, padding: tokens.spacingHorizontalL, boxSizing: 'border-box', textAlign: 'center' },
  narrow: { maxWidth: '440px', display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalM },
});

type Boot =
  | { step: 'starting' }
  | { step: 'failed'; problem: ApiProblem }
  | { step: 'ready'; settings: TabSettings; teams: TeamsHost | null; signIn: SignInState }
  | { step: 'popup-done'; message: string }
  | { step: 'signed-in'; settings: TabSettings; teams: TeamsHost | null; signIn: Extract<SignInState, { kind: 'signed-in' }>; me: Me };

/** The tab: settings from the api, Teams or browser sign-in, then the admin screens. */
export function App() {
  const [boot, setBoot] = useState<Boot>({ step: 'starting' });
  const [attempt, setAttempt] = useState(0);
  const retry = useCallback(() => setAttempt((a) => a + 1), []);

  useEffect(() => {
    let cancelled = false;
    (async () => {
      const settings = await loadTabSettings();
      const teams = await connectToTeams();
      const query = new URLSearchParams(window.location.search);
      // The pop-ups Teams opens come back to this same page: hand their outcome to the tab.
      if (teams?.frameContext === 'authentication' && query.has('consent')) {
        authentication.notifySuccess(query.toString());
        return { step: 'popup-done' as const, message: 'Done. You can close this window.' };
      }
      if (query.get('auth') === 'consent') {
        const outcome = await (await import('./sign-in/browser-sign-in')).runConsentPopup(settings);
        if (outcome === 'redirecting') return { step: 'starting' as const };
        if (teams && outcome.ok) authentication.notifySuccess();
        else if (teams && !outcome.ok) authentication.notifyFailure(outcome.reason);
        return { step: 'popup-done' as const, message: outcome.ok ? 'Thank you. You can close this window.' : `Consent was not given: ${outcome.reason}` };
      }
      // MSAL is loaded only outside Teams: inside Teams the tab signs in with Teams SSO.
      const signIn = teams ? await signInWithTeams(retry) : await (await import('./sign-in/browser-sign-in')).signInWithBrowser(settings);
      if (signIn.kind !== 'signed-in') return { step: 'ready' as const, settings, teams, signIn };
      const api = createApiClient(signIn.session.token);
      const me = await api.call('me');
      return { step: 'signed-in' as const, settings, teams, signIn, me };
    })().then(
      (next) => !cancelled && setBoot(next),
      (error: unknown) => !cancelled && setBoot({ step: 'failed', problem: asProblem(error) }),
    );
    return () => {
      cancelled = true;
    };
  }, [attempt, retry]);

  const teams = boot.step === 'ready' || boot.step === 'signed-in' ? boot.teams : null;
  const theme = fluentThemeFor(useHostTheme(teams));
  return (
    <FluentProvider theme={theme} style={{ minHeight: '100vh' }}>
      <Content boot={boot} retry={retry} />
    </FluentProvider>
  );
}

function Content({ boot, retry }: { boot: Boot; retry: () => void }) {
  const styles = useStyles();
  const [runsVersion, setRunsVersion] = useState(0);
  const runsChanged = useCallback(() => setRunsVersion((v) => v + 1), []);
  // One client per signed-in session: screens follow runs with it, and must not restart when the runs change.
  const api = useMemo(() => (boot.step === 'signed-in' ? createApiClient(boot.signIn.session.token) : null), [boot]);
  const tab = useMemo(() => {
    if (boot.step !== 'signed-in' || !api) return null;
    return { api, me: boot.me, host: boot.signIn.session.host, runsVersion, runsChanged };
  }, [api, boot, runsVersion, runsChanged]);

  if (boot.step === 'signed-in' && tab) {
    return (
      <TabContext.Provider value={tab}>
        <AppShell session={boot.signIn.session} />
      </TabContext.Provider>
    );
  }
  if (boot.step === 'starting') {
    return (
      <main className={styles.center}>
        <Spinner label="Opening Users Sync…" />
      </main>
    );
  }
  if (boot.step === 'popup-done') {
    return (
      <main className={styles.center}>
        <Body1>{boot.message}</Body1>
      </main>
    );
  }
  if (boot.step === 'failed') {
    return (
      <main className={styles.center}>
        <div className={styles.narrow}>
          <Title2 as="h1">Users Sync</Title2>
          <ProblemMessage problem={boot.problem} title="Users Sync could not open" onRetry={retry} />
        </div>
      </main>
    );
  }
  return <SignInScreen state={boot.signIn} />;
}

function SignInScreen({ state }: { state: SignInState }) {
  const styles = useStyles();
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<ApiProblem | null>(null);
  const act = (action: () => Promise<void>) => {
    setBusy(true);
    setProblem(null);
    action().catch((error: unknown) => {
      setBusy(false);
      setProblem(new ApiProblem(0, 'SIGN_IN_FAILED', `${asProblem(error).detail}. Try again, or check that pop-ups are allowed for Teams.`));
    });
  };
  return (
    <main className={styles.center}>
      <div className={styles.narrow}>
        <Title2 as="h1">Users Sync</Title2>
        <Body1>Keep your employee list identical to Microsoft Entra ID, without CSV files.</Body1>
        {state.kind === 'signed-out' && (
          <>
            {state.message && <ProblemMessage problem={new ApiProblem(0, 'SIGN_IN_FAILED', state.message)} title="Sign-in did not complete" />}
            <Button appearance="primary" size="large" disabled={busy} onClick={() => act(state.signIn)}>
              Sign in with Microsoft
            </Button>
            <Body1>Use your Microsoft 365 work account.</Body1>
          </>
        )}
        {state.kind === 'consent-needed' && (
          <>
            <Body1>Users Sync needs your permission to sign you in with your Teams account.</Body1>
            <Button appearance="primary" size="large" disabled={busy} onClick={() => act(state.grant)}>
              Continue
            </Button>
          </>
        )}
        {state.kind === 'failed' && <ProblemMessage problem={new ApiProblem(0, state.code, state.message)} title="Sign-in failed" onRetry={state.retry} />}
        {problem && <ProblemMessage problem={problem} title="Sign-in failed" />}
      </div>
    </main>
  );
}
