import {
  Body1, Button, Caption1, Divider, DrawerBody, DrawerHeader, DrawerHeaderTitle, OverlayDrawer, Spinner, makeStyles, tokens,
} from '@fluentui/react-components';
import type { SyncConfiguration, SyncRun } from '@users-sync/api/contract';
import { useEffect, useMemo, useState } from 'react';
import { type ApiProblem } from '../../api/api-client';
import { useTab } from '../../api/api-context';
import { asProblem, useResource } from '../../api/use-resource';
import { navigate } from '../../shell/navigation';
import { ProblemMessage } from '../../shell/problem-message';
import { useNarrowScreen } from '../../shell/narrow-screen';
import { ConnectionSection, consentOutcomeFrom } from './connection-section';
import { configurationFrom, draftFrom, ScopeForm, type ScopeDraft } from './scope-form';
import { RunPanel } from './sync-runner';
import { ShareOnboardingLink } from '../onboarding/share-onboarding-link';

const useStyles = makeStyles({
  body: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalXL, paddingBottom: tokens.spacingVerticalXXL },
  buttons: { display: 'flex', gap: tokens.spacingHorizontalS, flexWrap: 'wrap', alignItems: 'center' },
});

/**
 * "Microsoft Users Sync", the drawer the guide describes: the application's details,
 * Connect to Microsoft 365, which users to synchronize, then Save changes and sync users
 * with live progress and the result.
 */
export function MicrosoftSyncPage() {
  const narrow = useNarrowScreen();
  const close = () => navigate({ name: 'dashboard' });
  return (
    <OverlayDrawer open position="end" size={narrow ? 'full' : 'large'} onOpenChange={(_e, data) => !data.open && close()} aria-labelledby="microsoft-title">
      <DrawerHeader>
        <DrawerHeaderTitle
          heading={{ id: 'microsoft-title', as: 'h1' }}
          action={
            <Button appearance="subtle" aria-label="Close" onClick={close}>
              Close
            </Button>
          }
        >
          Microsoft Users Sync
        </DrawerHeaderTitle>
      </DrawerHeader>
      <DrawerBody>
        <MicrosoftSyncContent />
      </DrawerBody>
    </OverlayDrawer>
  );
}

export function MicrosoftSyncContent() {
  const styles = useStyles();
  const { api, runsChanged } = useTab();
  // Read once: the consent callback's answer, then cleaned from the address bar.
  const outcome = useMemo(() => consentOutcomeFrom(window.location.search), []);
  useEffect(() => {
    if (outcome) window.history.replaceState(null, '', `${window.location.pathname}${window.location.hash}`);
  }, [outcome]);

  const connection = useResource((signal) => api.call('connection', { signal }), 'connection');
  const configuration = useResource((signal) => api.call('getConfiguration', { signal }), 'configuration');
  const latest = useResource((signal) => api.call('listRuns', { query: { limit: 1 }, signal }), 'latest-run');

  const [draft, setDraft] = useState<ScopeDraft | null>(null);
  // What is saved now: read at first, then what the last save answered.
  const [lastSaved, setLastSaved] = useState<SyncConfiguration | null>(null);
  useEffect(() => {
    if (configuration.state === 'ready' && !draft) setDraft(draftFrom(configuration.data));
  }, [configuration, draft]);

  const [shown, setShown] = useState<{ run: SyncRun; note?: string } | null>(null);
  useEffect(() => {
    // Reopening the drawer during a sync shows its progress again.
    const run = latest.data?.runs[0];
    if (run && !shown && (run.status === 'queued' || run.status === 'running')) setShown({ run });
  }, [latest.data, shown]);

  const [busy, setBusy] = useState<'save' | 'preview' | null>(null);
  const [problem, setProblem] = useState<ApiProblem | null>(null);

  if (connection.state === 'error' && !connection.data) return <ProblemMessage problem={connection.problem} title="The connection could not be read" onRetry={connection.reload} />;
  if (configuration.state === 'error' && !configuration.data) return <ProblemMessage problem={configuration.problem} title="The sync settings could not be read" onRetry={configuration.reload} />;
  if (!connection.data || !draft) return <Spinner label="Loading Microsoft Users Sync…" />;

  const connected = connection.data.status === 'connected';
  const running = shown !== null && (shown.run.status === 'queued' || shown.run.status === 'running');

  const saveAndSync = async () => {
    setBusy('save');
    setProblem(null);
    try {
      const saved = await api.call('saveConfiguration', { body: configurationFrom(draft) });
      setDraft(draftFrom(saved.configuration));
      setLastSaved(saved.configuration);
      if (saved.run) {
        const alreadyRunning = saved.run.trigger !== 'scope_change';
        setShown({ run: saved.run, note: alreadyRunning ? 'A sync was already running. Your changes are saved and will be synchronized as soon as it ends.' : undefined });
        runsChanged();
      }
    } catch (error) {
      setProblem(asProblem(error));
    } finally {
      setBusy(null);
    }
  };

  const preview = async () => {
    setBusy('preview');
    setProblem(null);
    let alreadyRunning = false;
    const savedNow = lastSaved ?? configuration.data;
    const proposed = configurationFrom(draft);
    // Unsaved changes are previewed as they stand in the form; nothing is saved.
    const unsaved = !savedNow || JSON.stringify(proposed) !== JSON.stringify(configurationFrom(draftFrom(savedNow)));
    try {
      const run = await api.call('startRun', {
        body: { dryRun: true, ...(unsaved ? { configuration: proposed } : {}) },
        onHeaders: (headers) => (alreadyRunning = headers.get('x-sync-already-running') === 'true'),
      });
      setShown({
        run,
        note: alreadyRunning
          ? 'A sync is already running: here is its progress. Preview again when it ends.'
          : unsaved
            ? 'This previews the settings above, which are not saved yet. Nothing was saved or changed: "Save changes and sync users" applies them.'
            : undefined,
      });
    } catch (error) {
      setProblem(asProblem(error));
    } finally {
      setBusy(null);
    }
  };

  return (
    <div className={styles.body}>
      <Body1>Import your collaborators from Microsoft Entra ID and keep your employee list up to date, without CSV files. Changes in Entra ID reach the list within minutes.</Body1>
      <ConnectionSection
        connection={connection.data}
        outcome={outcome}
        onChanged={() => {
          connection.reload();
          latest.reload();
        }}
      />
      {!connected && <ShareOnboardingLink />}
      <Divider />
      <ScopeForm draft={draft} onChange={setDraft} fieldErrors={problem?.fields ?? {}} disabled={busy !== null} />
      {problem && <ProblemMessage problem={problem} title={busy === 'preview' ? 'The preview could not start' : 'The changes could not be saved'} />}
      <div className={styles.buttons}>
        <Button appearance="primary" size="large" disabled={busy !== null} onClick={() => void saveAndSync()}>
          {busy === 'save' ? 'Saving…' : 'Save changes and sync users'}
        </Button>
        <Button disabled={busy !== null || !connected || running} onClick={() => void preview()}>
          {busy === 'preview' ? 'Starting the preview…' : 'Preview changes'}
        </Button>
      </div>
      {connected ? (
        <Caption1>The process may take a few minutes.</Caption1>
      ) : (
        <Caption1>Connect to Microsoft 365 first. You can save your choices now and sync once connected.</Caption1>
      )}
      {shown && <RunPanel key={shown.run.id} initial={shown.run} note={shown.note} />}
    </div>
  );
}
