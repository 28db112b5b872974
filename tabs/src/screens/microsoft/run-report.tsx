import { Accordion, AccordionHeader, AccordionItem, AccordionPanel, Caption1, Spinner, makeStyles, tokens } from '@fluentui/react-components';
import type { SyncRun } from '@users-sync/api/contract';
import { useTab } from '../../api/api-context';
import { useResource } from '../../api/use-resource';
import { ProblemMessage } from '../../shell/problem-message';
import { RunCounts } from './run-summary';

const useStyles = makeStyles({
  list: { margin: 0, paddingLeft: tokens.spacingHorizontalL, display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalXXS, maxHeight: '260px', overflowY: 'auto' },
});

const sections = [
  { key: 'created', label: 'Created', would: 'Would be created' },
  { key: 'updated', label: 'Updated', would: 'Would be updated' },
  { key: 'deactivated', label: 'Deactivated', would: 'Would be deactivated' },
  { key: 'reactivated', label: 'Reactivated', would: 'Would be reactivated' },
  { key: 'skipped', label: 'Skipped', would: 'Would be skipped' },
] as const;

/** Who a run changed (or would change, for a preview or a held run), section by section, with skip reasons. */
export function RunReport({ run }: { run: SyncRun }) {
  const styles = useStyles();
  const { api } = useTab();
  const report = useResource((signal) => api.call('getRunReport', { params: { runId: run.id }, signal }), `${run.id}:${run.status}`);
  const wouldBe = run.dryRun || run.status === 'awaiting_approval';
  if (report.state === 'error') return <ProblemMessage problem={report.problem} title="The report could not be read" onRetry={report.reload} />;
  if (!report.data) return <Spinner size="small" label="Reading the report…" />;
  const data = report.data;
  return (
    <div style={{ display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalS }}>
      <RunCounts counts={data.counts} wouldBe={wouldBe} />
      <Accordion multiple collapsible>
        {sections.map((section) => {
          const entries = data[section.key];
          if (data.counts[section.key] === 0) return null;
          return (
            <AccordionItem key={section.key} value={section.key}>
              <AccordionHeader>
                {wouldBe ? section.would : section.label} ({data.counts[section.key].toLocaleString()})
              </AccordionHeader>
              <AccordionPanel>
                <ul className={styles.list} aria-label={wouldBe ? section.would : section.label}>
                  {entries.map((entry, index) => (
                    <li key={`${entry.entraObjectId ?? entry.email ?? ''}-${index}`}>
                      {entry.displayName ?? entry.email ?? entry.entraObjectId}
                      {entry.email && entry.displayName ? <Caption1> · {entry.email}</Caption1> : null}
                      {entry.reason ? <Caption1> — {entry.reason}</Caption1> : null}
                    </li>
                  ))}
                </ul>
                {entries.length < data.counts[section.key] && <Caption1>Showing the first {entries.length.toLocaleString()}.</Caption1>}
              </AccordionPanel>
            </AccordionItem>
          );
        })}
      </Accordion>
    </div>
  );
}
