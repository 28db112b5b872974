import {
  Badge, Button, Caption1, Field, Input, Link, Select, Spinner, Table, TableBody, TableCell, TableHeader, TableHeaderCell, TableRow, makeStyles, tokens,
} from '@fluentui/react-components';
import type { Employee } from '@users-sync/api/contract';
import { useEffect, useState } from 'react';
import type { ApiProblem } from '../../api/api-client';
import { useTab } from '../../api/api-context';
import { asProblem, useResource } from '../../api/use-resource';
import { hashOf, navigate } from '../../shell/navigation';
import { PageHeading } from '../../shell/page-heading';
import { ProblemMessage } from '../../shell/problem-message';
import { downloadEmployeesCsv } from './export-csv';

const useStyles = makeStyles({
  filters: { display: 'flex', gap: tokens.spacingHorizontalM, flexWrap: 'wrap', alignItems: 'end' },
  search: { minWidth: '220px', flexGrow: 1 },
  tableWrap: { overflowX: 'auto', backgroundColor: tokens.colorNeutralBackground1, borderRadius: tokens.borderRadiusMedium },
  footer: { display: 'flex', gap: tokens.spacingHorizontalM, alignItems: 'center', flexWrap: 'wrap' },
  secondary: { '@media (max-width: 640px)': { display: 'none' } },
});

type Filters = { search: string; status: '' | 'active' | 'inactive'; source: '' | 'microsoft' | 'csv' | 'manual'; department: string };
const PAGE = 50;

export function sourceLabel(source: Employee['source']): string {
  return source === 'microsoft' ? 'Microsoft 365' : source === 'csv' ? 'CSV import' : 'Manual';
}

/** The directory: search, filters, pages of 50, one employee a click away, and the CSV export. */
export function EmployeesPage() {
  const styles = useStyles();
  const { api, runsVersion } = useTab();
  const [filters, setFilters] = useState<Filters>({ search: '', status: '', source: '', department: '' });
  const [applied, setApplied] = useState(filters);
  const [cursors, setCursors] = useState<string[]>([]);
  const [exportProblem, setExportProblem] = useState<ApiProblem | null>(null);
  // Typing searches after a short pause, not on every key.
  useEffect(() => {
    const timer = setTimeout(() => {
      setApplied(filters);
      setCursors([]);
    }, 300);
    return () => clearTimeout(timer);
  }, [filters]);
  const cursor = cursors.at(-1);
  const page = useResource(
    (signal) =>
      api.call('listEmployees', {
        query: { search: applied.search || undefined, status: applied.status || undefined, source: applied.source || undefined, department: applied.department || undefined, cursor, limit: PAGE },
        signal,
      }),
    JSON.stringify({ applied, cursor, runsVersion }),
  );
  const set = <K extends keyof Filters>(key: K, value: Filters[K]) => setFilters((previous) => ({ ...previous, [key]: value }));
  const data = page.data;
  const first = cursors.length * PAGE + 1;
  return (
    <>
      <PageHeading>Employees</PageHeading>
      <div className={styles.filters} role="search">
        <Field label="Search" className={styles.search}>
          <Input type="search" placeholder="Name or email" value={filters.search} onChange={(_e, d) => set('search', d.value)} />
        </Field>
        <Field label="Status">
          <Select value={filters.status} onChange={(_e, d) => set('status', d.value as Filters['status'])}>
            <option value="">All</option>
            <option value="active">Active</option>
            <option value="inactive">Inactive</option>
          </Select>
        </Field>
        <Field label="Source">
          <Select value={filters.source} onChange={(_e, d) => set('source', d.value as Filters['source'])}>
            <option value="">All</option>
            <option value="microsoft">Microsoft 365</option>
            <option value="csv">CSV import</option>
            <option value="manual">Manual</option>
          </Select>
        </Field>
        <Field label="Department">
          <Input value={filters.department} onChange={(_e, d) => set('department', d.value)} placeholder="Any" />
        </Field>
        <Button onClick={() => downloadEmployeesCsv(api).catch((error: unknown) => setExportProblem(asProblem(error)))}>Export CSV</Button>
      </div>
      {exportProblem && <ProblemMessage problem={exportProblem} title="The export failed" />}
      {page.state === 'error' && <ProblemMessage problem={page.problem} title="Employees could not be loaded" onRetry={page.reload} />}
      {!data && page.state === 'loading' && <Spinner label="Loading employees…" />}
      {data && data.total === 0 && (
        <Caption1 role="status">
          {applied.search || applied.status || applied.source || applied.department
            ? 'Nobody matches these filters.'
            : 'No employees yet. Connect Microsoft 365 in Microsoft Users Sync and run a sync to fill the list.'}
        </Caption1>
      )}
      {data && data.total > 0 && (
        <>
          <div className={styles.tableWrap}>
            <Table aria-label="Employees" size="small">
              <TableHeader>
                <TableRow>
                  <TableHeaderCell>Name</TableHeaderCell>
                  <TableHeaderCell className={styles.secondary}>Department</TableHeaderCell>
                  <TableHeaderCell className={styles.secondary}>Job title</TableHeaderCell>
                  <TableHeaderCell className={styles.secondary}>Source</TableHeaderCell>
                  <TableHeaderCell>Status</TableHeaderCell>
                </TableRow>
              </TableHeader>
              <TableBody>
                {data.employees.map((employee) => (
                  <TableRow key={employee.id}>
                    <TableCell>
                      <Link href={hashOf({ name: 'employee', employeeId: employee.id })} onClick={(event) => { event.preventDefault(); navigate({ name: 'employee', employeeId: employee.id }); }}>
                        {employee.displayName}
                      </Link>
                      <br />
                      <Caption1>{employee.email}</Caption1>
                    </TableCell>
                    <TableCell className={styles.secondary}>{employee.department ?? '—'}</TableCell>
                    <TableCell className={styles.secondary}>{employee.jobTitle ?? '—'}</TableCell>
                    <TableCell className={styles.secondary}>{sourceLabel(employee.source)}</TableCell>
                    <TableCell>
                      <Badge appearance="tint" color={employee.status === 'active' ? 'success' : 'subtle'}>
                        {employee.status === 'active' ? 'Active' : 'Inactive'}
                      </Badge>
                    </TableCell>
                  </TableRow>
                ))}
              </TableBody>
            </Table>
          </div>
          <div className={styles.footer}>
            <Caption1 role="status">
              {first.toLocaleString()}–{(first + data.employees.length - 1).toLocaleString()} of {data.total.toLocaleString()}
            </Caption1>
            <Button disabled={cursors.length === 0} onClick={() => setCursors((c) => c.slice(0, -1))}>
              Previous
            </Button>
            <Button disabled={!data.nextCursor} onClick={() => data.nextCursor && setCursors((c) => [...c, data.nextCursor!])}>
              Next
            </Button>
          </div>
        </>
      )}
    </>
  );
}
