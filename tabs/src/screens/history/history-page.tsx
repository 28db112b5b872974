import {
  Button, Caption1, Card, LargeTitle, Spinner, Subtitle2, Table, TableBody, TableCell, TableHeader, TableHeaderCell, TableRow, makeStyles, tokens,
} from '@fluentui/react-components';
import { LineChart, VerticalStackedBarChart, type VerticalStackedChartProps } from '@fluentui/react-charts';
import type { SyncRun } from '@users-sync/api/contract';
import { useState } from 'react';
import { useTab } from '../../api/api-context';
import { useResource } from '../../api/use-resource';
import { PageHeading } from '../../shell/page-heading';
import { ProblemMessage } from '../../shell/problem-message';
import { formatDuration, RunStatusBadge } from '../microsoft/run-summary';
import { RunReport } from '../microsoft/run-report';
import { activeEmployeesOverTime } from './employee-trend';

const useStyles = makeStyles({
  charts: { display: 'grid', gridTemplateColumns: 'repeat(auto-fit, minmax(280px, 1fr))', gap: tokens.spacingHorizontalL },
  tableWrap: { overflowX: 'auto', backgroundColor: tokens.colorNeutralBackground1, borderRadius: tokens.borderRadiusMedium },
  secondary: { '@media (max-width: 640px)': { display: 'none' } },
  // The charts size themselves to their box: each gets the same fixed height, whatever the other card holds.
  chartArea: { height: '240px', display: 'flex', flexDirection: 'column', justifyContent: 'center' },
  figure: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalXS, '& > p': { margin: 0 } },
});

const triggerLabels: Record<SyncRun['trigger'], string> = {
  manual: 'Manual',
  schedule: 'Schedule',
  webhook: 'Change in Entra ID',
  scope_change: 'Settings saved',
  cli: 'Command line',
  csv: 'CSV import',
};

/** Every run with its outcome, and two charts: active employees over time, changes per run. */
export default function HistoryPage() {
  const styles = useStyles();
  const { api, runsVersion } = useTab();
  const [selected, setSelected] = useState<SyncRun | null>(null);
  const history = useResource(async (signal) => {
    const [runs, active] = await Promise.all([
      api.call('listRuns', { query: { limit: 100 }, signal }),
      api.call('listEmployees', { query: { status: 'active', limit: 1 }, signal }),
    ]);
    return { runs: runs.runs, nextCursor: runs.nextCursor, active: active.total };
  }, `history:${runsVersion}`);

  if (history.state === 'error') return (<><PageHeading>Sync history</PageHeading><ProblemMessage problem={history.problem} title="The history could not be loaded" onRetry={history.reload} /></>);
  if (!history.data) return (<><PageHeading>Sync history</PageHeading><Spinner label="Loading the sync history…" /></>);
  const { runs, active } = history.data;
  const trend = activeEmployeesOverTime(runs, active);
  const applied = runs.filter((run) => !run.dryRun && run.status === 'succeeded' && run.finishedAt).slice(0, 20).reverse();
  const perRun: VerticalStackedChartProps[] = applied.map((run) => ({
    xAxisPoint: new Date(run.finishedAt!).toLocaleString(undefined, { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' }),
    chartData: [
      { legend: 'Created', data: run.counts.created, color: tokens.colorPaletteGreenBackground3 },
      { legend: 'Updated', data: run.counts.updated, color: tokens.colorPaletteBlueBackground2 },
      { legend: 'Deactivated', data: run.counts.deactivated, color: tokens.colorPaletteRedBackground3 },
      { legend: 'Reactivated', data: run.counts.reactivated, color: tokens.colorPalettePurpleBackground2 },
    ],
  }));

  return (
    <>
      <PageHeading>Sync history</PageHeading>
      {runs.length === 0 ? (
        <Caption1>No sync has run yet. Open Microsoft Users Sync and click Save changes and sync users.</Caption1>
      ) : (
        <>
          <div className={styles.charts}>
            <Card data-testid="employees-chart">
              <Subtitle2 as="h2">Active employees over time</Subtitle2>
              <div className={styles.chartArea}>
                {trend.length > 1 ? (
                  <LineChart data={{ chartTitle: 'Active employees over time', lineChartData: [{ legend: 'Active employees', data: trend.map((p) => ({ x: p.at, y: p.active })), color: tokens.colorBrandBackground }] }} height={220} />
                ) : trend.length === 1 ? (
                  // One point makes no line (and a time axis of one instant shows no date): say the figure instead.
                  <div className={styles.figure} data-testid="employees-after-first-sync">
                    <LargeTitle as="p">{trend[0]!.active}</LargeTitle>
                    <Caption1 as="p">
                      active employees after the first sync, {trend[0]!.at.toLocaleString(undefined, { month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' })}. The line appears after the next sync.
                    </Caption1>
                  </div>
                ) : (
                  <Caption1>The chart appears after the first completed sync.</Caption1>
                )}
              </div>
            </Card>
            <Card data-testid="changes-chart">
              <Subtitle2 as="h2">Changes per sync</Subtitle2>
              <div className={styles.chartArea}>
                {perRun.length > 0 ? <VerticalStackedBarChart data={perRun} chartTitle="Changes per sync" height={220} /> : <Caption1>The chart appears after the first completed sync.</Caption1>}
              </div>
            </Card>
          </div>
          <div className={styles.tableWrap}>
            <Table aria-label="Sync runs" size="small">
              <TableHeader>
                <TableRow>
                  <TableHeaderCell>Started</TableHeaderCell>
                  <TableHeaderCell className={styles.secondary}>Trigger</TableHeaderCell>
                  <TableHeaderCell className={styles.secondary}>Mode</TableHeaderCell>
                  <TableHeaderCell className={styles.secondary}>Duration</TableHeaderCell>
                  <TableHeaderCell>Changes</TableHeaderCell>
                  <TableHeaderCell>Outcome</TableHeaderCell>
                </TableRow>
              </TableHeader>
              <TableBody>
                {runs.map((run) => (
                  <TableRow key={run.id}>
                    <TableCell>
                      <Button appearance="transparent" onClick={() => setSelected(run)} aria-label={`Show the report of the sync of ${new Date(run.startedAt ?? run.queuedAt).toLocaleString()}`}>
                        {new Date(run.startedAt ?? run.queuedAt).toLocaleString()}
                      </Button>
                    </TableCell>
                    <TableCell className={styles.secondary}>{triggerLabels[run.trigger]}</TableCell>
                    <TableCell className={styles.secondary}>{run.dryRun ? 'Preview' : run.mode === 'full' ? 'Full' : 'Changes only'}</TableCell>
                    <TableCell className={styles.secondary}>{formatDuration(run.durationMs)}</TableCell>
                    <TableCell>
                      <Caption1>
                        +{run.counts.created} ~{run.counts.updated} −{run.counts.deactivated} ↺{run.counts.reactivated} · {run.counts.skipped} skipped
                      </Caption1>
                    </TableCell>
                    <TableCell>
                      <RunStatusBadge run={run} />
                      {run.error && <Caption1 block>{run.error.message} ({run.error.code})</Caption1>}
                    </TableCell>
                  </TableRow>
                ))}
              </TableBody>
            </Table>
          </div>
          <Caption1>+ created · ~ updated · − deactivated · ↺ reactivated</Caption1>
          {selected && (
            <Card>
              <Subtitle2 as="h2">Report of the sync of {new Date(selected.startedAt ?? selected.queuedAt).toLocaleString()}</Subtitle2>
              <RunReport run={selected} />
            </Card>
          )}
        </>
      )}
    </>
  );
}
