import {
  Button, Dialog, DialogActions, DialogBody, DialogContent, DialogSurface, DialogTitle, MessageBar, MessageBarActions, MessageBarBody, MessageBarTitle,
} from '@fluentui/react-components';
import { useState } from 'react';
import type { ApiProblem } from '../../api/api-client';
import { useTab } from '../../api/api-context';
import { asProblem, useResource } from '../../api/use-resource';
import { ProblemMessage } from '../../shell/problem-message';
import { RunReport } from './run-report';

/**
 * When the deletion guard holds a run, every screen says so: who would be deactivated,
 * and Approve or Reject. Nobody is deactivated until an admin approves.
 */
export function HeldRunBanner() {
  const { api, runsVersion, runsChanged } = useTab();
  const runs = useResource((signal) => api.call('listRuns', { query: { limit: 5 }, signal }), `held:${runsVersion}`);
  const held = runs.data?.runs.find((run) => run.status === 'awaiting_approval');
  const [open, setOpen] = useState(false);
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<ApiProblem | null>(null);
  if (!held) return null;

  const decide = async (decision: 'approveRun' | 'rejectRun') => {
    setBusy(true);
    setProblem(null);
    try {
      await api.call(decision, { params: { runId: held.id } });
      setOpen(false);
      runsChanged();
    } catch (error) {
      setProblem(asProblem(error));
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <MessageBar intent="warning" layout="multiline" data-testid="held-run-banner">
        <MessageBarBody>
          <MessageBarTitle>A sync is waiting for your approval</MessageBarTitle>
          It would deactivate {held.counts.deactivated.toLocaleString()} {held.counts.deactivated === 1 ? 'person' : 'people'}, more than the deletion guard allows. Nobody has been deactivated yet.
        </MessageBarBody>
        <MessageBarActions>
          <Button onClick={() => setOpen(true)}>Review</Button>
        </MessageBarActions>
      </MessageBar>
      <Dialog open={open} onOpenChange={(_e, data) => setOpen(data.open)}>
        <DialogSurface>
          <DialogBody>
            <DialogTitle>Approve this sync?</DialogTitle>
            <DialogContent>
              <p>Approving applies the whole sync, including these deactivations. Rejecting discards it: nothing changes, and the next sync asks again if the people are still gone.</p>
              <RunReport run={held} />
              {problem && <ProblemMessage problem={problem} title="The decision was not recorded" />}
            </DialogContent>
            <DialogActions>
              <Button disabled={busy} onClick={() => void decide('rejectRun')}>
                Reject
              </Button>
              <Button appearance="primary" disabled={busy} onClick={() => void decide('approveRun')}>
                Approve
              </Button>
            </DialogActions>
          </DialogBody>
        </DialogSurface>
      </Dialog>
    </>
  );
}
