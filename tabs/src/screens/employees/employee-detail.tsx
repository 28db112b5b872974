import { Badge, Body1, Button, Caption1, Card, Spinner, Subtitle2, Table, TableBody, TableCell, TableHeader, TableHeaderCell, TableRow, makeStyles, tokens } from '@fluentui/react-components';
import type { Employee } from '@users-sync/api/contract';
import { useTab } from '../../api/api-context';
import { useResource } from '../../api/use-resource';
import { navigate } from '../../shell/navigation';
import { PageHeading } from '../../shell/page-heading';
import { ProblemMessage } from '../../shell/problem-message';
import { sourceLabel } from './employees-page';

const useStyles = makeStyles({
  attributes: { display: 'grid', gridTemplateColumns: 'minmax(120px, max-content) 1fr', gap: `${tokens.spacingVerticalXS} ${tokens.spacingHorizontalL}`, margin: 0 },
  term: { color: tokens.colorNeutralForeground3 },
  value: { margin: 0, overflowWrap: 'anywhere' },
  tableWrap: { overflowX: 'auto' },
});

const attributes: Array<[keyof Employee, string]> = [
  ['email', 'Email'],
  ['firstName', 'First name'],
  ['lastName', 'Last name'],
  ['jobTitle', 'Job title'],
  ['department', 'Department'],
  ['managerEmail', 'Manager'],
  ['office', 'Office'],
  ['city', 'City'],
  ['country', 'Country'],
  ['preferredLanguage', 'Language'],
  ['employeeId', 'Employee ID'],
  ['company', 'Company'],
];

const actionLabels = { created: 'Created', updated: 'Updated', deactivated: 'Deactivated', reactivated: 'Reactivated' } as const;

/** One employee: every synced attribute, where they come from, and what each sync changed. */
export function EmployeeDetail({ employeeId }: { employeeId: string }) {
  const styles = useStyles();
  const { api } = useTab();
  const detail = useResource((signal) => api.call('getEmployee', { params: { employeeId }, signal }), employeeId);
  const back = (
    <div>
      <Button onClick={() => navigate({ name: 'employees' })}>Back to employees</Button>
    </div>
  );
  if (detail.state === 'error') return (<>{back}<ProblemMessage problem={detail.problem} title="This employee could not be loaded" onRetry={detail.reload} /></>);
  if (!detail.data) return <Spinner label="Loading the employee…" />;
  const { employee, changes, scopePaths } = detail.data;
  return (
    <>
      {back}
      <PageHeading>{employee.displayName}</PageHeading>
      <div style={{ display: 'flex', gap: tokens.spacingHorizontalS, flexWrap: 'wrap' }}>
        <Badge appearance="tint" color={employee.status === 'active' ? 'success' : 'subtle'}>
          {employee.status === 'active' ? 'Active' : 'Inactive'}
        </Badge>
        <Badge appearance="outline">{sourceLabel(employee.source)}</Badge>
      </div>
      <Card>
        <Subtitle2 as="h2">Attributes</Subtitle2>
        <dl className={styles.attributes}>
          {attributes.map(([key, label]) => (
            <div key={key} style={{ display: 'contents' }}>
              <dt className={styles.term}>{label}</dt>
              <dd className={styles.value}>{(employee[key] as string | null) ?? '—'}</dd>
            </div>
          ))}
          <dt className={styles.term}>In the directory since</dt>
          <dd className={styles.value}>{new Date(employee.firstSeenAt).toLocaleString()}</dd>
          <dt className={styles.term}>Last synchronized</dt>
          <dd className={styles.value}>{employee.lastSyncedAt ? new Date(employee.lastSyncedAt).toLocaleString() : '—'}</dd>
          {employee.deactivatedAt && (
            <>
              <dt className={styles.term}>Deactivated</dt>
              <dd className={styles.value}>{new Date(employee.deactivatedAt).toLocaleString()}</dd>
            </>
          )}
        </dl>
      </Card>
      {scopePaths && (
        <Card>
          <Subtitle2 as="h2">Why they are synchronized</Subtitle2>
          {scopePaths.length === 0 ? (
            <Body1>The last full sync did not find them in the chosen groups.</Body1>
          ) : (
            <ul style={{ margin: 0, paddingLeft: tokens.spacingHorizontalL }} aria-label="In scope through">
              {scopePaths.map((path) => (
                <li key={path.map((group) => group.id).join('/')}>{path.map((group) => group.displayName ?? group.id).join(' → ')}</li>
              ))}
            </ul>
          )}
        </Card>
      )}
      <Card>
        <Subtitle2 as="h2">Change log</Subtitle2>
        {changes.length === 0 ? (
          <Body1>No change recorded yet.</Body1>
        ) : (
          <div className={styles.tableWrap}>
            <Table aria-label="Change log" size="small">
              <TableHeader>
                <TableRow>
                  <TableHeaderCell>When</TableHeaderCell>
                  <TableHeaderCell>What</TableHeaderCell>
                  <TableHeaderCell>Details</TableHeaderCell>
                </TableRow>
              </TableHeader>
              <TableBody>
                {changes.map((change, index) => (
                  <TableRow key={`${change.at}-${index}`}>
                    <TableCell>{new Date(change.at).toLocaleString()}</TableCell>
                    <TableCell>{actionLabels[change.action]}</TableCell>
                    <TableCell>
                      {change.changedFields.length > 0 && <Caption1>{change.changedFields.join(', ')}</Caption1>}
                      {change.reason && <Caption1>{change.reason}</Caption1>}
                    </TableCell>
                  </TableRow>
                ))}
              </TableBody>
            </Table>
          </div>
        )}
      </Card>
    </>
  );
}
