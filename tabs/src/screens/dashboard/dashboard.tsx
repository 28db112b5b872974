import {
  Badge, Body1, Button, Caption1, Card, CardFooter, CardHeader, Spinner, Subtitle1, Subtitle2, Text, makeStyles, tokens,
} from '@fluentui/react-components';
import type { Dashboard, SyncConfiguration } from '@users-sync/api/contract';
import { useTab } from '../../api/api-context';
import { useResource } from '../../api/use-resource';
import { navigate } from '../../shell/navigation';
import { PageHeading } from '../../shell/page-heading';
import { ProblemMessage } from '../../shell/problem-message';
import { RunStatusBadge, formatDuration } from '../microsoft/run-summary';
import { downloadEmployeesCsv } from '../employees/export-csv';

const useStyles = makeStyles({
  grid: { display: 'grid', gridTemplateColumns: 'repeat(auto-fit, minmax(240px, 1fr))', gap: tokens.spacingHorizontalL },
  figure: { fontSize: tokens.fontSizeHero800, lineHeight: tokens.lineHeightHero800, fontWeight: tokens.fontWeightSemibold },
  figures: { display: 'flex', gap: tokens.spacingHorizontalXL, flexWrap: 'wrap' },
  stack: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalXS },
});

type DashboardData = Dashboard & { configuration: SyncConfiguration };

function scopeText(configuration: SyncConfiguration): string {
  const { scope } = configuration;
  if (scope.kind === 'all') return 'All users in the tenant';
  if (scope.kind === 'group_name') return `All users in the group named “${scope.groupName}”`;
  return `Users of ${scope.groupIds.length} chosen group${scope.groupIds.length === 1 ? '' : 's'}`;
}

/** The first screen: employees, the last sync and the next one, and the ways to fill the directory. */
export function Dashboard() {
  const styles = useStyles();
  const { api, me, runsVersion } = useTab();
  // The figures come from the api in one answer (GET /api/dashboard), next scheduled sync included.
  const data = useResource<DashboardData>(async (signal) => {
    const [dashboard, configuration] = await Promise.all([api.call('dashboard', { signal }), api.call('getConfiguration', { signal })]);
    return { ...dashboard, configuration };
  }, `dashboard:${runsVersion}`);

  const microsoftFirst = me.organization.providerDetection?.provider !== 'google';
  return (
    <>
      <PageHeading>Dashboard</PageHeading>
      {data.state === 'error' && <ProblemMessage problem={data.problem} title="The dashboard could not be loaded" onRetry={data.reload} />}
      {!data.data && data.state === 'loading' && <Spinner label="Loading your directory…" />}
      {data.data && <Overview data={data.data} />}
      <Subtitle1 as="h2">Integrations</Subtitle1>
      <div className={styles.grid}>
        {microsoftFirst ? (
          <>
            <MicrosoftCard connection={data.data?.connection} recommended={me.organization.providerDetection?.provider === 'microsoft'} />
            <CsvCard />
          </>
        ) : (
          <>
            <CsvCard />
            <MicrosoftCard connection={data.data?.connection} recommended={false} />
          </>
        )}
      </div>
    </>
  );
}

function Overview({ data }: { data: DashboardData }) {
  const styles = useStyles();
  const next = data.nextScheduledSyncAt ? new Date(data.nextScheduledSyncAt) : null;
  const sources = Object.entries(data.employees.bySource)
    .map(([source, counts]) => [source, counts.active + counts.inactive] as const)
    .filter(([, count]) => count > 0);
  return (
    <div className={styles.grid}>
      <Card>
        <CardHeader header={<Subtitle2 as="h2">Employees</Subtitle2>} />
        <div className={styles.figures}>
          <div className={styles.stack}>
            <Text className={styles.figure} data-testid="active-employees">
              {data.employees.active.toLocaleString()}
            </Text>
            <Caption1>active</Caption1>
          </div>
          <div className={styles.stack}>
            <Text className={styles.figure}>{data.employees.inactive.toLocaleString()}</Text>
            <Caption1>inactive</Caption1>
          </div>
        </div>
        <Caption1>{sources.length ? sources.map(([source, count]) => `${count.toLocaleString()} from ${source === 'microsoft' ? 'Microsoft 365' : source === 'csv' ? 'CSV import' : 'manual entry'}`).join(' · ') : 'No employees yet.'}</Caption1>
        <CardFooter>
          <Button onClick={() => navigate({ name: 'employees' })}>See employees</Button>
        </CardFooter>
      </Card>
      <Card>
        <CardHeader header={<Subtitle2 as="h2">Last sync</Subtitle2>} />
        {data.lastRun ? (
          <div className={styles.stack}>
            <div>
              <RunStatusBadge run={data.lastRun} />
            </div>
            <Body1>
              {new Date(data.lastRun.startedAt ?? data.lastRun.queuedAt).toLocaleString()} · {formatDuration(data.lastRun.durationMs)}
            </Body1>
            <Caption1>
              {data.lastRun.counts.created} created · {data.lastRun.counts.updated} updated · {data.lastRun.counts.deactivated} deactivated · {data.lastRun.counts.skipped} skipped
            </Caption1>
            {data.lastRun.error && <Caption1>{data.lastRun.error.message}</Caption1>}
          </div>
        ) : (
          <Body1>No sync yet. Open Microsoft Users Sync to connect and run the first one.</Body1>
        )}
        <Caption1 data-testid="next-sync">{next ? `Next scheduled check: ${next.toLocaleString()}` : data.connection.status === 'connected' ? 'No schedule: changes come from Microsoft notifications and manual syncs.' : 'Not connected to Microsoft 365.'}</Caption1>
        <Caption1>Scope: {scopeText(data.configuration)}</Caption1>
        <CardFooter>
          <Button onClick={() => navigate({ name: 'history' })}>Sync history</Button>
        </CardFooter>
      </Card>
    </div>
  );
}

function MicrosoftCard({ connection, recommended }: { connection: Dashboard['connection'] | undefined; recommended: boolean }) {
  const status = connection?.status;
  return (
    <Card>
      <CardHeader
        header={<Subtitle2 as="h3">Microsoft Users Sync</Subtitle2>}
        description={
          <div style={{ display: 'flex', gap: tokens.spacingHorizontalXS, flexWrap: 'wrap' }}>
            {recommended && <Badge appearance="tint">Recommended: your email is on Microsoft 365</Badge>}
            {status === 'connected' && <Badge color="success">Connected</Badge>}
            {status === 'consent_revoked' && <Badge color="warning">Access revoked</Badge>}
          </div>
        }
      />
      <Body1>Synchronize employee profiles from Microsoft Entra ID automatically and keep them up to date.</Body1>
      <CardFooter>
        <Button appearance="primary" onClick={() => navigate({ name: 'microsoft' })}>
          {status === 'connected' ? 'Open Microsoft Users Sync' : 'Set up Microsoft Users Sync'}
        </Button>
      </CardFooter>
    </Card>
  );
}

function CsvCard() {
  const { api } = useTab();
  return (
    <Card>
      <CardHeader header={<Subtitle2 as="h3">Add employees manually</Subtitle2>} />
      <Body1>Without Microsoft 365, a CSV file fills the directory. Export the current list to see the columns.</Body1>
      <CardFooter>
        <Button appearance="primary" onClick={() => navigate({ name: 'csv-import' })}>
          Import CSV
        </Button>
        <Button onClick={() => void downloadEmployeesCsv(api)}>Export CSV</Button>
      </CardFooter>
    </Card>
  );
}
