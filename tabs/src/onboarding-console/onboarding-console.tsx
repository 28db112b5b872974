import {
  Badge, Body1, Button, Caption1, Card, CardHeader, MessageBar, MessageBarBody, MessageBarTitle, Spinner, Subtitle2, Title2, makeStyles, tokens,
} from '@fluentui/react-components';
import type { OnboardingConsole, OnboardingLinkDescription, SyncRun } from '@users-sync/api/contract';
import { useCallback, useEffect, useMemo, useState } from 'react';
import { ApiProblem, type ApiClient } from '../api/api-client';
import { TabContext, useTab } from '../api/api-context';
import { asProblem } from '../api/use-resource';
import { configurationFrom, draftFrom, ScopeForm, type ScopeDraft } from '../screens/microsoft/scope-form';
import { consentOutcomeFrom } from '../screens/microsoft/connection-section';
import { RunPanel } from '../screens/microsoft/sync-runner';
import { ProblemMessage } from '../shell/problem-message';
import type { SignInState } from '../sign-in/session';
import { forgetSession, keepSession, openConsole, takeSecretFromAddress } from './console-session';

const useStyles = makeStyles({
  page: { minHeight: '100vh', display: 'flex', justifyContent: 'center', padding: tokens.spacingHorizontalL, boxSizing: 'border-box', backgroundColor: tokens.colorNeutralBackground2 },
  column: { width: '100%', maxWidth: '760px', display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalL },
  step: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalS, padding: tokens.spacingHorizontalL },
  row: { display: 'flex', gap: tokens.spacingHorizontalS, alignItems: 'center', flexWrap: 'wrap' },
});

export interface OnboardingConsoleProps {
  /** Where the link's secret and the console session are kept (this browser tab's session storage). */
  storage?: Storage;
  /** The Microsoft sign-in (MSAL in the browser); tests pass their own. */
  microsoftSignIn: () => Promise<SignInState>;
}

type Stage =
  | { step: 'opening' }
  | { step: 'refused'; description: OnboardingLinkDescription }
  | { step: 'open'; api: ApiClient; view: OnboardingConsole; renew: () => Promise<void> };

const noLink: OnboardingLinkDescription = { state: 'unknown', organizationName: null, email: null, expiresAt: null, contact: null, message: 'Open the onboarding link you received by email or in Teams.' };

/**
 * The limited console an onboarding link opens, in any browser, without Teams and without
 * a Users Sync account: "Sync your employees" → "Microsoft" → sign in with a work account
 * → Connect to Microsoft 365 → scope → Save changes and sync users → the result.
 */
export function OnboardingConsoleScreen({ storage = window.sessionStorage, microsoftSignIn }: OnboardingConsoleProps) {
  const styles = useStyles();
  const [stage, setStage] = useState<Stage>({ step: 'opening' });
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    let cancelled = false;
    (async (): Promise<Stage> => {
      const secret = takeSecretFromAddress(window.location, storage);
      if (!secret) return { step: 'refused', description: noLink };
      const opened = await openConsole(secret, storage);
      if (opened.kind === 'refused') return { step: 'refused', description: opened.description };
      const load = () => opened.api.call('onboardingConsole');
      let view: OnboardingConsole;
      try {
        view = await load();
      } catch (error) {
        const problem = asProblem(error);
        // A session that ran out: the secret opens a new one.
        if (problem.status !== 401) throw problem;
        forgetSession(storage);
        const again = await openConsole(secret, storage);
        if (again.kind === 'refused') return { step: 'refused', description: again.description };
        view = await again.api.call('onboardingConsole');
      }
      return { step: 'open', api: opened.api, view, renew: opened.renew };
    })().then(
      (next) => !cancelled && setStage(next),
      (error: unknown) => {
        if (cancelled) return;
        const problem = asProblem(error);
        // A link revoked or expired while the console was open: the same page that explains it.
        setStage({ step: 'refused', description: { ...noLink, state: problem.code === 'ONBOARDING_LINK_REVOKED' ? 'revoked' : problem.code === 'ONBOARDING_LINK_EXPIRED' ? 'expired' : 'unknown', message: problem.detail } });
      },
    );
    return () => {
      cancelled = true;
    };
  }, [attempt, storage]);

  return (
    <main className={styles.page}>
      <div className={styles.column}>
        {stage.step === 'opening' && <Spinner label="Opening your onboarding link…" />}
        {stage.step === 'refused' && <LinkRefused description={stage.description} />}
        {stage.step === 'open' && (
          <Console
            api={stage.api}
            view={stage.view}
            storage={storage}
            microsoftSignIn={microsoftSignIn}
            onViewChanged={(view) => setStage({ ...stage, view })}
            onEnded={() => setAttempt((a) => a + 1)}
          />
        )}
      </div>
    </main>
  );
}

/** An expired, revoked or unknown link: what happened and whom to ask, never a stack trace. */
export function LinkRefused({ description }: { description: OnboardingLinkDescription }) {
  const title = description.state === 'expired' ? 'This onboarding link has expired' : description.state === 'revoked' ? 'This onboarding link was revoked' : description.state === 'completed' ? 'The setup is done' : 'This onboarding link does not work';
  // For a link that ended, the title says what happened and the contact whom to ask: the api's sentence would say both again.
  const ended = (description.state === 'expired' || description.state === 'revoked') && description.contact !== null;
  const contact = description.contact && (
    <span data-testid="contact">
      Ask {description.contact.name}
      {description.contact.email && (
        <>
          {' '}
          (<a href={`mailto:${description.contact.email}`}>{description.contact.email}</a>)
        </>
      )}{' '}
      for a new link{description.organizationName ? ` to ${description.organizationName}` : ''}.
    </span>
  );
  return (
    <>
      <Title2 as="h1">Users Sync</Title2>
      <MessageBar intent={description.state === 'completed' ? 'success' : 'warning'} layout="multiline" role="alert">
        <MessageBarBody>
          <MessageBarTitle>{title}</MessageBarTitle>
          {ended ? (
            <>
              {description.state === 'expired' && description.expiresAt ? `It ended on ${new Date(description.expiresAt).toLocaleDateString()}. ` : ''}
              {contact}
            </>
          ) : (
            description.message
          )}
        </MessageBarBody>
      </MessageBar>
      {!ended && contact && <Body1>{contact}</Body1>}
    </>
  );
}

function Console({
  api,
  view,
  storage,
  microsoftSignIn,
  onViewChanged,
  onEnded,
}: {
  api: ApiClient;
  view: OnboardingConsole;
  storage: Storage;
  microsoftSignIn: () => Promise<SignInState>;
  onViewChanged: (view: OnboardingConsole) => void;
  onEnded: () => void;
}) {
  const styles = useStyles();
  const [signIn, setSignIn] = useState<SignInState>({ kind: 'loading' });
  const [problem, setProblem] = useState<ApiProblem | null>(null);

  // Back from Microsoft's sign-in: hand the work account to the api, which checks its tenant and email.
  useEffect(() => {
    if (view.microsoftAccount) return;
    let cancelled = false;
    microsoftSignIn().then(async (state) => {
      if (cancelled) return;
      setSignIn(state);
      if (state.kind !== 'signed-in') return;
      try {
        const signedIn = await api.call('onboardingSignIn', { body: { accessToken: await state.session.token() } });
        keepSession(storage, signedIn.session.sessionToken);
        onViewChanged(signedIn.console);
      } catch (error) {
        setProblem(asProblem(error));
      }
    }, (error: unknown) => !cancelled && setProblem(asProblem(error)));
    return () => {
      cancelled = true;
    };
    // Once per console: a new sign-in reloads the page anyway.
  }, [view.microsoftAccount === null]);

  const runsChanged = useCallback(() => {
    api.call('onboardingConsole').then(onViewChanged, (error: unknown) => (asProblem(error).status === 410 ? onEnded() : undefined));
  }, [api, onViewChanged, onEnded]);
  const context = useMemo(
    () => ({
      api,
      // The console has no Users Sync account: the screens it shares with the tab see the signed-in Microsoft admin.
      me: {
        user: { id: 'onboarding-console', name: view.microsoftAccount?.name ?? view.link.email, email: view.microsoftAccount?.email ?? view.link.email, role: 'admin' as const },
        organization: { id: '', name: view.organization.name, tenantId: view.organization.tenantId ?? '', providerDetection: null },
      },
      host: 'browser' as const,
      runsVersion: 0,
      runsChanged,
    }),
    [api, view, runsChanged],
  );

  return (
    <TabContext.Provider value={context}>
      <Title2 as="h1">Sync your employees — Microsoft</Title2>
      <Body1>
        {view.contact.name} asked you to connect <b>{view.organization.name}</b> to Microsoft 365 in Users Sync. This console works until {new Date(view.link.expiresAt).toLocaleDateString()} and can only do this setup.
      </Body1>
      {view.mode === 'read_only' && (
        <MessageBar intent="success" layout="multiline">
          <MessageBarBody>
            <MessageBarTitle>The setup is done</MessageBarTitle>
            Your employees are synchronized. This console stays open read-only until the link expires; {view.contact.name} sees the rest in Users Sync.
          </MessageBarBody>
        </MessageBar>
      )}
      <Card className={styles.step}>
        <CardHeader header={<Subtitle2 as="h2">1. Sign in with your Microsoft work account</Subtitle2>} />
        {view.microsoftAccount ? (
          <div className={styles.row}>
            <Badge color="success">Signed in</Badge>
            <Body1>
              {view.microsoftAccount.name} ({view.microsoftAccount.email})
            </Body1>
          </div>
        ) : (
          <>
            <Body1>Sign in as {view.link.email}, an administrator of your organization’s Microsoft 365.</Body1>
            {problem && <ProblemMessage problem={problem} title="This account cannot do the setup" />}
            {signIn.kind === 'signed-out' || signIn.kind === 'signed-in' ? (
              <div>
                <Button appearance="primary" onClick={() => void (signIn.kind === 'signed-out' ? signIn.signIn() : microsoftSignIn().then(setSignIn))}>
                  Sign in with Microsoft
                </Button>
              </div>
            ) : signIn.kind === 'failed' ? (
              <ProblemMessage problem={new ApiProblem(0, signIn.code, signIn.message)} title="Sign-in failed" onRetry={signIn.retry} />
            ) : (
              <Spinner size="tiny" label="Checking your Microsoft sign-in…" />
            )}
          </>
        )}
      </Card>
      {!view.microsoftAccount && (
        <Caption1 data-testid="next-steps">Then: 2. Connect to Microsoft 365 (Microsoft asks you to accept the permissions) · 3. Choose who to synchronize, then sync.</Caption1>
      )}
      {view.microsoftAccount && <ConnectStep view={view} />}
      {view.microsoftAccount && view.connection.status === 'connected' && <ScopeStep view={view} />}
    </TabContext.Provider>
  );
}

function ConnectStep({ view }: { view: OnboardingConsole }) {
  const styles = useStyles();
  const outcome = useMemo(() => consentOutcomeFrom(window.location.search), []);
  const [problem, setProblem] = useState<ApiProblem | null>(null);
  const [busy, setBusy] = useState(false);
  const { api } = useContextApi();
  const connect = async () => {
    setBusy(true);
    setProblem(null);
    try {
      const { consentUrl } = await api.call('startConsent');
      window.location.assign(consentUrl);
    } catch (error) {
      setProblem(asProblem(error));
      setBusy(false);
    }
  };
  return (
    <Card className={styles.step}>
      <CardHeader header={<Subtitle2 as="h2">2. Connect to Microsoft 365</Subtitle2>} />
      {outcome && outcome.outcome !== 'connected' && (
        <MessageBar intent={outcome.outcome === 'declined' ? 'warning' : 'error'} layout="multiline">
          <MessageBarBody>
            <MessageBarTitle>{outcome.outcome === 'declined' ? 'The permissions were not accepted' : 'The connection could not be completed'}</MessageBarTitle>
            {outcome.message}
          </MessageBarBody>
        </MessageBar>
      )}
      {view.connection.status === 'connected' ? (
        <div className={styles.row}>
          <Badge color="success">Connected</Badge>
          <Body1 data-testid="console-connected-tenant">{view.connection.tenantName ?? 'Your Microsoft 365 tenant'}</Body1>
        </div>
      ) : (
        <>
          <Body1>Microsoft asks you to accept read-only permissions on your directory ({view.connection.permissions.map((p) => p.name).join(', ')}). Nothing is ever written to Microsoft 365.</Body1>
          {problem && <ProblemMessage problem={problem} title="Microsoft 365 could not be reached" />}
          <div>
            <Button appearance="primary" disabled={busy || view.mode === 'read_only'} onClick={() => void connect()}>
              Connect to Microsoft 365
            </Button>
          </div>
        </>
      )}
    </Card>
  );
}

function ScopeStep({ view }: { view: OnboardingConsole }) {
  const styles = useStyles();
  const { api, runsChanged } = useContextApi();
  const [draft, setDraft] = useState<ScopeDraft | null>(null);
  const [shown, setShown] = useState<SyncRun | null>(null);
  const [problem, setProblem] = useState<ApiProblem | null>(null);
  const [busy, setBusy] = useState(false);
  const latestRunId = view.runIds[0];

  useEffect(() => {
    let cancelled = false;
    void api.call('getConfiguration').then((configuration) => !cancelled && setDraft(draftFrom(configuration)), (error: unknown) => !cancelled && setProblem(asProblem(error)));
    if (latestRunId) void api.call('getRun', { params: { runId: latestRunId } }).then((run) => !cancelled && setShown((current) => current ?? run), () => undefined);
    return () => {
      cancelled = true;
    };
  }, [api, latestRunId]);

  const save = async () => {
    if (!draft) return;
    setBusy(true);
    setProblem(null);
    try {
      const saved = await api.call('saveConfiguration', { body: configurationFrom(draft) });
      setDraft(draftFrom(saved.configuration));
      if (saved.run) setShown(saved.run);
    } catch (error) {
      setProblem(asProblem(error));
    } finally {
      setBusy(false);
    }
  };
  const readOnly = view.mode === 'read_only';
  return (
    <Card className={styles.step}>
      <CardHeader header={<Subtitle2 as="h2">3. Choose who to synchronize, then sync</Subtitle2>} />
      {!draft && !problem && <Spinner size="tiny" label="Loading the settings…" />}
      {draft && <ScopeForm draft={draft} onChange={setDraft} fieldErrors={problem?.fields ?? {}} disabled={busy || readOnly} />}
      {problem && <ProblemMessage problem={problem} title="The changes could not be saved" />}
      {!readOnly && (
        <div className={styles.row}>
          <Button appearance="primary" size="large" disabled={busy || !draft} onClick={() => void save()}>
            {busy ? 'Saving…' : 'Save changes and sync users'}
          </Button>
          <Caption1>The process may take a few minutes.</Caption1>
        </div>
      )}
      {shown && <RunPanelFollowingConsole run={shown} onSettled={runsChanged} />}
    </Card>
  );
}

/** The run panel, telling the console when its run ended (its success completes the setup). */
function RunPanelFollowingConsole({ run, onSettled }: { run: SyncRun; onSettled: () => void }) {
  const tab = useContextApi();
  const value = useMemo(() => ({ ...tab, runsChanged: onSettled }), [tab, onSettled]);
  return (
    <TabContext.Provider value={value}>
      <RunPanel key={run.id} initial={run} />
    </TabContext.Provider>
  );
}

const useContextApi = useTab;
