import { Body1, Button, Caption1, MessageBar, MessageBarBody, MessageBarTitle, Subtitle2, makeStyles, tokens } from '@fluentui/react-components';
import type { SyncRun } from '@users-sync/api/contract';
import { useEffect, useRef, useState } from 'react';
import type { ApiProblem } from '../../api/api-client';
import { useTab } from '../../api/api-context';
import { followRun } from '../../api/run-events';
import { asProblem } from '../../api/use-resource';
import { ProblemMessage } from '../../shell/problem-message';
import { RunReport } from './run-report';
import { formatDuration, RunProgress, RunStatusBadge } from './run-summary';

const useStyles = makeStyles({
  section: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalM },
  buttons: { display: 'flex', gap: tokens.spacingHorizontalS, flexWrap: 'wrap', alignItems: 'center' },
});

const isActive = (run: SyncRun) => run.status === 'queued' || run.status === 'running';

/** Follows a run from the api's event stream while it is shown; returns its latest state. */
export function useFollowedRun(initial: SyncRun | null): [SyncRun | null, ApiProblem | null] {
  const { api, runsChanged } = useTab();
  const [run, setRun] = useState(initial);
  const [problem, setProblem] = useState<ApiProblem | null>(null);
  const changed = useRef(runsChanged);
  changed.current = runsChanged;
  useEffect(() => {
    setRun(initial);
    setProblem(null);
    if (!initial || !isActive(initial)) return undefined;
    const controller = new AbortController();
    followRun(api, initial.id, setRun, controller.signal).then(
      () => changed.current(),
      (error: unknown) => !controller.signal.aborted && setProblem(asProblem(error)),
    );
    return () => controller.abort();
  }, [api, initial]);
  return [run, problem];
}

function outcomeText(run: SyncRun): string {
  if (run.dryRun && run.unsavedSettings) return 'Preview of settings not saved yet: nothing was changed. This is what a sync would do with them.';
  if (run.dryRun) return 'Preview: nothing was changed. This is what a sync would do now.';
  switch (run.status) {
    case 'succeeded':
      return `Your employee list is up to date with Microsoft Entra ID (${formatDuration(run.durationMs)}).`;
    case 'awaiting_approval':
      return 'This sync would deactivate many people, so it is waiting for an admin to approve it. Nobody has been deactivated yet.';
    case 'failed':
      return 'The sync stopped. Nobody was deactivated.';
    case 'cancelled':
      return 'The sync was cancelled. Nobody was deactivated.';
    case 'rejected':
      return 'An admin rejected this sync; nothing was applied.';
    default:
      return '';
  }
}

/** One run on screen: live progress while it runs, then its outcome and who it changed. */
export function RunPanel({ initial, note }: { initial: SyncRun; note?: string }) {
  const styles = useStyles();
  const { api } = useTab();
  const [run, problem] = useFollowedRun(initial);
  const [cancelProblem, setCancelProblem] = useState<ApiProblem | null>(null);
  const panel = useRef<HTMLElement>(null);
  // The panel opens below the form: bring it into view so the progress is seen, not guessed.
  // Braces matter: newer browsers return a promise from scrollIntoView, and an effect must not return one.
  useEffect(() => {
    panel.current?.scrollIntoView?.({ block: 'nearest', behavior: 'smooth' });
  }, []);
  if (!run) return null;
  const cancel = () => api.call('cancelRun', { params: { runId: run.id } }).catch((error: unknown) => setCancelProblem(asProblem(error)));
  return (
    <section ref={panel} className={styles.section} aria-labelledby="run-heading" data-testid="run-panel" data-run-status={run.status}>
      <div className={styles.buttons}>
        <Subtitle2 as="h2" id="run-heading">
          {run.dryRun ? 'Preview of the next sync' : 'Synchronization'}
        </Subtitle2>
        <RunStatusBadge run={run} />
      </div>
      {note && (
        <MessageBar intent="info">
          <MessageBarBody>{note}</MessageBarBody>
        </MessageBar>
      )}
      {isActive(run) ? (
        <>
          <RunProgress run={run} />
          <Caption1>The process may take a few minutes. You can close this panel; the sync goes on.</Caption1>
          {!run.dryRun && (
            <div>
              <Button onClick={() => void cancel()}>Cancel the sync</Button>
            </div>
          )}
        </>
      ) : (
        <>
          {run.status === 'failed' && run.error ? (
            <MessageBar intent="error" layout="multiline" role="alert">
              <MessageBarBody>
                <MessageBarTitle>The sync failed</MessageBarTitle>
                {run.error.message} (code {run.error.code})
              </MessageBarBody>
            </MessageBar>
          ) : (
            <Body1 data-testid="run-outcome">{outcomeText(run)}</Body1>
          )}
          {run.status !== 'failed' && <RunReport run={run} />}
        </>
      )}
      {problem && <ProblemMessage problem={problem} title="Progress could not be read" />}
      {cancelProblem && <ProblemMessage problem={cancelProblem} title="The sync could not be cancelled" />}
    </section>
  );
}
