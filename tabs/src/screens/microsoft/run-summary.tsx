import { Badge, Body1, Caption1, ProgressBar, makeStyles, tokens } from '@fluentui/react-components';
import type { SyncCounts, SyncRun } from '@users-sync/api/contract';

const useStyles = makeStyles({
  counts: { display: 'grid', gridTemplateColumns: 'repeat(auto-fill, minmax(110px, 1fr))', gap: tokens.spacingHorizontalS, margin: 0 },
  count: { display: 'flex', flexDirection: 'column', padding: tokens.spacingVerticalS, borderRadius: tokens.borderRadiusMedium, backgroundColor: tokens.colorNeutralBackground3 },
  value: { fontSize: tokens.fontSizeHero700, fontWeight: tokens.fontWeightSemibold, lineHeight: tokens.lineHeightHero700, margin: 0 },
});

export const phaseLabels: Record<string, string> = {
  resolving_scope: 'Finding the groups in scope',
  taking_delta_links: 'Preparing continuous updates',
  reading_users: 'Reading users from Microsoft Entra ID',
  reading_changes: 'Reading changes from Microsoft Entra ID',
  reading_groups: 'Reading group memberships',
  applying: 'Updating your employee list',
  deactivating: 'Deactivating people who left',
  done: 'Finishing',
};

export const statusLabels: Record<SyncRun['status'], { label: string; color: 'informative' | 'success' | 'danger' | 'warning' | 'subtle' }> = {
  queued: { label: 'Waiting to start', color: 'informative' },
  running: { label: 'Running', color: 'informative' },
  succeeded: { label: 'Succeeded', color: 'success' },
  failed: { label: 'Failed', color: 'danger' },
  awaiting_approval: { label: 'Waiting for approval', color: 'warning' },
  rejected: { label: 'Rejected', color: 'subtle' },
  cancelled: { label: 'Cancelled', color: 'subtle' },
};

export function RunStatusBadge({ run }: { run: SyncRun }) {
  const status = statusLabels[run.status];
  return (
    <Badge appearance="tint" color={status.color}>
      {run.dryRun && run.status === 'succeeded' ? 'Preview ready' : status.label}
    </Badge>
  );
}

const countLabels: Array<[keyof SyncCounts, string]> = [
  ['created', 'Created'],
  ['updated', 'Updated'],
  ['deactivated', 'Deactivated'],
  ['reactivated', 'Reactivated'],
  ['unchanged', 'Unchanged'],
  ['skipped', 'Skipped'],
];

export function RunCounts({ counts, wouldBe = false }: { counts: SyncCounts; wouldBe?: boolean }) {
  const styles = useStyles();
  return (
    <dl className={styles.counts} aria-label={wouldBe ? 'What the sync would change' : 'What the sync changed'}>
      {countLabels.map(([key, label]) => (
        <div key={key} className={styles.count}>
          <dd className={styles.value} data-count={key}>
            {counts[key].toLocaleString()}
          </dd>
          <dt>
            <Caption1>{wouldBe && key !== 'unchanged' && key !== 'skipped' ? `Would be ${label.toLowerCase()}` : label}</Caption1>
          </dt>
        </div>
      ))}
    </dl>
  );
}

export function formatDuration(ms: number | null): string {
  if (ms === null) return '—';
  if (ms < 1000) return `${ms} ms`;
  const seconds = Math.round(ms / 1000);
  return seconds < 60 ? `${seconds} s` : `${Math.floor(seconds / 60)} min ${seconds % 60} s`;
}

/** A running sync: its phase in words, a bar, and the counts so far. */
export function RunProgress({ run }: { run: SyncRun }) {
  const phase = run.progress.phase ? (phaseLabels[run.progress.phase] ?? run.progress.phase) : 'Waiting to start';
  const applying = run.progress.phase === 'applying' || run.progress.phase === 'deactivating' || run.progress.phase === 'done';
  return (
    <div role="status" aria-live="polite" style={{ display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalS }}>
      <Body1 data-testid="run-phase">{phase}…</Body1>
      {/* Graph does not say how many users a scope holds before it is read: the bar is indeterminate until applying. */}
      <ProgressBar thickness="large" value={applying ? 0.9 : undefined} aria-label="Sync progress" />
      <Caption1 data-testid="run-read">
        {run.progress.usersRead.toLocaleString()} users read · {run.progress.pages.toLocaleString()} pages · {run.progress.graphRequests.toLocaleString()} Microsoft Graph requests
      </Caption1>
    </div>
  );
}
